# syntax=docker/dockerfile:1
#
# hookyard container image, built from the jar `mvn package` made beforehand: no Maven
# and no network inside the build.
#
#   mvn -B -DskipTests package
#   docker build -t hookyard:latest .
#
# Single process, every role, embedded PostgreSQL kept in a named volume:
#
#   docker run -p 8080:8080 -v hookyard-data:/var/lib/hookyard hookyard:latest
#
# In Kubernetes (k8s/) every process gets HOOKYARD_DB_URL from a Secret and the
# data directory is scratch space only.
FROM eclipse-temurin:17-jre

# Fixed numeric ids so Kubernetes can verify runAsNonRoot (k8s/ uses 10001).
RUN groupadd --system --gid 10001 hookyard \
 && useradd --system --uid 10001 --gid hookyard \
      --home-dir /var/lib/hookyard --no-create-home \
      --shell /usr/sbin/nologin hookyard \
 && mkdir -p /app /var/lib/hookyard \
 && chown hookyard:hookyard /var/lib/hookyard \
 && chmod 0750 /var/lib/hookyard

# The app module's shaded jar (finalName hookyard); .dockerignore sends nothing else.
COPY app/target/hookyard.jar /app/hookyard.jar

ENV HOOKYARD_DATA_DIR=/var/lib/hookyard \
    HOOKYARD_HTTP_PORT=8080

WORKDIR /var/lib/hookyard
USER 10001:10001

# 8080: webhooks, admin API, /health, /ready, /metrics. 5701: Hazelcast and 5710: the
# event bus, both only between the processes of a cluster (k8s/ pins the event bus there).
EXPOSE 8080 5701 5710

# The heap follows the container's memory limit: 75 % of it, the rest is metaspace,
# threads, direct buffers and the embedding model's native memory. The jar's manifest
# carries the Add-Opens Hazelcast needs on Java 17.
ENTRYPOINT ["java", "-XX:MaxRAMPercentage=75", "-jar", "/app/hookyard.jar"]
