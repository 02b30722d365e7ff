package dev.pluginhost.host.internal.typed;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkNotNull;

import dev.pluginhost.host.PluginHandle;
import java.lang.reflect.InvocationHandler;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.time.Duration;
import java.util.Map;

/**
 * The invocation handler behind {@link PluginHandle#proxy}: each abstract method calls the plugin
 * function {@link ProxyMethods} planned for it; default methods run as written; {@code equals},
 * {@code hashCode} and {@code toString} answer for the proxy itself.
 */
public final class PluginProxy implements InvocationHandler {
  private final PluginHandle plugin;
  private final Class<?> iface;
  private final Duration timeout;
  private final Map<ProxyMethods.Signature, ProxyMethod> methods;

  private PluginProxy(PluginHandle plugin, Class<?> iface, Duration timeout, Map<ProxyMethods.Signature, ProxyMethod> methods) {
    this.plugin = plugin;
    this.iface = iface;
    this.timeout = timeout;
    this.methods = methods;
  }

  /** See {@link PluginHandle#proxy}. */
  public static <T> T create(PluginHandle plugin, Class<T> iface, Duration timeout) {
    checkNotNull(plugin, "plugin");
    checkNotNull(iface, "iface");
    checkNotNull(timeout, "timeout");
    checkArgument(!timeout.isNegative() && !timeout.isZero(), "timeout must be positive, got %s", timeout);
    Map<ProxyMethods.Signature, ProxyMethod> methods = ProxyMethods.of(plugin, iface, timeout);
    return iface.cast(
        Proxy.newProxyInstance(iface.getClassLoader(), new Class<?>[] {iface}, new PluginProxy(plugin, iface, timeout, methods)));
  }

  @Override
  public Object invoke(Object proxy, Method method, Object[] args) throws Throwable {
    if (method.getDeclaringClass() == Object.class) {
      switch (method.getName()) {
        case "equals":
          return proxy == args[0];
        case "hashCode":
          return System.identityHashCode(proxy);
        case "toString":
          return iface.getName() + " proxy of plugin " + plugin.id() + " (calls time out after " + timeout.toMillis() + " ms)";
        default:
          throw new AssertionError(method);
      }
    }
    if (method.isDefault()) {
      return InvocationHandler.invokeDefault(proxy, method, args);
    }
    ProxyMethod target = methods.get(ProxyMethods.Signature.of(method));
    if (target == null) {
      // Cannot happen: every abstract method was planned, or the proxy was refused.
      throw new IllegalStateException("no plugin call planned for " + ProxyMethods.describe(method));
    }
    return target.invoke(args);
  }
}
