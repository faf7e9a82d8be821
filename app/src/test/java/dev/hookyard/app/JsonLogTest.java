package dev.hookyard.app;

import dev.hookyard.common.testing.Eventually;
import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.encoder.PatternLayoutEncoder;
import ch.qos.logback.classic.joran.JoranConfigurator;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.Appender;
import ch.qos.logback.core.OutputStreamAppender;
import ch.qos.logback.core.encoder.Encoder;
import dev.hookyard.common.config.Role;
import dev.hookyard.common.logging.LogContext;
import dev.hookyard.common.testing.TestDatabase;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.WebClient;
import net.logstash.logback.encoder.LogstashEncoder;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

class JsonLogTest {

  /** The delivery id a line's own text names ("Delivery <id> …", "Job 7 (queue delivery <id>) …"). */
  private static final Pattern NAMED = Pattern.compile("[Dd]elivery ([A-Za-z0-9._:-]+)");

  @Test
  @DisplayName("One delivery can be followed through the JSON log: ingest, job and processor lines all carry its delivery_id")
  void oneDeliveryPath() throws Exception {
    LoggerContext context = (LoggerContext) LoggerFactory.getILoggerFactory();
    Logger root = context.getLogger(Logger.ROOT_LOGGER_NAME);
    Logger ours = context.getLogger("dev.hookyard");
    Level levelBefore = ours.getLevel();
    ByteArrayOutputStream captured = new ByteArrayOutputStream();
    OutputStreamAppender<ILoggingEvent> appender = new OutputStreamAppender<>();
    appender.setContext(context);
    appender.setName("json-capture");
    appender.setEncoder(jsonEncoder(context));
    appender.setOutputStream(captured);
    appender.start();
    root.addAppender(appender);
    // The per-delivery lines are DEBUG: at INFO a busy gateway would write one per request.
    ours.setLevel(Level.DEBUG);
    LogFormat.roles(EnumSet.of(Role.GATEWAY, Role.PROCESSORS));
    try {
      Map<String, String> env = TestHookyard.config(TestDatabase.fresh());
      try (Hookyard hookyard = TestHookyard.start(env)) {
        WebClient client = TestHookyard.client(hookyard, env);
        byte[] push = "{\"ref\":\"refs/heads/main\",\"after\":\"6113728f27ae82c7b1a177c8d03f9e96e0adf246\",\"repository\":{\"id\":1,\"full_name\":\"acme/api\"}}"
          .getBytes(StandardCharsets.UTF_8);
        byte[] issue = "{\"action\":\"opened\",\"issue\":{\"number\":1},\"repository\":{\"id\":2,\"full_name\":\"acme/web\"}}"
          .getBytes(StandardCharsets.UTF_8);
        assertThat(TestHookyard.deliver(client, "push", "log-path-push", push).statusCode()).isEqualTo(202);
        assertThat(TestHookyard.deliver(client, "issues", "log-path-issue", issue).statusCode()).isEqualTo(202);

        List<JsonObject> pushLines = awaitJobLine(captured, "log-path-push");
        List<JsonObject> issueLines = awaitJobLine(captured, "log-path-issue");

        for (List<JsonObject> path : List.of(pushLines, issueLines)) {
          assertThat(path).extracting(l -> l.getString("logger_name")).contains(
            "dev.hookyard.gateway.ingest.Acknowledgement",
            "dev.hookyard.common.queue.JobWorker",
            "dev.hookyard.processors.github.WebhookEventHandler");
          assertThat(path).allSatisfy(l -> assertThat(l.getString("role")).isEqualTo("gateway,processors"));
          // Lines of the job side also name the job and its queue.
          assertThat(path).filteredOn(l -> !l.getString("logger_name").endsWith("Acknowledgement"))
            .allSatisfy(l -> assertThat(l.getString(LogContext.JOB_ID)).isNotBlank())
            .allSatisfy(l -> assertThat(l.getString(LogContext.QUEUE)).startsWith("webhook."));
        }
        assertThat(pushLines).allSatisfy(l -> assertThat(l.getString(LogContext.EVENT)).isEqualTo("push"));
        assertThat(issueLines).allSatisfy(l -> assertThat(l.getString(LogContext.EVENT)).isEqualTo("issues"));

        // No field leaks from one delivery onto another's lines, nor onto lines of no delivery.
        for (JsonObject line : lines(captured)) {
          Matcher named = NAMED.matcher(line.getString("message"));
          if (named.find()) {
            assertThat(line.getString(LogContext.DELIVERY_ID)).as(line.encode()).isEqualTo(named.group(1));
          } else if (line.getString("message").startsWith("Database schema") || line.getString("message").startsWith("Deploying")) {
            assertThat(line.containsKey(LogContext.DELIVERY_ID)).as(line.encode()).isFalse();
          }
        }
      }
    } finally {
      root.detachAppender(appender);
      appender.stop();
      ours.setLevel(levelBefore);
      context.putProperty(LogContext.ROLE, "all");
    }
  }

