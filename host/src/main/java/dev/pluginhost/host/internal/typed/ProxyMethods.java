package dev.pluginhost.host.internal.typed;

import static com.google.common.base.Preconditions.checkArgument;

import com.google.common.util.concurrent.ListenableFuture;
import com.google.protobuf.MessageLite;
import dev.pluginhost.host.Codec;
import dev.pluginhost.host.PluginFunction;
import dev.pluginhost.host.PluginHandle;
import dev.pluginhost.host.TypedFunction;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.Type;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Future;
import java.util.stream.Collectors;

/**
 * Reads an interface into the plugin calls its abstract methods make, checking every method before
 * any call is made: a method whose types have no schema is refused here, with the reason, rather
 * than failing on its first call.
 */
final class ProxyMethods {
  private ProxyMethods() {}

  /** A method's name and parameter types: the Method objects a proxy is handed may differ. */
  record Signature(String name, List<Class<?>> parameters) {
    static Signature of(Method method) {
      return new Signature(method.getName(), Arrays.asList(method.getParameterTypes()));
    }
  }

  /**
   * The call each abstract method of {@code iface} makes, keyed by its signature. Static and
   * default methods, and redeclared {@code equals}, {@code hashCode} and {@code toString}, make
   * none; a default method's interface must be public, or the proxy could not run it.
   *
   * @throws IllegalArgumentException naming every method that cannot be a plugin call, and why
   */
  static Map<Signature, ProxyMethod> of(PluginHandle plugin, Class<?> iface, Duration timeout) {
    checkArgument(
        iface.isInterface() && !iface.isAnnotation(), "%s is not an interface; only an interface can be proxied", iface.getName());
    Map<Signature, ProxyMethod> methods = new HashMap<>();
    List<String> problems = new ArrayList<>();
    for (Method method : iface.getMethods()) {
      if (method.isDefault()) {
        if (!canRunDefault(method)) {
          problems.add(
              describe(method) + ": a default method runs only if its interface is public and exported to the host, as "
                  + "InvocationHandler.invokeDefault requires; make " + method.getDeclaringClass().getName() + " public");
        }
        continue;
      }
      if (Modifier.isStatic(method.getModifiers()) || isObjectMethod(method)) {
        continue;
      }
      try {
        methods.put(Signature.of(method), plan(plugin, method, timeout));
      } catch (IllegalArgumentException e) {
        problems.add(describe(method) + ": " + e.getMessage());
      }
    }
    if (!problems.isEmpty()) {
      Collections.sort(problems);
      throw new IllegalArgumentException(
          iface.getName() + " cannot be a proxy of plugin " + plugin.id() + ": " + String.join("; ", problems));
    }
    return Map.copyOf(methods);
  }

  /** Whether {@code method} is one of Object's that a proxy answers itself. */
  static boolean isObjectMethod(Method method) {
    Class<?>[] parameters = method.getParameterTypes();
    switch (method.getName()) {
      case "equals":
        return parameters.length == 1 && parameters[0] == Object.class;
      case "hashCode":
      case "toString":
        return parameters.length == 0;
      default:
        return false;
    }
  }

  /** Whether the proxy may run {@code method}'s body: invokeDefault checks its caller's access. */
  private static boolean canRunDefault(Method method) {
    Class<?> declaring = method.getDeclaringClass();
    return Modifier.isPublic(declaring.getModifiers())
        && declaring.getModule().isExported(declaring.getPackageName(), ProxyMethods.class.getModule());
  }

  /** How error messages name a method: {@code Squares.square(Num)}. */
  static String describe(Method method) {
    return method.getDeclaringClass().getSimpleName() + "." + method.getName()
        + Arrays.stream(method.getParameterTypes()).map(Class::getSimpleName).collect(Collectors.joining(", ", "(", ")"));
  }

