package dev.hookyard.common.config;

import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/** The roles one process can play; {@code all} means every one of them. */
public enum Role {
  GATEWAY, PROCESSORS, SCHEDULER;

  public static Set<Role> parse(List<String> names) {
    if (names.isEmpty()) {
      return EnumSet.allOf(Role.class);
    }
    EnumSet<Role> roles = EnumSet.noneOf(Role.class);
    for (String name : names) {
      String n = name.toLowerCase(Locale.ROOT);
      if (n.equals("all")) {
        return EnumSet.allOf(Role.class);
      }
      try {
        roles.add(Role.valueOf(n.toUpperCase(Locale.ROOT)));
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException("unknown role '" + name + "' in HOOKYARD_ROLES (gateway, processors, scheduler, all)");
      }
    }
    return roles;
  }
}
