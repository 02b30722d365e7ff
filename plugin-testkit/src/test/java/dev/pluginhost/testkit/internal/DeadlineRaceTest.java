package dev.pluginhost.testkit.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.pluginhost.plugin.api.CallCancelledException;
import dev.pluginhost.plugin.api.HostServiceException.Code;
import dev.pluginhost.testkit.CallFailedException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.AbstractExecutorService;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * A call's deadline passes by the clock before its timer fires. Whatever a function does once its
 * deadline has passed, returns or throws, unary or streaming, its caller hears DEADLINE_EXCEEDED,
 * as from the host, which does not wait for the function. Each race is forced to the side that used
 * to lose: the function ends after the deadline, and before anyone else noticed it.
 */
class DeadlineRaceTest {
  private static final Duration ONE_MILLI = Duration.ofMillis(1);

  @Test
  void aUnaryFunctionThatThrowsOnceItsDeadlinePassed_failsItsCallWithDeadlineExceeded() {
    FunctionRegistry functions = new FunctionRegistry();
    functions.addUnary("waitsThenThrows", (call, input) -> {
      awaitDeadline((LocalCallContext) call);
      throw new CallCancelledException("the call was cancelled");
    });
    functions.addUnary("waitsThenFails", (call, input) -> {
      awaitDeadline((LocalCallContext) call);
      throw new IllegalStateException("too late anyway");
    });
    functions.freeze();
    // The function runs on the caller's thread, so it has ended by the time the caller waits.
    LocalCalls calls = new LocalCalls("p", functions, new DirectExecutor(), new DirectExecutor(), getClass().getClassLoader(), 1024);
    for (String function : List.of("waitsThenThrows", "waitsThenFails")) {
      CallFailedException e = assertThrows(CallFailedException.class, () -> calls.call(function, new byte[0], ONE_MILLI, Map.of()));
      assertEquals(Code.DEADLINE_EXCEEDED, e.code(), function + ": " + e.getMessage());
    }
  }

  @Test
  void aStreamingFunctionThatThrowsOnceItsDeadlinePassed_failsThePipeWithDeadlineExceeded() {
    LocalCallContext call = new LocalCallContext("f", ONE_MILLI, Map.of(), Runnable::run);
    LocalPipe pipe = new LocalPipe("p", call, 1024);
    awaitDeadline(call);
    call.finish();
    pipe.functionFailed(Failures.thrown("p", "f", new CallCancelledException("the call was cancelled")));
    assertEquals(Code.DEADLINE_EXCEEDED, assertThrows(CallFailedException.class, pipe::receive).code());
  }

  @Test
  void aStreamingFunctionThatReturnsOnceItsDeadlinePassed_failsThePipeWithDeadlineExceeded() {
    LocalCallContext call = new LocalCallContext("f", ONE_MILLI, Map.of(), Runnable::run);
    LocalPipe pipe = new LocalPipe("p", call, 1024);
    awaitDeadline(call);
    call.finish();
    pipe.functionReturned();
    assertEquals(Code.DEADLINE_EXCEEDED, assertThrows(CallFailedException.class, pipe::receive).code());
  }

  @Test
  void aStreamingFunctionThatEndsInTime_endsThePipeAsItEnded() {
    LocalCallContext call = new LocalCallContext("f", Duration.ofMinutes(1), Map.of(), Runnable::run);
    LocalPipe pipe = new LocalPipe("p", call, 1024);
    call.finish();
    pipe.functionReturned();
    assertEquals(null, pipe.receive());
  }

  /** Waits the millisecond out on the clock, as the function sees it; no timer involved. */
  private static void awaitDeadline(LocalCallContext call) {
    while (!call.deadlinePassed()) {
      Thread.onSpinWait();
    }
  }

  /** Runs each task on the thread that hands it over. */
  private static final class DirectExecutor extends AbstractExecutorService {
    private volatile boolean shutdown;

    @Override
    public void execute(Runnable command) {
      command.run();
    }

    @Override
    public void shutdown() {
      shutdown = true;
    }

    @Override
    public List<Runnable> shutdownNow() {
      shutdown = true;
      return List.of();
    }

    @Override
    public boolean isShutdown() {
      return shutdown;
    }

    @Override
    public boolean isTerminated() {
      return shutdown;
    }

    @Override
    public boolean awaitTermination(long timeout, TimeUnit unit) {
      return true;
    }
  }
}
