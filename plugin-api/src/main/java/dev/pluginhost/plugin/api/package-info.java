/**
 * What a plugin author compiles against: the whole contract between a plugin and the host.
 *
 * <p>A plugin is a jar holding one class that implements {@link dev.pluginhost.plugin.api.Plugin},
 * registered for {@link java.util.ServiceLoader} in
 * {@code META-INF/services/dev.pluginhost.plugin.api.Plugin}, and a descriptor
 * {@code META-INF/plugin.properties}:
 *
 * <pre>
 * id=hello                 # letters, digits, '-' and '_'; unique within a host
 * version=1.0.0
 * api=[1.0,2.0)            # the plugin-api versions it works with, as an interval
 * description=Greets people.
 * </pre>
 *
 * <p>The plugin's own libraries go either shaded into that jar or, as jars, into a {@code lib/}
 * folder beside it (the plugin is then a folder: {@code hello/hello.jar}, {@code hello/lib/*.jar}).
 * They load in a class loader of their own whose parent sees only the JDK and this package, so a
 * plugin may bundle any version of any library, whatever the host itself uses.
 *
 * <p>Every plugin runs in its own JVM, started from a clean slate: an empty environment but for
 * what the host allows, none of the host's system properties, files or classpath. It must not
 * rely on anything it did not receive through {@link dev.pluginhost.plugin.api.PluginContext}.
 *
 * <p>This package has no dependencies beyond the JDK, and never will.
 */
package dev.pluginhost.plugin.api;
