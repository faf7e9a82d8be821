# syntax=docker/dockerfile:1
#
# hookyard container image.
#
#   docker build -t hookyard:latest .
#
# Single process, every role, embedded PostgreSQL kept in a named volume:
#
#   docker run -p 8080:8080 -v hookyard-data:/var/lib/hookyard hookyard:latest
#
# In Kubernetes (k8s/) every process gets HOOKYARD_DB_URL from a Secret and the
# data directory is scratch space only.

# ---- build -----------------------------------------------------------------
FROM maven:3.9-eclipse-temurin-17 AS build
WORKDIR /src

# Only the POMs and sources: local target/ directories never reach the build.
COPY pom.xml ./
COPY common/pom.xml common/
COPY common/src common/src/
COPY gateway/pom.xml gateway/
COPY gateway/src gateway/src/
COPY processors/pom.xml processors/
COPY processors/src processors/src/
COPY scheduler/pom.xml scheduler/
COPY scheduler/src scheduler/src/
COPY app/pom.xml app/
COPY app/src app/src/

# The cache mount keeps the local Maven repository between builds.
RUN --mount=type=cache,target=/root/.m2 \
    mvn -B -DskipTests package

# ---- runtime ---------------------------------------------------------------
FROM eclipse-temurin:17-jre

# Fixed numeric ids so Kubernetes can verify runAsNonRoot (k8s/ uses 10001).
RUN groupadd --system --gid 10001 hookyard \
 && useradd --system --uid 10001 --gid hookyard \
      --home-dir /var/lib/hookyard --no-create-home \
      --shell /usr/sbin/nologin hookyard \
 && mkdir -p /app /var/lib/hookyard \
 && chown hookyard:hookyard /var/lib/hookyard \
 && chmod 0750 /var/lib/hookyard

COPY --from=build /src/app/target/hookyard.jar /app/hookyard.jar

ENV HOOKYARD_DATA_DIR=/var/lib/hookyard \
    HOOKYARD_HTTP_PORT=8080

WORKDIR /var/lib/hookyard
USER 10001:10001

# 8080: webhooks, admin API, /health, /ready, /metrics. 5701: Hazelcast (clustered roles).
EXPOSE 8080 5701

# The jar's manifest carries the Add-Opens Hazelcast needs on Java 17.
ENTRYPOINT ["java","-XX:MaxRAMPercentage=75","-jar","/app/hookyard.jar"]
