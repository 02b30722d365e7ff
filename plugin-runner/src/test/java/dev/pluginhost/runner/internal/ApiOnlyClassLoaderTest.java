package dev.pluginhost.runner.internal;

import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.pluginhost.plugin.api.Plugin;
import org.junit.jupiter.api.Test;

class ApiOnlyClassLoaderTest {
  private final ClassLoader runnerLoader = ApiOnlyClassLoaderTest.class.getClassLoader();
  private final ApiOnlyClassLoader loader = new ApiOnlyClassLoader(runnerLoader);

  @Test
  void apiClass_isTheRunnersOwn() throws Exception {
    assertSame(Plugin.class, loader.loadClass("dev.pluginhost.plugin.api.Plugin"));
  }

  @Test
  void runnerLibraries_areHidden() throws Exception {
    // Visible to the runner itself, so the refusal below is the loader's doing.
    runnerLoader.loadClass("com.google.common.collect.ImmutableList");
    runnerLoader.loadClass("io.grpc.Status");

    assertThrows(ClassNotFoundException.class, () -> loader.loadClass("com.google.common.collect.ImmutableList"));
    assertThrows(ClassNotFoundException.class, () -> loader.loadClass("io.grpc.Status"));
    assertThrows(ClassNotFoundException.class, () -> loader.loadClass("com.google.protobuf.ByteString"));
  }

  @Test
  void runnerInternals_andLookalikePackages_areHidden() {
    assertThrows(ClassNotFoundException.class, () -> loader.loadClass(FunctionTable.class.getName()));
    assertThrows(ClassNotFoundException.class, () -> loader.loadClass("dev.pluginhost.plugin.apix.Plugin"));
    assertThrows(ClassNotFoundException.class, () -> Class.forName("io.grpc.Status", false, loader));
  }

  @Test
  void runnerResources_areHidden() {
    assertNull(loader.getResource("dev/pluginhost/runner/internal/FunctionTable.class"));
    assertNull(loader.getResource("io/grpc/Status.class"));
  }

  @Test
  void platformClasses_areVisible() throws Exception {
    assertSame(java.sql.Connection.class, loader.loadClass("java.sql.Connection"));
    assertSame(String.class, loader.loadClass("java.lang.String"));
  }
}
