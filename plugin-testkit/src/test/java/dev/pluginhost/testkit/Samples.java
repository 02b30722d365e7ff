package dev.pluginhost.testkit;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;

/** The built sample plugins, where the build put them (surefire says; an IDE runs from the module). */
final class Samples {
  private Samples() {}

  static Path plugins() {
    return existing(System.getProperty("pluginhost.samples.plugins", "../samples/target/plugins"));
  }

  static Path helloJar() {
    return existing(plugins().resolve("hello.jar").toString());
  }

  static Path squaresJar() {
    return existing(plugins().resolve("squares.jar").toString());
  }

  /** The hello sample's {@code target/classes}: what a plugin's own tests have before its jar. */
  static Path helloClasses() {
    return existing(System.getProperty("pluginhost.samples.hello.classes", "../samples/plugins/hello/target/classes"));
  }

  private static Path existing(String path) {
    Path resolved = Path.of(path).toAbsolutePath().normalize();
    assertTrue(Files.exists(resolved), resolved + " is missing; build the samples first (mvn -B package -DskipTests)");
    return resolved;
  }
}
