package dev.hookyard.app;

import dev.hookyard.app.send.SendCommand;
import dev.hookyard.common.config.HookyardConfig;
import dev.hookyard.common.config.Role;
import dev.hookyard.common.config.StartupRefusal;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.BindException;
import java.util.Arrays;

/**
 * {@code java -jar hookyard.jar}: starts the configured roles and drains them on SIGTERM.
 * {@code java -jar hookyard.jar send …} signs and posts payload files to a hookyard.
 */
public final class Main {

  static {
    // Before the first logger: logback picks its appender from this when it configures itself.
    LogFormat.choose(System.getenv(), System.err);
  }

  private static final Logger log = LoggerFactory.getLogger(Main.class);

  public static void main(String[] args) {
    if (args.length > 0 && args[0].equals("send")) {
      System.exit(SendCommand.run(Arrays.copyOfRange(args, 1, args.length), System.getenv(), System.out, System.err,
        System.console() != null));
    }
    long started = System.nanoTime();
    HookyardConfig config = HookyardConfig.fromEnvironment();
    Hookyard hookyard;
    try {
      LogFormat.roles(Role.parse(config.list(HookyardConfig.ROLES)));
      hookyard = Hookyard.start(config);
    } catch (Exception e) {
      String refusal = refusal(e, config);
      if (refusal != null) {
        log.error("hookyard did not start: {}", refusal);
      } else {
        log.error("hookyard did not start: {}", e.getMessage(), e);
      }
      System.exit(1);
      return;
    }
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      log.info("Shutting down: draining in-flight work");
      hookyard.close();
      log.info("hookyard stopped");
    }, "hookyard-shutdown"));
    log.info("hookyard ready in {} ms: roles {}, HTTP port {}, {} database",
      (System.nanoTime() - started) / 1_000_000, hookyard.roles(),
      config.integer(HookyardConfig.HTTP_PORT, HookyardConfig.DEFAULT_HTTP_PORT), hookyard.embeddedDatabase() ? "embedded" : "external");
  }

  /**
   * The one line for a start-up refused for a reason the operator can fix (a data dir in
   * use, a port taken, a bad setting), or null for anything else, which is logged with
   * its stack trace since it is a bug or an outage.
   */
  static String refusal(Throwable e, HookyardConfig config) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof StartupRefusal) {
        return t.getMessage();
      }
      if (t instanceof BindException) {
        return "HTTP port " + config.string(HookyardConfig.HTTP_PORT, String.valueOf(HookyardConfig.DEFAULT_HTTP_PORT))
          + " is already in use (" + t.getMessage() + "); stop the process listening there, or set "
          + HookyardConfig.HTTP_PORT + " to another port";
      }
      if (t instanceof IllegalArgumentException && t.getMessage() != null && t.getMessage().contains("HOOKYARD_")) {
        return t.getMessage();
      }
    }
    return null;
  }

  private Main() {
  }
}
