package dev.hookyard.gateway.ingest;

import io.netty.handler.ipfilter.IpFilterRuleType;
import io.netty.handler.ipfilter.IpSubnetFilterRule;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.ext.web.RoutingContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;
import java.util.regex.Pattern;

/**
 * {@code HOOKYARD_GITHUB_ALLOWED_CIDRS}: only deliveries from these networks are read;
 * others get {@code 403} before a byte of their body is. The list is fixed, or GitHub's
 * published hook ranges ({@code meta}), fetched at start and every hour, the last good
 * list kept when a refresh fails. Behind a proxy the client address comes from
 * {@code X-Forwarded-For}, believed only from {@code HOOKYARD_TRUSTED_PROXIES}.
 */
final class SourceAllowList implements Handler<RoutingContext> {

  private static final Logger log = LoggerFactory.getLogger(SourceAllowList.class);
  private static final Pattern IP_LITERAL = Pattern.compile("[0-9a-fA-F:.]+");

  private final List<IpSubnetFilterRule> trustedProxies;
  private volatile List<IpSubnetFilterRule> allowed;

  private SourceAllowList(List<IpSubnetFilterRule> allowed, List<IpSubnetFilterRule> trustedProxies) {
    this.allowed = allowed;
    this.trustedProxies = trustedProxies;
  }

  /** A fixed list. */
  static SourceAllowList of(List<String> cidrs, List<String> trustedProxies) {
    return new SourceAllowList(rules(cidrs), rules(trustedProxies));
  }

  /**
   * GitHub's hook ranges from {@code ranges}, loaded now and refreshed every
   * {@code refreshMs}; until a first list arrives every delivery is answered 503.
   */
  static Future<SourceAllowList> published(Vertx vertx, Supplier<Future<List<String>>> ranges, List<String> trustedProxies,
                                           long refreshMs) {
    SourceAllowList list = new SourceAllowList(null, rules(trustedProxies));
    vertx.setPeriodic(refreshMs, refreshMs, t -> list.load(ranges));
    return list.load(ranges).map(list).recover(err -> {
      // Start anyway: deliveries are refused with 503 (GitHub shows them failed; the
      // reconciler asks for them again) until a refresh succeeds.
      vertx.setTimer(60_000, t -> list.load(ranges));
      return Future.succeededFuture(list);
    });
  }

  private Future<Void> load(Supplier<Future<List<String>>> ranges) {
    return ranges.get().map(cidrs -> {
      List<IpSubnetFilterRule> rules = rules(cidrs);
      if (rules.isEmpty()) {
        throw new IllegalStateException("GitHub's meta lists no hook ranges");
      }
      allowed = rules;
      log.info("Accepting GitHub deliveries from {} published hook range(s)", rules.size());
      return (Void) null;
    }).onFailure(err -> log.warn("GitHub hook ranges not refreshed ({}); {}", err.getMessage(),
      allowed == null ? "refusing deliveries until they load" : "keeping the last list"));
  }

  @Override
  public void handle(RoutingContext ctx) {
    List<IpSubnetFilterRule> rules = allowed;
    if (rules == null) {
      ctx.response().putHeader("Retry-After", "60");
      Refusals.refuseEarly(ctx, 503, "unavailable", "the allowed source ranges are not loaded yet");
      return;
    }
    InetAddress source = client(ctx);
    if (source != null && matches(rules, source)) {
      ctx.next();
    } else {
      Refusals.refuseEarly(ctx, 403, "forbidden_source", "deliveries are accepted only from the allowed networks");
    }
  }

  /** The client: the peer, or — when the peer is a trusted proxy — the nearest untrusted X-Forwarded-For hop. */
  private InetAddress client(RoutingContext ctx) {
    InetAddress peer = literal(ctx.request().remoteAddress() == null ? null : ctx.request().remoteAddress().hostAddress());
    if (peer == null || trustedProxies.isEmpty() || !matches(trustedProxies, peer)) {
      return peer;
    }
    String forwarded = ctx.request().getHeader("X-Forwarded-For");
    if (forwarded == null) {
      return peer;
    }
    String[] hops = forwarded.split(",");
    for (int i = hops.length - 1; i >= 0; i--) {
      InetAddress hop = literal(hops[i].trim());
      if (hop == null) {
        return null;
      }
      if (!matches(trustedProxies, hop)) {
        return hop;
      }
    }
    return peer;
  }

  private static boolean matches(List<IpSubnetFilterRule> rules, InetAddress address) {
    InetSocketAddress socket = new InetSocketAddress(address, 0);
    for (IpSubnetFilterRule rule : rules) {
      if (rule.matches(socket)) {
        return true;
      }
    }
    return false;
  }

  /** Parses CIDRs ({@code 192.30.252.0/22}, {@code 2a0a:a440::/29}, or a bare address). */
  static List<IpSubnetFilterRule> rules(List<String> cidrs) {
    List<IpSubnetFilterRule> out = new ArrayList<>();
    for (String cidr : cidrs) {
      String c = cidr.trim();
      int slash = c.indexOf('/');
      InetAddress address = literal(slash < 0 ? c : c.substring(0, slash));
      if (address == null) {
        throw new IllegalArgumentException("not a CIDR: '" + cidr + "'");
      }
      int bits = address.getAddress().length * 8;
      int prefix;
      try {
        prefix = slash < 0 ? bits : Integer.parseInt(c.substring(slash + 1));
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException("not a CIDR: '" + cidr + "'");
      }
      if (prefix < 0 || prefix > bits) {
        throw new IllegalArgumentException("not a CIDR: '" + cidr + "'");
      }
      out.add(new IpSubnetFilterRule(address, prefix, IpFilterRuleType.ACCEPT));
    }
    return out;
  }

  /** An IP literal, never a name to resolve. */
  private static InetAddress literal(String s) {
    if (s == null || s.isEmpty() || !IP_LITERAL.matcher(s).matches()) {
      return null;
    }
    try {
      return InetAddress.getByName(s);
    } catch (UnknownHostException e) {
      return null;
    }
  }
}
