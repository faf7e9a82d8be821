package dev.hookyard.app;

import ch.qos.logback.classic.LoggerContext;
import dev.hookyard.common.config.Role;
import dev.hookyard.common.logging.LogContext;
import org.slf4j.LoggerFactory;

import java.io.PrintStream;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * {@code HOOKYARD_LOG_FORMAT}: {@code text} (the default, for a terminal) or {@code json}
 * (one object per line, for a cluster's log store). {@code logback.xml} names its
 * appender after the value, so it must be a known one before logback reads it.
 */
final class LogFormat {

  static final String ENV = "HOOKYARD_LOG_FORMAT";
  static final String TEXT = "text";
  static final String JSON = "json";

  /**
   * Sets the system property logback's {@code ${HOOKYARD_LOG_FORMAT}} reads before the
   * environment: an unknown or differently cased value would otherwise name no appender,
   * and the process would log nothing at all.
   */
  static String choose(Map<String, String> env, PrintStream err) {
    String given = env.get(ENV);
    String format = given == null || given.isBlank() ? TEXT : given.trim().toLowerCase(Locale.ROOT);
    if (!format.equals(TEXT) && !format.equals(JSON)) {
      // Logging is not set up yet: this is the one place stderr is the right channel.
      err.println("hookyard: " + ENV + "=" + given + " is neither text nor json; logging as text");
      format = TEXT;
    }
    System.setProperty(ENV, format);
    return format;
  }

  /** Names the process's roles on every JSON line (a context property, so every thread has it). */
  static void roles(Set<Role> roles) {
    if (LoggerFactory.getILoggerFactory() instanceof LoggerContext context) {
      context.putProperty(LogContext.ROLE, roles.size() == Role.values().length ? "all"
        : roles.stream().map(r -> r.name().toLowerCase(Locale.ROOT)).collect(Collectors.joining(",")));
    }
  }

  private LogFormat() {
  }
}
