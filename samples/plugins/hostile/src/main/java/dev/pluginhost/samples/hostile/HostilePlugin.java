package dev.pluginhost.samples.hostile;

import dev.pluginhost.plugin.api.FunctionOption;
import dev.pluginhost.plugin.api.Plugin;
import dev.pluginhost.plugin.api.PluginContext;
import java.io.FileDescriptor;
import java.io.FileInputStream;
import java.io.FileOutputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.lang.invoke.MethodHandles;
import java.lang.reflect.Field;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.stream.Stream;

/**
 * A test fixture that attacks its host on purpose: each function misbehaves in one way (exits,
 * crashes the JVM, exhausts a memory pool, hangs, floods output, spawns a child, bombs threads or
 * processes, pokes at other plugins' sockets). The hostile matrix of the integration tests calls them one by one and checks
 * the host holds. Never deploy it.
 *
 * <p>The start hook fails or hangs while a marker file ({@code fail-start} or {@code hang-start})
 * is in the data directory, or when the config says so ({@code failStart=true},
 * {@code hangStart=true}); markers let a test break and mend a running plugin's restarts.
 */
public final class HostilePlugin implements Plugin {
  /** Keeps what the memory attacks allocate reachable, so nothing can be collected. */
  private static final List<Object> hoard = new ArrayList<>();

  private static volatile long sink;

  @Override
  public void start(PluginContext context) throws Exception {
    Path data = context.dataDirectory();
    if (Boolean.parseBoolean(context.config().get("failStart")) || Files.exists(data.resolve("fail-start"))) {
      throw new IllegalStateException("hostile: start hook fails on purpose");
    }
    if (Boolean.parseBoolean(context.config().get("hangStart")) || Files.exists(data.resolve("hang-start"))) {
      new CountDownLatch(1).await();
    }
    context.registerText("ping", (call, input) -> "pong");
    context.registerText("exit", (call, input) -> {
      System.exit(Integer.parseInt(input.trim()));
      return "unreachable";
    });
    context.registerText("halt", (call, input) -> {
      Runtime.getRuntime().halt(Integer.parseInt(input.trim()));
      return "unreachable";
    });
    context.registerText("throw", (call, input) -> {
      throw new IllegalStateException("hostile: thrown on purpose");
    });
    context.registerText("overflowStack", (call, input) -> Long.toString(recurse(0)));
    context.registerText("exhaustHeap", (call, input) -> {
      while (true) {
        hoard.add(new byte[1 << 20]);
      }
    });
    context.registerText("exhaustDirectMemory", (call, input) -> {
      while (true) {
        hoard.add(ByteBuffer.allocateDirect(1 << 20));
      }
    });
    context.registerText("exhaustMetaspace", (call, input) -> {
      byte[] bytes;
      try (InputStream in = HostilePlugin.class.getResourceAsStream("Filler.class")) {
        bytes = in.readAllBytes();
      }
      MethodHandles.Lookup lookup = MethodHandles.lookup();
      while (true) {
        // Each hidden class is a class of its own in metaspace, held by the hoard.
        hoard.add(lookup.defineHiddenClass(bytes, false).lookupClass());
      }
    });
    context.registerText("spin", (call, input) -> {
      long x = 0;
      while (true) {
        sink = ++x;
      }
    });
    // The same loop, declared NON_BLOCKING: a lie that stalls the thread reading the host's calls.
    context.registerText("spinNonBlocking", (call, input) -> {
      long x = 0;
      while (true) {
        sink = ++x;
      }
    }, FunctionOption.NON_BLOCKING);
    context.registerText("deadlock", (call, input) -> deadlock());
    context.registerText("crashJvm", (call, input) -> {
      Field field = Class.forName("sun.misc.Unsafe").getDeclaredField("theUnsafe");
      field.setAccessible(true);
      Object unsafe = field.get(null);
      unsafe.getClass().getMethod("putAddress", long.class, long.class).invoke(unsafe, 0L, 0L);
      return "unreachable";
    });
    // Native memory the JVM's flags do not bound, touched so it is really resident; only the
    // memory cgroup stops it.
    context.registerText("exhaustNativeMemory", (call, input) -> {
      Field field = Class.forName("sun.misc.Unsafe").getDeclaredField("theUnsafe");
      field.setAccessible(true);
      Object unsafe = field.get(null);
      java.lang.reflect.Method allocate = unsafe.getClass().getMethod("allocateMemory", long.class);
      java.lang.reflect.Method fill = unsafe.getClass().getMethod("setMemory", long.class, long.class, byte.class);
      long chunk = 16L << 20;
      while (true) {
        long address = (long) allocate.invoke(unsafe, chunk);
        fill.invoke(unsafe, address, chunk, (byte) 1);
        hoard.add(address);
      }
    });
    // Starts `sleep 600` and leaves it running; returns its pid.
    context.registerText("spawnChild", (call, input) ->
        Long.toString(new ProcessBuilder("sleep", "600").start().pid()));
    context.registerText("threadBomb", (call, input) -> threadBomb(input.trim().equals("giveUp")));
    // Input: a marker to find the bomb's processes by (it is every bomb process's $0).
    context.registerText("forkBomb", (call, input) -> forkBomb(input.trim()));
    // Input "stdout N" or "stderr N": writes N bytes of 1 KiB lines as fast as it can.
    context.registerText("flood", (call, input) -> {
      String[] parts = input.trim().split(" ");
      long total = Long.parseLong(parts[1]);
      FileDescriptor fd = parts[0].equals("stderr") ? FileDescriptor.err : FileDescriptor.out;
      byte[] chunk = new byte[1 << 20];
      Arrays.fill(chunk, (byte) 'x');
      for (int i = 1023; i < chunk.length; i += 1024) {
        chunk[i] = '\n';
      }
      OutputStream out = new FileOutputStream(fd);
      long written = 0;
      while (written < total) {
        out.write(chunk);
        written += chunk.length;
      }
      return Long.toString(written);
    });
    // Answers with as many bytes as the input asks for.
    context.registerText("bigResponse", (call, input) -> "x".repeat(Integer.parseInt(input.trim())));
    context.registerText("inputSize", (call, input) -> Integer.toString(input.length()));
    // Sends for as long as the caller lets it.
    context.registerStreaming("sendForever", (call, pipe) -> {
      byte[] tick = "tick".getBytes(StandardCharsets.UTF_8);
      while (true) {
        pipe.send(tick);
      }
    });
    // The host's environment, as /proc shows it to anyone who may read it.
    context.registerText("hostEnvironment", (call, input) -> {
      long parent = ProcessHandle.current().parent().orElseThrow().pid();
      return Files.readString(Path.of("/proc", Long.toString(parent), "environ")).replace('\0', '\n');
    });
    context.registerText("closeStdin", (call, input) -> {
      new FileInputStream(FileDescriptor.in).close();
      return "closed";
    });
    context.registerText("replaceSystemOut", (call, input) -> {
      PrintStream broken = new PrintStream(new OutputStream() {
        @Override
        public void write(int b) {
          throw new IllegalStateException("hostile: System.out is broken on purpose");
        }
      });
      System.setOut(broken);
      System.setErr(broken);
      return "replaced";
    });
    context.registerText("print", (call, input) -> {
      System.out.println(input);
      return "printed";
    });
    context.registerText("forgeToken", (call, input) -> String.join("\n", forgeToken()));
    // Input: a Unix socket's path. Connects, speaks the start of HTTP/2, and says what came back.
    context.registerText("dialSocket", (call, input) -> dialSocket(Path.of(input.trim())));
  }

