package dev.pluginhost.host.server;

import com.google.common.util.concurrent.FutureCallback;
import com.google.common.util.concurrent.Futures;
import com.google.common.util.concurrent.ListenableFuture;
import com.google.common.util.concurrent.MoreExecutors;
import com.google.protobuf.ByteString;
import dev.pluginhost.host.PluginCallException;
import dev.pluginhost.host.PluginChangeException;
import dev.pluginhost.proto.admin.v1.InstallPluginRequest;
import dev.pluginhost.proto.admin.v1.RemovePluginResponse;
import dev.pluginhost.proto.admin.v1.UpgradePluginRequest;
import dev.pluginhost.host.PluginHandle;
import dev.pluginhost.host.PluginHost;
import dev.pluginhost.proto.admin.v1.GetMetricsRequest;
import dev.pluginhost.proto.admin.v1.GetMetricsResponse;
import dev.pluginhost.proto.admin.v1.InvokeRequest;
import dev.pluginhost.proto.admin.v1.LogLine;
import dev.pluginhost.proto.admin.v1.TailLogsRequest;
import dev.pluginhost.proto.admin.v1.InvokeResponse;
import dev.pluginhost.proto.admin.v1.LifecycleRequest;
import dev.pluginhost.proto.admin.v1.ListPluginsRequest;
import dev.pluginhost.proto.admin.v1.ListPluginsResponse;
import dev.pluginhost.proto.admin.v1.PluginAdminGrpc;
import dev.pluginhost.proto.admin.v1.PluginEvent;
import dev.pluginhost.proto.admin.v1.PluginRef;
import dev.pluginhost.proto.admin.v1.PluginStatus;
import dev.pluginhost.proto.admin.v1.WatchEventsRequest;
import io.grpc.Context;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The admin API over one {@link PluginHost}: what the {@code pluginhost} CLI calls. Every answer
 * reflects the host at that moment; lifecycle calls with {@code wait} answer once the change is
 * complete, or with DEADLINE_EXCEEDED when the caller's deadline comes first (the change goes on).
 */
final class AdminService extends PluginAdminGrpc.PluginAdminImplBase {
  private static final Logger log = LoggerFactory.getLogger(AdminService.class);
  private static final Duration DEFAULT_INVOKE_TIMEOUT = Duration.ofSeconds(30);

  private final PluginHost host;
  private final EnabledPlugins enabled;
  private final EventHub events;

  private final PluginJars jars;

  AdminService(PluginHost host, EnabledPlugins enabled, EventHub events, PluginJars jars) {
    this.host = host;
    this.enabled = enabled;
    this.events = events;
    this.jars = jars;
  }

  @Override
  public void listPlugins(ListPluginsRequest request, StreamObserver<ListPluginsResponse> response) {
    ListPluginsResponse.Builder list = ListPluginsResponse.newBuilder().addAllProblems(host.problems());
    host.plugins().stream()
        .sorted(Comparator.comparing(PluginHandle::id))
        .forEach(plugin -> list.addPlugins(status(plugin)));
    response.onNext(list.build());
    response.onCompleted();
  }

  @Override
  public void getPlugin(PluginRef request, StreamObserver<PluginStatus> response) {
    answer(response, () -> status(find(request.getId())));
  }

  @Override
  public void startPlugin(LifecycleRequest request, StreamObserver<PluginStatus> response) {
    change(request, response, PluginHandle::enableAsync);
  }

  @Override
  public void stopPlugin(LifecycleRequest request, StreamObserver<PluginStatus> response) {
    change(request, response, PluginHandle::disableAsync);
  }

  @Override
  public void restartPlugin(LifecycleRequest request, StreamObserver<PluginStatus> response) {
    change(request, response, PluginHandle::restartAsync);
  }

  @Override
  public void enablePlugin(LifecycleRequest request, StreamObserver<PluginStatus> response) {
    change(request, response, plugin -> {
      enabled.set(plugin.id(), true);
      return plugin.enableAsync();
    });
  }

  @Override
  public void disablePlugin(LifecycleRequest request, StreamObserver<PluginStatus> response) {
    change(request, response, plugin -> {
      enabled.set(plugin.id(), false);
      return plugin.disableAsync();
    });
  }