  @Test
  @DisplayName("HOOKYARD_LOG_FORMAT picks the JSON encoder in logback.xml, text stays the default, and unknown values fall back to text")
  void formatSelection() throws Exception {
    assertThat(consoleEncoder(null)).isInstanceOf(PatternLayoutEncoder.class);
    assertThat(consoleEncoder("text")).isInstanceOf(PatternLayoutEncoder.class);
    assertThat(consoleEncoder("json")).isInstanceOf(LogstashEncoder.class);

    String before = System.getProperty(LogFormat.ENV);
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    try {
      assertThat(LogFormat.choose(Map.of(LogFormat.ENV, " JSON "), new PrintStream(err, true, StandardCharsets.UTF_8)))
        .isEqualTo("json");
      assertThat(System.getProperty(LogFormat.ENV)).isEqualTo("json");
      assertThat(LogFormat.choose(Map.of(LogFormat.ENV, "xml"), new PrintStream(err, true, StandardCharsets.UTF_8)))
        .isEqualTo("text");
      assertThat(err.toString(StandardCharsets.UTF_8)).contains("neither text nor json");
      assertThat(LogFormat.choose(Map.of(), new PrintStream(err, true, StandardCharsets.UTF_8))).isEqualTo("text");
    } finally {
      if (before == null) {
        System.clearProperty(LogFormat.ENV);
      } else {
        System.setProperty(LogFormat.ENV, before);
      }
    }
  }

  /** Configures a throwaway logger context from the shipped logback.xml and returns its console encoder. */
  private static Encoder<ILoggingEvent> consoleEncoder(String format) throws Exception {
    LoggerContext context = new LoggerContext();
    if (format != null) {
      context.putProperty(LogFormat.ENV, format);
    }
    JoranConfigurator configurator = new JoranConfigurator();
    configurator.setContext(context);
    configurator.doConfigure(JsonLogTest.class.getClassLoader().getResource("logback.xml"));
    Appender<ILoggingEvent> console = context.getLogger(Logger.ROOT_LOGGER_NAME).getAppender("console");
    assertThat(console).as("console appender for " + format).isInstanceOf(OutputStreamAppender.class);
    Encoder<ILoggingEvent> encoder = ((OutputStreamAppender<ILoggingEvent>) console).getEncoder();
    context.stop();
    return encoder;
  }

  /** The encoder hookyard/logback-json.xml declares, set up the same way. */
  private static LogstashEncoder jsonEncoder(LoggerContext context) {
    LogstashEncoder encoder = new LogstashEncoder();
    encoder.setContext(context);
    encoder.getFieldNames().setVersion("[ignore]");
    encoder.getFieldNames().setLevelValue("[ignore]");
    encoder.start();
    return encoder;
  }

  /** Waits for the job's line of a delivery, then returns every line carrying its delivery_id. */
  private static List<JsonObject> awaitJobLine(ByteArrayOutputStream captured, String deliveryId) throws Exception {
    return Eventually.until(Duration.ofSeconds(20), "the job's line of " + deliveryId,
      () -> lines(captured).stream().filter(l -> deliveryId.equals(l.getString(LogContext.DELIVERY_ID))).toList(),
      path -> path.stream().anyMatch(l -> l.getString("logger_name").endsWith("JobWorker")));
  }

  private static List<JsonObject> lines(ByteArrayOutputStream captured) {
    List<JsonObject> lines = new ArrayList<>();
    for (String line : captured.toString(StandardCharsets.UTF_8).split("\n")) {
      if (!line.isBlank()) {
        lines.add(new JsonObject(line));
      }
    }
    return lines;
  }
}
