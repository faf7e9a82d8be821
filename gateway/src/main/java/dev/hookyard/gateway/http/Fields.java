package dev.hookyard.gateway.http;

import java.util.regex.Pattern;

/** Shapes of the values admin requests carry, checked by {@link JsonRequest}. */
public final class Fields {

  public static final Pattern SLUG = Pattern.compile("[a-z0-9][a-z0-9-]{0,62}");
  public static final Pattern PREFIX = Pattern.compile("[A-Z][A-Z0-9]{0,9}");
  public static final Pattern NAME = Pattern.compile("\\S.{0,199}", Pattern.DOTALL);
  public static final Pattern FULL_NAME = Pattern.compile("[A-Za-z0-9_.-]{1,100}/[A-Za-z0-9_.-]{1,100}");
  public static final Pattern BRANCH = Pattern.compile("[^\\s~^:?*\\[\\\\]{1,255}");

  private Fields() {
  }
}
