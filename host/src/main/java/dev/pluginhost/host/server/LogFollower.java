package dev.pluginhost.host.server;

import com.google.common.util.concurrent.MoreExecutors;
import dev.pluginhost.host.OutputLine;
import dev.pluginhost.host.PluginHandle;
import dev.pluginhost.host.Registration;
import dev.pluginhost.proto.admin.v1.LogLine;
import io.grpc.stub.ServerCallStreamObserver;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * One {@code logs -f} stream: a plugin's recent lines, then every new one, until the caller
 * cancels or the server stops. A caller that reads slower than the plugin writes never grows the
 * server's memory: lines that find its stream full are counted, and the count rides on the next
 * line that gets through.
 */
final class LogFollower {
  private final ServerCallStreamObserver<LogLine> stream;
  private final List<OutputLine> early = new ArrayList<>();
  private boolean caughtUp;
  private long dropped;
  private boolean ended;
  private Registration registration;

  LogFollower(ServerCallStreamObserver<LogLine> stream) {
    this.stream = stream;
  }

  /** Sends the last {@code recent} lines of {@code plugin}'s output, then follows it. */
  void follow(PluginHandle plugin, int recent) {
    stream.setOnCancelHandler(this::end);
    // Watch first, then read what is kept: a line in both is sent once.
    Registration watching = plugin.watchOutput(this::onLine, MoreExecutors.directExecutor());
    synchronized (this) {
      registration = watching;
      if (ended) {
        watching.close();
        return;
      }
      List<OutputLine> kept = plugin.recentOutput(recent);
      Set<OutputLine> sent = new HashSet<>(kept);
      kept.forEach(this::send);
      early.stream().filter(line -> !sent.contains(line)).forEach(this::send);
      early.clear();
      caughtUp = true;
    }
  }

  private synchronized void onLine(OutputLine line) {
    if (ended) {
      return;
    }
    if (!caughtUp) {
      early.add(line);
      return;
    }
    send(line);
  }

  private void send(OutputLine line) {
    if (!stream.isReady()) {
      dropped += line.isDropNotice() ? line.dropped() : 1;
      return;
    }
    try {
      stream.onNext(AdminProtos.logLine(line, dropped));
      dropped = 0;
    } catch (RuntimeException cancelled) {
      end();
    }
  }

  private synchronized void end() {
    ended = true;
    if (registration != null) {
      registration.close();
    }
  }
}