  /**
   * Starts threads that wait forever until the JVM cannot start another, which under a task limit
   * fails with an OutOfMemoryError ("unable to create native thread"; -XX:+ExitOnOutOfMemoryError
   * does not cover that one). With {@code giveUp} it lets the error out of the handler; without,
   * it swallows it and keeps trying every millisecond, as a bomb that means it would.
   */
  private static String threadBomb(boolean giveUp) throws InterruptedException {
    CountDownLatch never = new CountDownLatch(1);
    while (true) {
      Thread thread = new Thread(() -> awaitQuietly(never), "hostile-thread-bomb");
      thread.setDaemon(true);
      try {
        thread.start();
      } catch (OutOfMemoryError refused) {
        if (giveUp) {
          throw refused;
        }
        Thread.sleep(1);
      }
    }
  }

  /**
   * A fork bomb in bash: every process forks two that do the same, waits for them, and starts
   * over; bash retries a refused fork, so the bomb keeps its group full rather than dying out.
   * Waits for it, that is forever. Only ever call this under a limit on processes (a pids cgroup;
   * RLIMIT_NPROC does not hold for root). As a last fuse, {@code timeout} kills the bomb's whole
   * process group after a minute, should nothing else.
   */
  private static String forkBomb(String marker) throws Exception {
    if (!marker.matches("[A-Za-z0-9_-]+")) {
      throw new IllegalArgumentException("a marker of letters, digits, '-' and '_', please: " + marker);
    }
    Process bomb =
        new ProcessBuilder(
                "timeout", "-s", "KILL", "60",
                "bash", "-c", "b() { while :; do b & b & wait; done; }; b", marker)
            .redirectOutput(ProcessBuilder.Redirect.DISCARD)
            .redirectError(ProcessBuilder.Redirect.DISCARD)
            .start();
    return "the bomb ended with code " + bomb.waitFor();
  }

