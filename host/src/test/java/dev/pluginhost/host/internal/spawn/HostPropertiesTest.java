package dev.pluginhost.host.internal.spawn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class HostPropertiesTest {

  private static Properties properties(String... names) {
    Properties properties = new Properties();
    for (String name : names) {
      properties.setProperty(name, "value of " + name);
    }
    return properties;
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "java.version", "java.home", "javax.net.ssl.trustStore", "jdk.debug", "sun.arch.data.model",
        "com.sun.management.jmxremote", "os.name", "user.home", "user.dir", "file.encoding", "line.separator",
        "path.separator", "native.encoding", "stdout.encoding", "stderr.encoding", "awt.toolkit", "http.proxyHost",
        "https.proxyPort", "ftp.nonProxyHosts", "socksProxyHost", "networkaddress.cache.ttl",
        "io.netty.leakDetection.level", "io.grpc.internal.DnsNameResolverProvider.enable_jndi",
        "org.slf4j.simpleLogger.defaultLogLevel", "slf4j.provider", "log4j2.configurationFile",
        "logback.configurationFile", "org.apache.commons.logging.Log", "surefire.test.class.path",
        "maven.home", "basedir", "localRepository", "idea.test.cyclic.buffer.size", "junit.jupiter.execution.parallel.enabled",
        "pluginhost.data", "library.jansi.path", "jna.nosys", "jansi.passthrough", "picocli.ansi",
        "com.google.protobuf.use_unsafe_pre22_gencode"
      })
  void jdkAndLibraryProperties_areLeftOut(String name) {
    assertEquals(List.of(), HostProperties.applicationNames(properties(name)));
  }

  @Test
  void applicationProperties_areKept_sortedByName() {
    Properties properties = properties("db.url", "app.region", "java.version", "feature.flags", "myapp.secret");

    assertEquals(
        List.of("app.region", "db.url", "feature.flags", "myapp.secret"), HostProperties.applicationNames(properties));
  }

  @Test
  void namesThatOnlyResembleAPrefix_areKept() {
    // "javaapp." is not "java.", "username" is not "user.", "osgi.x" is not "os."
    Properties properties = properties("javaapp.mode", "username", "osgi.framework", "filestore.root");

    assertEquals(
        List.of("filestore.root", "javaapp.mode", "osgi.framework", "username"),
        HostProperties.applicationNames(properties));
  }

  @Test
  void values_neverLeaveTheHost() {
    List<String> names = HostProperties.applicationNames(properties("db.password"));

    assertEquals(List.of("db.password"), names);
    assertTrue(names.stream().noneMatch(name -> name.contains("value of")));
  }

  @Test
  void nameLongerThanTheLimit_isLeftOut_andOneAtTheLimitIsKept() {
    String atLimit = "a".repeat(HostProperties.MAX_NAME_LENGTH);
    String overLimit = "b".repeat(HostProperties.MAX_NAME_LENGTH + 1);

    assertEquals(List.of(atLimit), HostProperties.applicationNames(properties(atLimit, overLimit)));
  }

  @Test
  void manyNames_areCutToTheLimit_keepingTheFirstInOrder() {
    List<String> names = new ArrayList<>();
    for (int i = 0; i < HostProperties.MAX_NAMES + 50; i++) {
      names.add(String.format("app.p%04d", i));
    }

    List<String> sent = HostProperties.applicationNames(properties(names.toArray(String[]::new)));

    assertEquals(names.subList(0, HostProperties.MAX_NAMES), sent);
  }

  @Test
  void nonStringEntries_areLeftOut() {
    Properties properties = properties("app.kept");
    properties.put("app.number", 7);
    properties.put(8, "app.value");

    assertEquals(List.of("app.kept"), HostProperties.applicationNames(properties));
  }

  @Test
  void defaults_ofTheProperties_count() {
    Properties defaults = properties("app.fromDefaults");
    Properties properties = new Properties(defaults);
    properties.setProperty("app.own", "x");

    assertEquals(List.of("app.fromDefaults", "app.own"), HostProperties.applicationNames(properties));
  }

  @Test
  void thisJvmsOwnProperties_yieldNoJdkName() {
    List<String> names = HostProperties.applicationNames(System.getProperties());

    assertTrue(
        names.stream().noneMatch(name -> name.startsWith("java.") || name.startsWith("os.") || name.startsWith("user.")),
        names.toString());
  }
}
