package dev.pluginhost.testkit.internal;

import dev.pluginhost.plugin.api.HostServiceException;
import dev.pluginhost.plugin.api.HostServiceException.Code;
import dev.pluginhost.plugin.api.ServiceClient;
import dev.pluginhost.testkit.TestService;
import java.io.PrintStream;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * A service of the test's, as an in-process plugin reaches it: the grant {@code service:NAME}
 * first (the runner's check), the runner's refusal on the plugin's I/O thread, then the host's
 * checks in its order and words (INVALID_ARGUMENT for a malformed service or method name,
 * NOT_FOUND for a service the test did not register), the handler run on a kit thread within the
 * plugin's timeout, and its failures passed on as the host passes them.
 */
public final class LocalServiceClient implements ServiceClient {
  private final String name;
  private final GrantCheck grants;
  private final Map<String, TestService> services;
  private final ExecutorService executor;
  private final PrintStream diagnostics;

  public LocalServiceClient(
      String name, GrantCheck grants, Map<String, TestService> services, ExecutorService executor, PrintStream diagnostics) {
    this.name = Objects.requireNonNull(name, "name");
    this.grants = grants;
    this.services = services;
    this.executor = executor;
    this.diagnostics = diagnostics;
  }

  @Override
  public String name() {
    return name;
  }

  @Override
  public byte[] call(String method, byte[] request, Duration timeout) throws InterruptedException {
    grants.require("service:" + name);
    Objects.requireNonNull(method, "method");
    Objects.requireNonNull(request, "request");
    Objects.requireNonNull(timeout, "timeout");
    IoThread.refuseToWait();
    // The host's checks, in its order, after the runner's grant check above.
    HostNames.check(name, HostNames.NAME, "service");
    HostNames.check(method, HostNames.METHOD, "method");
    TestService service = services.get(name);
    if (service == null) {
      throw new HostServiceException(Code.NOT_FOUND, "the application registered no service '" + name + "' with this host");
    }
    byte[] copy = request.clone();
    Future<byte[]> answer;
    try {
      answer = executor.submit(() -> service.handle(method, copy));
    } catch (RejectedExecutionException closing) {
      throw new HostServiceException(Code.UNAVAILABLE, "the host is shutting down");
    }
    try {
      byte[] response = answer.get(Math.max(1, Deadlines.nanos(timeout)), TimeUnit.NANOSECONDS);
      return response == null ? new byte[0] : response.clone();
    } catch (TimeoutException e) {
      answer.cancel(true);
      throw new HostServiceException(
          Code.DEADLINE_EXCEEDED,
          "service '" + name + "' did not answer " + method + " within " + Deadlines.millis(timeout));
    } catch (InterruptedException e) {
      answer.cancel(true);
      throw new InterruptedException("interrupted while waiting for service '" + name + "'");
    } catch (ExecutionException e) {
      throw failure(method, e.getCause());
    }
  }

  private HostServiceException failure(String method, Throwable thrown) {
    if (thrown instanceof HostServiceException) {
      HostServiceException answered = (HostServiceException) thrown;
      String message = answered.getMessage();
      String prefix = answered.code() + ": ";
      return new HostServiceException(
          answered.code(),
          message.startsWith(prefix) ? message.substring(prefix.length()) : message,
          answered.missingGrant().orElse(null));
    }
    synchronized (diagnostics) {
      diagnostics.println("pluginhost-testkit: service '" + name + "' failed on " + method + ": " + thrown);
      thrown.printStackTrace(diagnostics);
    }
    return new HostServiceException(
        Code.INTERNAL, "service '" + name + "' failed on method '" + method + "' (the host's log has why)");
  }
}
