package dev.pluginhost.host.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pluginhost.host.PluginSettings;
import dev.pluginhost.host.RestartPolicy;
import dev.pluginhost.host.SandboxMode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ServerConfigTest {
  @TempDir Path dir;

  private Path write(String text) throws Exception {
    return Files.writeString(dir.resolve("pluginhost.conf"), text);
  }

  @Test
  void noFile_meansPluginsAndDataUnderTheWorkingDirectory_andTheAdminSocketInData() {
    ServerConfig config = ServerConfig.defaults(dir);
    assertEquals(dir.resolve("plugins"), config.pluginsDirectory());
    assertEquals(dir.resolve("data"), config.dataDirectory());
    assertEquals(dir.resolve("data/admin.sock"), config.adminSocket());
    assertEquals(0, config.adminTcpPort());
    assertEquals(PluginSettings.defaults().processes(), config.defaults().processes());
  }

  @Test
  void aFullFile_isReadWithPathsRelativeToItsOwnDirectory() throws Exception {
    ServerConfig config =
        ServerConfig.load(
            write(
                String.join(
                    "\n",
                    "# comments are allowed",
                    "plugins-directory = jars",
                    "data-directory = /var/tmp/ph-state",
                    "admin { socket = admin/ph.sock, tcp-port = 7777 }",
                    "defaults {",
                    "  processes = 2",
                    "  call-time-limit = 5s",
                    "  max-heap = 128M",
                    "  sandbox = required",
                    "  restart = on-failure",
                    "  restart-intensity { max-restarts = 3, window = 1m }",
                    "}",
                    "plugins {",
                    "  hello { processes = 4, config { greeting = Hi, loud = true }, environment { LANG = C.UTF-8 } }",
                    "  \"with.dot\" { warm-spares = 1 }",
                    "}")));
    assertEquals(dir.resolve("jars"), config.pluginsDirectory());
    assertEquals(Path.of("/var/tmp/ph-state"), config.dataDirectory());
    assertEquals(dir.resolve("admin/ph.sock"), config.adminSocket());
    assertEquals(7777, config.adminTcpPort());
    PluginSettings defaults = config.defaults();
    assertEquals(2, defaults.processes());
    assertEquals(Duration.ofSeconds(5), defaults.callTimeLimit());
    assertEquals(128, defaults.maxHeapMegabytes());
    assertEquals(SandboxMode.REQUIRED, defaults.sandbox());
    assertEquals(RestartPolicy.ON_FAILURE, defaults.restartPolicy());
    PluginSettings hello = config.plugins().get("hello");
    assertEquals(4, hello.processes());
    assertEquals(Duration.ofSeconds(5), hello.callTimeLimit(), "a plugin's block changes the defaults");
    assertEquals(Map.of("greeting", "Hi", "loud", "true"), hello.config());
    assertEquals(1, config.plugins().get("with.dot").warmSpares());
  }

  @Test
  void aMisspelledSetting_isRefusedWithFileLineKeyAndTheKnownSettings() throws Exception {
    Path file = write("defaults {\n  processes = 1\n  procesess = 2\n}\n");
    ConfigFileException e = assertThrows(ConfigFileException.class, () -> ServerConfig.load(file));
    assertTrue(e.getMessage().startsWith(file + ":3: defaults.procesess: is not a setting; the settings are "), e.getMessage());
    assertTrue(e.getMessage().contains("processes"), e.getMessage());
  }

  @Test
  void aValueTheSettingsRefuse_isRefusedWithTheirReason() throws Exception {
    Path file = write("plugins {\n  hello {\n    processes = 0\n  }\n}\n");
    ConfigFileException e = assertThrows(ConfigFileException.class, () -> ServerConfig.load(file));
    assertEquals(file + ":3: plugins.hello.processes: processes must be 1 to 256, got 0", e.getMessage());
  }

  @Test
  void aValueOfTheWrongType_isRefusedSayingWhatWasExpected() throws Exception {
    Path file = write("defaults { call-time-limit = soon }\n");
    ConfigFileException e = assertThrows(ConfigFileException.class, () -> ServerConfig.load(file));
    assertTrue(e.getMessage().startsWith(file + ":1: defaults.call-time-limit: "), e.getMessage());
    assertTrue(e.getMessage().contains("soon"), e.getMessage());
  }

  @Test
  void anUnknownEnumValue_listsTheChoices() throws Exception {
    Path file = write("defaults { sandbox = maybe }\n");
    ConfigFileException e = assertThrows(ConfigFileException.class, () -> ServerConfig.load(file));
    assertEquals(file + ":1: defaults.sandbox: 'maybe' is not one of auto, off, required", e.getMessage());
  }

  @Test
  void anUnknownTopLevelKey_isRefused() throws Exception {
    Path file = write("plugin-directory = x\n");
    ConfigFileException e = assertThrows(ConfigFileException.class, () -> ServerConfig.load(file));
    assertTrue(e.getMessage().startsWith(file + ":1: plugin-directory: is not a known key here"), e.getMessage());
  }

  @Test
  void aFileThatDoesNotParse_isRefusedWithItsLine() throws Exception {
    Path file = write("defaults {\n  processes = 2\n\n");
    ConfigFileException e = assertThrows(ConfigFileException.class, () -> ServerConfig.load(file));
    assertTrue(e.getMessage().startsWith(file + ":"), e.getMessage());
  }

  @Test
  void aMissingFile_isRefusedByName() {
    Path file = dir.resolve("nope.conf");
    ConfigFileException e = assertThrows(ConfigFileException.class, () -> ServerConfig.load(file));
    assertEquals(file + ": no such file", e.getMessage());
  }

  @Test
  void anAdminSocketPathTooLongForUnixSockets_isRefused() throws Exception {
    Path file = write("admin { socket = \"/tmp/" + "x".repeat(120) + "\" }\n");
    ConfigFileException e = assertThrows(ConfigFileException.class, () -> ServerConfig.load(file));
    assertTrue(e.getMessage().contains("admin.socket") && e.getMessage().contains("107 bytes"), e.getMessage());
  }
}