  @SuppressWarnings("unchecked") // The codecs were chosen from these very types.
  private static ProxyMethod plan(PluginHandle plugin, Method method, Duration timeout) {
    String function = functionName(method);

    for (Type declared : method.getGenericParameterTypes()) {
      checkArgument(
          !(declared instanceof java.lang.reflect.TypeVariable),
          "its parameter is the type variable %s, which the proxy cannot resolve; declare the method with concrete types",
          declared);
    }
    checkArgument(
        !(method.getGenericReturnType() instanceof java.lang.reflect.TypeVariable),
        "its return type is the type variable %s, which the proxy cannot resolve; declare the method with concrete types",
        method.getGenericReturnType());
    Class<?>[] parameters = method.getParameterTypes();
    checkArgument(
        parameters.length <= 1,
        "it takes %s parameters, and a plugin function takes one input; put them in one protobuf message",
        parameters.length);
    boolean takesInput = parameters.length == 1;
    Codec<?> inputCodec = takesInput ? codecFor(parameters[0], "its parameter") : Codec.bytes();

    Class<?> returned = method.getReturnType();
    ProxyMethod.Answer answer;
    Class<?> replyType;
    if (returned == ListenableFuture.class || returned == CompletableFuture.class) {
      answer = returned == ListenableFuture.class ? ProxyMethod.Answer.LISTENABLE_FUTURE : ProxyMethod.Answer.COMPLETABLE_FUTURE;
      replyType = futureValueType(method);
    } else {
      checkArgument(
          !Future.class.isAssignableFrom(returned) && !CompletionStage.class.isAssignableFrom(returned),
          "it returns a %s; an asynchronous method returns ListenableFuture<T> or CompletableFuture<T>",
          returned.getSimpleName());
      answer = returned == void.class || returned == Void.class ? ProxyMethod.Answer.NOTHING : ProxyMethod.Answer.VALUE;
      replyType = returned;
    }
    boolean discardsReply = replyType == void.class || replyType == Void.class;
    Codec<?> replyCodec = discardsReply ? Codec.bytes() : codecFor(replyType, "its return type");

    TypedFunction<Object, Object> call =
        plugin.function(function, (Codec<Object>) inputCodec, (Codec<Object>) replyCodec);
    return new ProxyMethod(describe(method), call, takesInput, answer, discardsReply, timeout);
  }

  private static String functionName(Method method) {
    PluginFunction named = method.getAnnotation(PluginFunction.class);
    if (named == null) {
      return method.getName();
    }
    checkArgument(!named.value().isBlank(), "its @PluginFunction names no function");
    return named.value();
  }

  /** T of a {@code ListenableFuture<T>} or {@code CompletableFuture<T>} return type. */
  private static Class<?> futureValueType(Method method) {
    Type generic = method.getGenericReturnType();
    String future = method.getReturnType().getSimpleName();
    checkArgument(
        generic instanceof ParameterizedType,
        "it returns a raw %s; say what it completes with: %s<T> with T byte[], String, a protobuf message or Void",
        future,
        future);
    Type value = ((ParameterizedType) generic).getActualTypeArguments()[0];
    checkArgument(
        value instanceof Class,
        "it returns a %s<%s>; T must be byte[], String, a protobuf message or Void",
        future,
        value.getTypeName());
    return (Class<?>) value;
  }

  /**
   * The codec for values of {@code type}: only types that cross to a plugin through a schema, or
   * as plain bytes or text.
   */
  private static Codec<?> codecFor(Class<?> type, String role) {
    if (type == byte[].class) {
      return Codec.bytes();
    }
    if (type == String.class) {
      return Codec.text();
    }
    if (MessageLite.class.isAssignableFrom(type)) {
      try {
        return ProtoCodec.of(type.asSubclass(MessageLite.class));
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException(role + " " + e.getMessage(), e);
      }
    }
    throw new IllegalArgumentException(
        role + " " + type.getTypeName() + " is not byte[], String or a protobuf message; the host never uses Java "
            + "serialization, so make it a protobuf message");
  }
}
