package dev.pluginhost.host.internal.spawn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ClassDataArchiveTest {
  @TempDir Path temp;
  private Path cache;
  private Path java;

  @BeforeEach
  void fakeJdk() throws IOException {
    cache = Files.createDirectories(temp.resolve("cache"));
    java = jdk("jdk", "17.0.15");
  }

  private Path jdk(String name, String version) throws IOException {
    Path home = Files.createDirectories(temp.resolve(name));
    Files.createDirectories(home.resolve("bin"));
    Files.createDirectories(home.resolve("lib"));
    Files.writeString(home.resolve("release"), "IMPLEMENTOR=\"Debian\"\nJAVA_VERSION=\"" + version + "\"\n");
    Files.write(home.resolve("lib").resolve("modules"), new byte[1000]);
    Files.setLastModifiedTime(home.resolve("lib").resolve("modules"), FileTime.from(Instant.parse("2026-01-01T00:00:00Z")));
    return Files.writeString(home.resolve("bin").resolve("java"), "");
  }

  private List<String> command(Path javaExecutable, String runnerJar, String... options) {
    List<String> command = new ArrayList<>();
    command.add(javaExecutable.toString());
    command.addAll(List.of(options));
    command.addAll(List.of("-cp", runnerJar, JvmCommand.RUNNER_MAIN));
    return command;
  }

  private Path archiveFile(List<String> command) {
    return ClassDataArchive.forCommand(cache, command).orElseThrow().file();
  }

  @Test
  void theSameJdkJarAndOptions_nameTheSameArchive() {
    assertEquals(
        archiveFile(command(java, "/c/plugin-runner-aaa.jar", "-Xmx256m")),
        archiveFile(command(java, "/c/plugin-runner-aaa.jar", "-Xmx256m")));
  }

  @Test
  void anotherRunnerJar_namesAnotherArchive() {
    assertNotEquals(
        archiveFile(command(java, "/c/plugin-runner-aaa.jar")),
        archiveFile(command(java, "/c/plugin-runner-bbb.jar")));
  }

  @Test
  void anotherJvmOption_namesAnotherArchive() {
    assertNotEquals(
        archiveFile(command(java, "/c/plugin-runner-aaa.jar", "-Xmx256m")),
        archiveFile(command(java, "/c/plugin-runner-aaa.jar", "-Xmx128m")));
  }

  @Test
  void aJdkUpdatedInPlace_namesAnotherArchive() throws IOException {
    Path before = archiveFile(command(java, "/c/plugin-runner-aaa.jar"));
    Path modules = java.getParent().getParent().resolve("lib").resolve("modules");
    Files.setLastModifiedTime(modules, FileTime.from(Instant.parse("2026-06-01T00:00:00Z")));

    assertNotEquals(before, archiveFile(command(java, "/c/plugin-runner-aaa.jar")));
  }

  @Test
  void anotherJdkOfTheSameVersion_namesAnotherArchive() throws IOException {
    Path otherJava = jdk("other-jdk", "17.0.15");

    assertNotEquals(
        archiveFile(command(java, "/c/plugin-runner-aaa.jar")),
        archiveFile(command(otherJava, "/c/plugin-runner-aaa.jar")));
  }

  @Test
  void java17_usesAppCdsMappedWithoutRelocation() {
    ClassDataArchive archive = ClassDataArchive.forCommand(cache, command(java, "/c/r.jar")).orElseThrow();

    assertEquals(17, archive.javaRelease());
    assertTrue(archive.file().getFileName().toString().endsWith(".jsa"));
    assertTrue(archive.file().startsWith(cache));
    assertTrue(archive.useOptions().contains("-XX:SharedArchiveFile=" + archive.file()));
    assertTrue(archive.useOptions().contains("-XX:ArchiveRelocationMode=0"));
    assertEquals(List.of("-XX:ArchiveClassesAtExit=/x/out.tmp"), archive.createOptions(Path.of("/x/out.tmp")));
  }

  @Test
  void java25_usesTheJdksOwnAheadOfTimeCache() throws IOException {
    Path java25 = jdk("jdk25", "25.0.1");
    ClassDataArchive archive = ClassDataArchive.forCommand(cache, command(java25, "/c/r.jar")).orElseThrow();

    assertEquals(25, archive.javaRelease());
    assertTrue(archive.file().getFileName().toString().endsWith(".aot"));
    assertTrue(archive.useOptions().contains("-XX:AOTCache=" + archive.file()));
    assertTrue(archive.useOptions().contains("-XX:ArchiveRelocationMode=0"));
    assertEquals(List.of("-XX:AOTCacheOutput=/x/out.tmp"), archive.createOptions(Path.of("/x/out.tmp")));
  }

  @Test
  void aJdkOlderThan17_orWithoutReleaseFile_getsNoArchive() throws IOException {
    Path java11 = jdk("jdk11", "11.0.22");
    Path bare = Files.createDirectories(temp.resolve("bare").resolve("bin")).resolve("java");
    Files.writeString(bare, "");

    assertFalse(ClassDataArchive.forCommand(cache, command(java11, "/c/r.jar")).isPresent());
    assertFalse(ClassDataArchive.forCommand(cache, command(bare, "/c/r.jar")).isPresent());
    assertFalse(ClassDataArchive.forCommand(cache, command(temp.resolve("missing/bin/java"), "/c/r.jar")).isPresent());
  }

  @Test
  void anArchiveExistsOnlyOnceItsFileIsThere() throws IOException {
    ClassDataArchive archive = ClassDataArchive.forCommand(cache, command(java, "/c/r.jar")).orElseThrow();
    assertFalse(archive.exists());

    Files.write(archive.file(), new byte[] {1});

    assertTrue(archive.exists());
  }

  @Test
  void featureRelease_readsModernAndLegacyVersionStrings() {
    assertEquals(17, JdkRelease.featureRelease("17.0.15"));
    assertEquals(25, JdkRelease.featureRelease("25"));
    assertEquals(21, JdkRelease.featureRelease("21-ea"));
    assertEquals(0, JdkRelease.featureRelease("1.8.0_392"));
    assertEquals(0, JdkRelease.featureRelease(""));
  }

  @Test
  void aTrainingJvm_isToldApartByTheOptionThatWritesItsArchive() {
    ClassDataArchive java17 = ClassDataArchive.forCommand(cache, command(java, "/c/r.jar")).orElseThrow();

    assertTrue(ClassDataArchive.isTraining(java17.createOptions(Path.of("/x/out.tmp"))));
    assertTrue(ClassDataArchive.isTraining(List.of("-Xmx64m", "-XX:AOTCacheOutput=/x/a.aot", "-cp", "r.jar")));
    assertFalse(ClassDataArchive.isTraining(java17.useOptions()));
  }
}