  private static long recurse(long depth) {
    return recurse(depth + 1) + 1;
  }

  /** This thread and a helper each hold one lock and wait for the other's, forever. */
  private static String deadlock() throws InterruptedException {
    Object first = new Object();
    Object second = new Object();
    CountDownLatch bothHold = new CountDownLatch(2);
    Thread helper = new Thread(() -> {
      synchronized (second) {
        bothHold.countDown();
        awaitQuietly(bothHold);
        synchronized (first) {
          sink++;
        }
      }
    }, "hostile-deadlock");
    helper.setDaemon(true);
    synchronized (first) {
      helper.start();
      bothHold.countDown();
      bothHold.await();
      synchronized (second) {
        sink++;
      }
    }
    return "unreachable";
  }

  private static void awaitQuietly(CountDownLatch latch) {
    try {
      latch.await();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /**
   * Connects to the Unix socket at {@code path} and sends an HTTP/2 client preface with an empty
   * SETTINGS frame, as a gRPC client would. Answers {@code denied: ...} when it cannot connect,
   * {@code closed} when the other end hung up without a byte, {@code answered N bytes} when a
   * server spoke back, or {@code silent} when nothing came within five seconds.
   */
  private static String dialSocket(Path path) throws Exception {
    try (SocketChannel channel = SocketChannel.open(StandardProtocolFamily.UNIX)) {
      try {
        channel.connect(UnixDomainSocketAddress.of(path));
      } catch (Exception e) {
        return "denied: " + e;
      }
      byte[] preface = "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1);
      byte[] settings = {0, 0, 0, 4, 0, 0, 0, 0, 0};
      try {
        channel.write(ByteBuffer.wrap(preface));
        channel.write(ByteBuffer.wrap(settings));
      } catch (Exception e) {
        return "closed";
      }
      channel.configureBlocking(false);
      try (java.nio.channels.Selector selector = java.nio.channels.Selector.open()) {
        channel.register(selector, java.nio.channels.SelectionKey.OP_READ);
        if (selector.select(5000) == 0) {
          return "silent";
        }
        int read;
        try {
          read = channel.read(ByteBuffer.allocate(4096));
        } catch (Exception e) {
          return "closed";
        }
        return read <= 0 ? "closed" : "answered " + read + " bytes";
      }
    }
  }

  /**
   * Finds the Unix sockets its sibling plugins (same parent) and itself listen on, connects to
   * each and writes an HTTP/2 preface with a made-up token and then garbage. Returns the paths of
   * those it could connect to (a runner may hang up before the garbage is written).
   */
  private static List<String> forgeToken() throws Exception {
    long parent = ProcessHandle.current().parent().orElseThrow().pid();
    Set<String> inodes = new HashSet<>();
    try (Stream<ProcessHandle> all = ProcessHandle.allProcesses()) {
      for (ProcessHandle p : (Iterable<ProcessHandle>) all::iterator) {
        if (p.parent().map(ProcessHandle::pid).orElse(-1L) != parent) {
          continue;
        }
        try (Stream<Path> fds = Files.list(Path.of("/proc", Long.toString(p.pid()), "fd"))) {
          for (Path fd : (Iterable<Path>) fds::iterator) {
            String target = Files.readSymbolicLink(fd).toString();
            if (target.startsWith("socket:[")) {
              inodes.add(target.substring(8, target.length() - 1));
            }
          }
        } catch (Exception unreadable) {
          // Gone, or not ours to read.
        }
      }
    }
    Set<String> paths = new HashSet<>();
    for (String line : Files.readAllLines(Path.of("/proc/net/unix"))) {
      String[] f = line.trim().split("\\s+");
      if (f.length >= 8 && inodes.contains(f[6]) && f[7].startsWith("/")) {
        paths.add(f[7]);
      }
    }
    byte[] forged = ("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\nauthorization: Bearer forged-token\r\n"
        + "\u0000\u0000\u0004\u0001\u0000\u0000\u0000\u0000garbage garbage garbage")
        .getBytes(StandardCharsets.ISO_8859_1);
    List<String> reached = new ArrayList<>();
    for (String path : paths) {
      try (SocketChannel channel = SocketChannel.open(StandardProtocolFamily.UNIX)) {
        channel.connect(UnixDomainSocketAddress.of(path));
        reached.add(path);
        channel.write(ByteBuffer.wrap(forged));
      } catch (Exception refused) {
        // Refused, or hung up on: what a careful runner does.
      }
    }
    return reached;
  }
}
