package dev.hookyard.processors.github;

import io.vertx.core.Future;
import io.vertx.sqlclient.SqlClient;
import io.vertx.sqlclient.Tuple;

import java.lang.reflect.Array;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.function.Predicate;
import java.util.function.ToLongFunction;

/**
 * How a batch of facts keyed by row becomes a few set-based upserts. An upsert may
 * change a row once per statement, and two events of one pull request must apply one
 * after the other, each judged against what the one before left. So the facts go in
 * rounds: round {@code r} holds the {@code r}-th fact of each row in claim order, and a
 * round's statement runs after the previous one's. A round's facts are sorted by key,
 * so concurrent batches lock their rows in one order; every row of a later round was
 * locked by the first (an upsert locks the row it conflicts with, applied or not), so
 * the order holds across rounds too. A round split in two (see {@link #rounds}) is the
 * rare exception: if that ends in a deadlock, the batch fails and runs job by job.
 */
final class FactRounds {

  private FactRounds() {
  }

  /**
   * The indexes of {@code facts} in rounds, each round sorted by key; facts that
   * {@code apart} tells apart (a reprocess and a live event) also go to separate
   * statements of their round.
   */
  static <F> List<List<Integer>> rounds(List<F> facts, ToLongFunction<F> key, Function<F, Object> apart) {
    Map<Long, Integer> seen = new HashMap<>();
    List<Map<Object, List<Integer>>> rounds = new ArrayList<>();
    for (int i = 0; i < facts.size(); i++) {
      F fact = facts.get(i);
      int round = seen.merge(key.applyAsLong(fact), 1, Integer::sum) - 1;
      if (round == rounds.size()) {
        rounds.add(new LinkedHashMap<>());
      }
      rounds.get(round).computeIfAbsent(apart.apply(fact), a -> new ArrayList<>()).add(i);
    }
    List<List<Integer>> statements = new ArrayList<>();
    for (Map<Object, List<Integer>> round : rounds) {
      for (List<Integer> statement : round.values()) {
        statement.sort(Comparator.comparingLong(i -> key.applyAsLong(facts.get(i))));
        statements.add(statement);
      }
    }
    return statements;
  }

  /**
   * Upserts {@code facts} with {@code sql}, one statement per round: the statement takes
   * the rows' columns ({@code row}, as arrays of {@code types}), then {@code fixed}, then
   * whether they are a reprocess, and returns the key of each row it applied. Answers,
   * per fact, whether it was applied.
   */
  static <F> Future<boolean[]> upsert(SqlClient conn, String sql, Class<?>[] types, Object[] fixed,
                                      List<TrackedFacts.Fact<F>> facts, ToLongFunction<F> key, Predicate<F> reprocess,
                                      Function<TrackedFacts.Fact<F>, Tuple> row) {
    boolean[] applied = new boolean[facts.size()];
    Future<Void> upserted = Future.succeededFuture();
    ToLongFunction<TrackedFacts.Fact<F>> keyOf = f -> key.applyAsLong(f.fact());
    for (List<Integer> statement : rounds(facts, keyOf, f -> reprocess.test(f.fact()))) {
      upserted = upserted.compose(v -> {
        Object[] after = Arrays.copyOf(fixed, fixed.length + 1);
        after[fixed.length] = reprocess.test(facts.get(statement.get(0)).fact());
        List<Tuple> rows = statement.stream().map(i -> row.apply(facts.get(i))).toList();
        return conn.preparedQuery(sql).execute(columns(rows, types, after)).map(returned -> {
          Set<Long> keys = new HashSet<>();
          returned.forEach(r -> keys.add(r.getLong(0)));
          statement.forEach(i -> applied[i] = keys.contains(keyOf.applyAsLong(facts.get(i))));
          return null;
        });
      });
    }
    return upserted.map(applied);
  }

  /**
   * The rows as one array per column, for {@code unnest($1::bigint[], …)}: column
   * {@code c} of every row into an array of {@code types[c]} (Long, Integer, String,
   * Boolean, OffsetDateTime), then {@code extra} values as they are.
   */
  static Tuple columns(List<Tuple> rows, Class<?>[] types, Object... extra) {
    Tuple columns = Tuple.tuple();
    for (int c = 0; c < types.length; c++) {
      Object array = Array.newInstance(types[c], rows.size());
      for (int r = 0; r < rows.size(); r++) {
        Array.set(array, r, rows.get(r).getValue(c));
      }
      columns.addValue(array);
    }
    for (Object value : extra) {
      columns.addValue(value);
    }
    return columns;
  }
}