  @Override
  public void watchEvents(WatchEventsRequest request, StreamObserver<PluginEvent> response) {
    if (!request.getId().isEmpty()) {
      try {
        find(request.getId());
      } catch (StatusRuntimeException e) {
        response.onError(e);
        return;
      }
    }
    ServerCallStreamObserver<PluginEvent> stream = (ServerCallStreamObserver<PluginEvent>) response;
    // Set before any message is sent, as gRPC requires; it may run before subscribe returns.
    java.util.concurrent.atomic.AtomicReference<EventHub.Subscription> subscription = new java.util.concurrent.atomic.AtomicReference<>();
    java.util.concurrent.atomic.AtomicBoolean cancelled = new java.util.concurrent.atomic.AtomicBoolean();
    stream.setOnCancelHandler(() -> {
      cancelled.set(true);
      EventHub.Subscription current = subscription.get();
      if (current != null) {
        current.close();
      }
    });
    subscription.set(events.subscribe(request.getId(), request.getRecent(), request.getFollow(), stream));
    if (cancelled.get()) {
      subscription.get().close();
    }
  }

  @Override
  public void tailLogs(TailLogsRequest request, StreamObserver<LogLine> response) {
    PluginHandle plugin;
    try {
      plugin = find(request.getId());
      if (request.getLines() < 0) {
        throw Status.INVALID_ARGUMENT.withDescription("lines must not be negative, got " + request.getLines()).asRuntimeException();
      }
    } catch (StatusRuntimeException e) {
      response.onError(e);
      return;
    }
    if (!request.getFollow()) {
      plugin.recentOutput(request.getLines()).forEach(line -> response.onNext(AdminProtos.logLine(line, 0)));
      response.onCompleted();
      return;
    }
    new LogFollower((ServerCallStreamObserver<LogLine>) response).follow(plugin, request.getLines());
  }

  @Override
  public void installPlugin(InstallPluginRequest request, StreamObserver<PluginStatus> response) {
    java.nio.file.Path kept;
    try {
      kept = jars.keep(request.getJar().toByteArray(), request.getFileName());
    } catch (PluginChangeException e) {
      response.onError(asStatus(e).asRuntimeException());
      return;
    }
    replyWhenDone(
        host.installAsync(kept),
        response,
        plugin -> {
          enabled.set(plugin.id(), true);
          return status(plugin);
        },
        () -> jars.delete(kept));
  }

  @Override
  public void upgradePlugin(UpgradePluginRequest request, StreamObserver<PluginStatus> response) {
    PluginHandle plugin;
    java.nio.file.Path kept;
    try {
      plugin = find(request.getId());
      kept = jars.keep(request.getJar().toByteArray(), request.getFileName());
    } catch (StatusRuntimeException e) {
      response.onError(e);
      return;
    } catch (PluginChangeException e) {
      response.onError(asStatus(e).asRuntimeException());
      return;
    }
    java.nio.file.Path old = host.pluginSource(plugin.id()).orElse(null);
    replyWhenDone(
        host.upgradeAsync(plugin.id(), kept),
        response,
        upgraded -> {
          if (!kept.equals(old)) {
            jars.delete(old);
          }
          return status(upgraded);
        },
        () -> jars.delete(kept));
  }

  @Override
  public void removePlugin(LifecycleRequest request, StreamObserver<RemovePluginResponse> response) {
    PluginHandle plugin;
    try {
      plugin = find(request.getId());
    } catch (StatusRuntimeException e) {
      response.onError(e);
      return;
    }
    java.nio.file.Path source = host.pluginSource(plugin.id()).orElse(null);
    replyWhenDone(
        host.removeAsync(plugin.id()),
        response,
        unused -> {
          jars.delete(source);
          enabled.set(plugin.id(), true);
          return RemovePluginResponse.newBuilder().setLast(status(plugin)).build();
        },
        () -> {});
  }

  @Override
  public void getMetrics(GetMetricsRequest request, StreamObserver<GetMetricsResponse> response) {
    answer(response, () -> GetMetricsResponse.newBuilder().setText(PrometheusMetrics.text(host.plugins())).build());
  }

