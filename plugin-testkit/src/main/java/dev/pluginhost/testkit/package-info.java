/**
 * A test kit for plugin authors: run a plugin from a JUnit 5 test, in the test's own JVM through
 * the plugin API ({@link dev.pluginhost.testkit.InProcessPlugin}), or for real in a plugin JVM of
 * its own under a real host ({@link dev.pluginhost.testkit.ChildJvmPlugin}), and call both through
 * one interface ({@link dev.pluginhost.testkit.PluginUnderTest}), so one test body runs both ways.
 *
 * <pre>{@code
 * <dependency>
 *   <groupId>dev.pluginhost</groupId>
 *   <artifactId>plugin-testkit</artifactId>
 *   <version>0.1.0-SNAPSHOT</version>
 *   <scope>test</scope>
 * </dependency>
 * }</pre>
 *
 * <p>The in-process mode needs only the plugin API: no class of it, of this package's shared types
 * or of {@link dev.pluginhost.testkit.PluginExtension} touches anything else. The child-JVM mode
 * uses the host library, and so puts the host's dependencies (gRPC, protobuf, Guava, SLF4J, and
 * the runner's jar inside the host's) on the test classpath. A plugin's tests run before its jar
 * is built, so both modes also take a classes directory such as {@code target/classes}; that is
 * where a plugin author usually points them. A test that uses only the in-process mode may
 * exclude {@code dev.pluginhost:pluginhost} from this dependency.
 *
 * <h2>What the in-process mode cannot show</h2>
 *
 * <p>It keeps the runner's contract and the host services' semantics, but not what only a plugin
 * JVM of its own has; {@link dev.pluginhost.testkit.ChildJvmPlugin} shows that:
 *
 * <ul>
 *   <li>One plugin instance serves every call. The host starts one instance per process (one per
 *       core unless set) and runs up to 16 calls at once in each, so state a plugin keeps in its
 *       instance (a cache, a counter, a connection) is seen by every call in-process, and under a
 *       host only by its own process's calls. Calls do run at once in both: a map's chunks run
 *       together on the one instance, as on one process of a pool.
 *   <li>The {@code network} grant and the sandbox do not apply: the plugin has the test JVM's
 *       network, files and limits (heap, threads, open files, CPU), granted or not.
 *   <li>System properties, the environment and the working directory are the test JVM's, and so is
 *       the classpath of a plugin given as an instance or a class; one loaded from a path gets the
 *       runner's class isolation, nothing more.
 *   <li>Nothing is killed: a function or start hook that ignores cancellation and interrupts keeps
 *       its thread; there are no crashes, restarts, call time limits or health probes.
 *   <li>Host services answer from memory at once: a lock is free again when {@code close()}
 *       returns (the host's a moment later), and every structured log record is kept (the host
 *       keeps at most 200 a second per process).
 * </ul>
 *
 * <p>Failures speak the plugin API's vocabulary in both modes: calls fail with {@link
 * dev.pluginhost.testkit.CallFailedException} (a gRPC code as {@code HostServiceException.Code}
 * names it), starts with {@link dev.pluginhost.testkit.PluginStartException}.
 *
 * <p>Implementation lives in {@code dev.pluginhost.testkit.internal} and may change.
 */
package dev.pluginhost.testkit;
