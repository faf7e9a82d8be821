package dev.hookyard.gateway;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import dev.hookyard.common.logging.LogContext;
import dev.hookyard.common.testing.TcpProxy;
import dev.hookyard.common.testing.TestDatabase;
import dev.hookyard.gateway.http.ApiErrors;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.junit5.VertxExtension;
import io.vertx.pgclient.PgConnectOptions;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.slf4j.LoggerFactory;

import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/** How a failed admin request is answered: by what failed, judged by the exception's type. */
@ExtendWith(VertxExtension.class)
class ApiErrorsTest {

  private final ListAppender<ILoggingEvent> lines = new ListAppender<>();
  private final Logger logger = (Logger) LoggerFactory.getLogger(ApiErrors.class);

  @BeforeEach
  void capture() {
    lines.start();
    logger.addAppender(lines);
  }

  @AfterEach
  void release() {
    logger.detachAppender(lines);
  }

  @Test
  @DisplayName("The database unreachable: an admin read answers 503 unavailable with Retry-After")
  void unreachableIs503(Vertx vertx) throws Exception {
    PgConnectOptions db = TestDatabase.fresh();
    TcpProxy proxy = new TcpProxy(vertx, db.getHost(), db.getPort());
    GatewayFixture gw = GatewayFixture.behind(proxy, vertx, Map.of(), db);
    assertThat(gw.admin(HttpMethod.GET, "/api/v1/jobs/stats").statusCode()).isEqualTo(200);

    proxy.cut();
    HttpResponse<Buffer> res = gw.admin(HttpMethod.GET, "/api/v1/jobs/stats");
    assertThat(res.statusCode()).isEqualTo(503);
    assertThat(res.getHeader("Retry-After")).isNotBlank();
    assertThat(res.bodyAsJsonObject().getString("error")).isEqualTo("unavailable");
    assertThat(lines.list).noneMatch(e -> e.getLevel() == ch.qos.logback.classic.Level.ERROR);
  }

  @Test
  @DisplayName("A fault inside hookyard (a statement PostgreSQL cannot run): 500 internal, logged once with its stack, request id and delivery id")
  void bugIs500(Vertx vertx) throws Exception {
    GatewayFixture gw = GatewayFixture.start(vertx, Map.of());
    assertThat(gw.deliver("push", "guid-bug", "{\"ref\":\"refs/heads/main\"}").statusCode()).isEqualTo(202);
    // The delivery read's statement now names a table that is not there (SQL state 42P01): no retry will help.
    gw.pool.query("ALTER TABLE deliveries RENAME TO deliveries_elsewhere").execute().await(10, TimeUnit.SECONDS);

    HttpResponse<Buffer> res = gw.admin(HttpMethod.GET, "/api/v1/deliveries/guid-bug");
    assertThat(res.statusCode()).isEqualTo(500);
    assertThat(res.getHeader("Retry-After")).isNull();
    JsonObject body = res.bodyAsJsonObject();
    assertThat(body.fieldNames()).containsExactlyInAnyOrder("error", "message");
    assertThat(body.getString("error")).isEqualTo("internal");

    List<ILoggingEvent> errors = lines.list.stream().filter(e -> e.getLevel() == ch.qos.logback.classic.Level.ERROR).toList();
    assertThat(errors).hasSize(1);
    ILoggingEvent line = errors.get(0);
    assertThat(line.getThrowableProxy()).as("the exception, with what stack it has").isNotNull();
    assertThat(line.getThrowableProxy().getClassName()).isEqualTo(io.vertx.pgclient.PgException.class.getName());
    String requestId = line.getMDCPropertyMap().get(LogContext.REQUEST_ID);
    assertThat(requestId).isNotBlank();
    assertThat(body.getString("message")).contains(requestId);
    assertThat(line.getMDCPropertyMap()).containsEntry(LogContext.DELIVERY_ID, "guid-bug");
  }

  @Test
  @DisplayName("A malformed percent-escape in an admin query answers 400 bad_request, not a 500 from decoding it")
  void malformedQueryIs400(Vertx vertx) throws Exception {
    GatewayFixture gw = GatewayFixture.start(vertx, Map.of());
    for (String uri : List.of("/webhooks/github/events?cursor=%%%", "/api/v1/jobs/dead?limit=%zz", "/api/v1/users?q=%")) {
      HttpResponse<Buffer> res = gw.admin(HttpMethod.GET, uri);
      assertThat(res.statusCode()).as(uri).isEqualTo(400);
      JsonObject body = res.bodyAsJsonObject();
      assertThat(body.fieldNames()).as(uri).containsExactlyInAnyOrder("error", "message");
      assertThat(body.getString("error")).as(uri).isEqualTo("bad_request");
    }
    assertThat(lines.list).noneMatch(e -> e.getLevel() == ch.qos.logback.classic.Level.ERROR);
  }
}