  @Override
  public void invoke(InvokeRequest request, StreamObserver<InvokeResponse> response) {
    PluginHandle plugin;
    try {
      plugin = find(request.getId());
    } catch (StatusRuntimeException e) {
      response.onError(e);
      return;
    }
    if (request.getFunction().isEmpty()) {
      response.onError(Status.INVALID_ARGUMENT.withDescription("no function named").asRuntimeException());
      return;
    }
    Duration timeout = request.getTimeoutMillis() > 0 ? Duration.ofMillis(request.getTimeoutMillis()) : DEFAULT_INVOKE_TIMEOUT;
    io.grpc.Deadline deadline = Context.current().getDeadline();
    if (deadline != null) {
      long remaining = deadline.timeRemaining(TimeUnit.MILLISECONDS);
      timeout = timeout.toMillis() > remaining ? Duration.ofMillis(Math.max(1, remaining)) : timeout;
    }
    ListenableFuture<byte[]> call = plugin.callAsync(request.getFunction(), request.getInput().toByteArray(), timeout);
    Context.current().addListener(context -> call.cancel(true), MoreExecutors.directExecutor());
    replyWhenDone(
        call, response, output -> InvokeResponse.newBuilder().setOutput(ByteString.copyFrom(output)).build(), () -> {});
  }

  private void change(
      LifecycleRequest request,
      StreamObserver<PluginStatus> response,
      Function<PluginHandle, ListenableFuture<Void>> action) {
    PluginHandle plugin;
    ListenableFuture<Void> done;
    try {
      plugin = find(request.getId());
      if (!host.isRunning()) {
        throw Status.UNAVAILABLE.withDescription("the host is stopping").asRuntimeException();
      }
      done = action.apply(plugin);
    } catch (StatusRuntimeException e) {
      response.onError(e);
      return;
    } catch (RuntimeException e) {
      log.warn("admin: {} failed", request, e);
      response.onError(Status.INTERNAL.withDescription(String.valueOf(e.getMessage())).asRuntimeException());
      return;
    }
    if (!request.getWait()) {
      answer(response, () -> status(plugin));
      return;
    }
    replyWhenDone(done, response, unused -> status(plugin), () -> {});
  }

  /**
   * Answers {@code response} once {@code done} completes: with {@code result} of its value, or,
   * after {@code cleanup}, with its error as a status.
   */
  private static <T, R> void replyWhenDone(
      ListenableFuture<T> done, StreamObserver<R> response, Function<T, R> result, Runnable cleanup) {
    Futures.addCallback(
        done,
        new FutureCallback<>() {
          @Override
          public void onSuccess(T value) {
            answer(response, () -> result.apply(value));
          }

          @Override
          public void onFailure(Throwable t) {
            cleanup.run();
            response.onError(asStatus(t).asRuntimeException());
          }
        },
        MoreExecutors.directExecutor());
  }

  private PluginStatus status(PluginHandle plugin) {
    return AdminProtos.status(plugin, enabled.isEnabled(plugin.id()));
  }

  /** The plugin, or NOT_FOUND naming the plugins there are. */
  private PluginHandle find(String id) {
    if (id.isEmpty()) {
      throw Status.INVALID_ARGUMENT.withDescription("no plugin id given").asRuntimeException();
    }
    return host.findPlugin(id)
        .orElseThrow(() -> {
          List<String> ids = host.plugins().stream().map(PluginHandle::id).sorted().toList();
          return Status.NOT_FOUND
              .withDescription("no plugin '" + id + "' on this host; its plugins are " + (ids.isEmpty() ? "none" : String.join(", ", ids)))
              .asRuntimeException();
        });
  }

  private static <T> void answer(StreamObserver<T> response, java.util.function.Supplier<T> value) {
    T result;
    try {
      result = value.get();
    } catch (StatusRuntimeException e) {
      response.onError(e);
      return;
    } catch (RuntimeException e) {
      log.error("admin: a call failed inside the server", e);
      response.onError(Status.INTERNAL.withDescription("the server failed: " + e).asRuntimeException());
      return;
    }
    response.onNext(result);
    response.onCompleted();
  }

  /** A plugin's typed error keeps its code and words; anything else is INTERNAL. */
  static Status asStatus(Throwable t) {
    if (t instanceof PluginCallException) {
      PluginCallException e = (PluginCallException) t;
      return Status.fromCode(e.code()).withDescription(e.getMessage());
    }
    if (t instanceof PluginChangeException) {
      return Status.fromCode(((PluginChangeException) t).code()).withDescription(t.getMessage());
    }
    if (t instanceof java.util.concurrent.CancellationException) {
      return Status.CANCELLED.withDescription("cancelled");
    }
    return Status.INTERNAL.withDescription(t.toString());
  }
}
