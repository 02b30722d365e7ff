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
 * <p>Failures speak the plugin API's vocabulary in both modes: calls fail with {@link
 * dev.pluginhost.testkit.CallFailedException} (a gRPC code as {@code HostServiceException.Code}
 * names it), starts with {@link dev.pluginhost.testkit.PluginStartException}.
 *
 * <p>Implementation lives in {@code dev.pluginhost.testkit.internal} and may change.
 */
package dev.pluginhost.testkit;
