package dev.pluginhost.host.internal.spawn;

import java.util.List;
import java.util.Properties;
import java.util.TreeSet;

/**
 * The system properties of the host's application that a plugin written with fork's habits might
 * expect to share: every property the host JVM has, but the JDK's own and those of well-known
 * libraries and build tools, which a plugin's libraries may probe for their own reasons. Only the
 * names go to the runner; values never leave the host.
 */
public final class HostProperties {
  static final int MAX_NAMES = 512;
  static final int MAX_NAME_LENGTH = 200;
  private static final List<String> NOT_THE_APPLICATIONS =
      List.of(
          "java.", "javax.", "jdk.", "sun.", "com.sun.", "os.", "user.", "file.", "line.", "path.", "native.",
          "stdout.", "stderr.", "awt.", "http.", "https.", "ftp.", "socks", "networkaddress.", "io.netty.",
          "io.grpc.", "org.slf4j.", "slf4j.", "log4j", "logback.", "org.apache.", "surefire.", "maven.", "basedir",
          "localRepository", "idea.", "junit.", "pluginhost.", "library.", "jna.", "jansi.", "picocli.", "com.google.");

  private HostProperties() {}

  /** The names to send, sorted; at most {@value #MAX_NAMES}. */
  public static List<String> applicationNames(Properties properties) {
    TreeSet<String> names = new TreeSet<>();
    for (String name : properties.stringPropertyNames()) {
      if (name.length() <= MAX_NAME_LENGTH && NOT_THE_APPLICATIONS.stream().noneMatch(name::startsWith)) {
        names.add(name);
      }
    }
    return names.stream().limit(MAX_NAMES).toList();
  }
}
