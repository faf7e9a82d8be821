package dev.hookyard.app.send;

import java.io.PrintStream;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Shows how far a send is: on a terminal one line redrawn in place (a bar and the counts
 * so far), elsewhere (a CI log, a file) a plain line every few seconds.
 */
final class Progress implements AutoCloseable {

  private static final int WIDTH = 30;

  private final Tally tally;
  private final PrintStream err;
  private final boolean terminal;
  private final ScheduledExecutorService ticks;

  Progress(Tally tally, PrintStream err, boolean terminal) {
    this.tally = tally;
    this.err = err;
    this.terminal = terminal;
    this.ticks = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "hookyard-send-progress");
      t.setDaemon(true);
      return t;
    });
    long every = terminal ? 100 : 2000;
    ticks.scheduleAtFixedRate(this::show, every, every, TimeUnit.MILLISECONDS);
  }

  private synchronized void show() {
    int done = tally.done();
    int total = tally.expected();
    StringBuilder line = new StringBuilder();
    if (terminal) {
      int filled = total == 0 ? WIDTH : (int) ((long) done * WIDTH / total);
      line.append('\r').append('[').append("#".repeat(filled)).append(".".repeat(WIDTH - filled)).append("] ");
    }
    line.append(done).append('/').append(total);
    for (Map.Entry<String, Long> e : tally.byStatus().entrySet()) {
      line.append("  ").append(e.getKey()).append(':').append(e.getValue());
    }
    if (terminal) {
      err.print(line);
    } else {
      err.println(line);
    }
    err.flush();
  }

  @Override
  public void close() {
    ticks.shutdownNow();
    try {
      ticks.awaitTermination(1, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    if (terminal) {
      // The last state stays on screen, and the summary starts on a line of its own.
      show();
      err.println();
    }
  }
}
