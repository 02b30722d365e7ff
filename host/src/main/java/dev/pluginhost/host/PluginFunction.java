package dev.pluginhost.host;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Names the plugin function a method of a {@linkplain PluginHandle#proxy proxied} interface calls,
 * when it is not the method's own name.
 *
 * <pre>{@code
 * interface Greeter {
 *   @PluginFunction("greet")
 *   String hello(String name);
 * }
 * }</pre>
 */
@Documented
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.METHOD)
public @interface PluginFunction {
  /** The function's name, as the plugin registered it; not empty. */
  String value();
}
