package dev.hookyard.common.config;

/**
 * A start-up hookyard refuses for a reason an operator can fix (a data dir in use, a
 * port taken, a credentials file others may read): its message says what and how, and
 * it is printed as that one line, without a stack trace.
 */
public class StartupRefusal extends IllegalStateException {

  public StartupRefusal(String message) {
    super(message);
  }
}
