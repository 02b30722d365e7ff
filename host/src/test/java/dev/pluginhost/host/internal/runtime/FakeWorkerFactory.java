package dev.pluginhost.host.internal.runtime;

import java.util.ArrayList;
import java.util.List;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;

/** Makes {@link FakeWorker}s and remembers each, in the order made. */
final class FakeWorkerFactory implements WorkerFactory {
  private final String pluginId;
  private final Timer timer;
  private final List<FakeWorker> created = new ArrayList<>();
  private Consumer<FakeWorker> setup = w -> {};
  private BooleanSupplier supervisorLockHeld = () -> false;
  private final List<String> calledUnderLock = new ArrayList<>();

  FakeWorkerFactory(String pluginId, Timer timer) {
    this.pluginId = pluginId;
    this.timer = timer;
  }

  /** Applies {@code setup} to every worker made from now on, before the supervisor sees it. */
  synchronized FakeWorkerFactory eachWorker(Consumer<FakeWorker> setup) {
    this.setup = setup;
    return this;
  }

  /** Lets each worker note when the supervisor calls it while holding its lock. */
  synchronized FakeWorkerFactory watchLock(BooleanSupplier supervisorLockHeld) {
    this.supervisorLockHeld = supervisorLockHeld;
    return this;
  }

  /** Each worker method called while the supervisor held its lock, which it promises never to do. */
  List<String> calledUnderLock() {
    synchronized (calledUnderLock) {
      return List.copyOf(calledUnderLock);
    }
  }

  /** Makes worker {@code generation}, with pid 1000 + generation. */
  @Override
  public synchronized Worker create(int generation) {
    FakeWorker worker = new FakeWorker(pluginId, 1000 + generation, timer, supervisorLockHeld, calledUnderLock);
    setup.accept(worker);
    created.add(worker);
    return worker;
  }

  synchronized List<FakeWorker> created() {
    return List.copyOf(created);
  }

  synchronized int count() {
    return created.size();
  }

  /** The {@code index}th worker made, from 0. */
  synchronized FakeWorker get(int index) {
    return created.get(index);
  }

  synchronized FakeWorker last() {
    return created.get(created.size() - 1);
  }
}
