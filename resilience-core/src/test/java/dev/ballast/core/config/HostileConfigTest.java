package dev.ballast.core.config;

import dev.ballast.core.config.spi.ConfigNode;
import dev.ballast.core.config.spi.ConfigSection;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assumptions.assumeThat;

import dev.ballast.core.Retry;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Files a hostile or careless author could hand the loader: each ends in a ConfigException with file and line. */
class HostileConfigTest {

  @TempDir
  Path dir;

  // ------------------------------------------------------------------ aliases

  @Test
  void aSequenceAliasThatContainsItselfIsRefusedWithItsLine() {
    assertThatThrownBy(() -> Configuration.parse("a: &x [*x]\n", "loop.yaml"))
        .isInstanceOf(ConfigException.class)
        .hasMessageStartingWith("loop.yaml:1: a[0]: ")
        .hasMessageContaining("recursive alias");
  }

  @Test
  void aMapAliasThatContainsItselfIsRefusedAtTheLineOfTheAlias() {
    String yaml = """
        retries: &r
          payments:
            nested: *r
        """;
    assertThatThrownBy(() -> Configuration.parse(yaml, "loop.yaml"))
        .isInstanceOf(ConfigException.class)
        .hasMessageStartingWith("loop.yaml:3: retries.payments.nested: ")
        .hasMessageContaining("recursive alias");
  }

  @Test
  void aliasBombsAreStillRefused() {
    StringBuilder yaml = new StringBuilder("a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n");
    for (int i = 1; i < 12; i++) {
      yaml.append("a").append(i).append(": &a").append(i).append(" [");
      for (int j = 0; j < 10; j++) {
        yaml.append(j == 0 ? "" : ", ").append("*a").append(i - 1);
      }
      yaml.append("]\n");
    }
    assertThatThrownBy(() -> Configuration.parse(yaml.toString(), "bomb.yaml"))
        .isInstanceOf(ConfigException.class)
        .hasMessageStartingWith("bomb.yaml:");
  }

  @Test
  void aFewAliasesOfLongListsCannotExpandIntoMillionsOfValues() {
    // 20 aliases are allowed, but 10 aliases of a 10,000-item list, aliased 10 times again, are 1,000,000 values.
    StringBuilder yaml = new StringBuilder("l0: &l0 [");
    for (int i = 0; i < 10_000; i++) {
      yaml.append(i == 0 ? "1" : ",1");
    }
    yaml.append("]\nl1: &l1 [*l0, *l0, *l0, *l0, *l0, *l0, *l0, *l0, *l0, *l0]\n");
    yaml.append("l2: [*l1, *l1, *l1, *l1, *l1, *l1, *l1, *l1, *l1, *l1]\n");
    assertThatThrownBy(() -> Configuration.parse(yaml.toString(), "bomb.yaml"))
        .isInstanceOf(ConfigException.class)
        .hasMessageStartingWith("bomb.yaml:")
        .hasMessageContaining("more than 100000 values");
  }

  @Test
  void aNonRecursiveAliasStillWorks() {
    String yaml = """
        retries:
          payments: &standard { maxAttempts: 4 }
          search: *standard
        """;
    assertThat(Configuration.parse(yaml, "ok.yaml").buildRegistry(ConfigContext.defaults())
        .get("search", Retry.class)).isNotNull();
  }

  // ------------------------------------------------------------------ keys

  @Test
  void aQuotedKeyWithADotIsAnUnknownKeyNotIgnored() {
    String yaml = """
        retries:
          payments:
            "typo.maxAttempts": 0
        """;
    assertThatThrownBy(() -> Configuration.parse(yaml, "dots.yaml").buildRegistry(ConfigContext.defaults()))
        .isInstanceOf(ConfigException.class)
        .hasMessageStartingWith("dots.yaml:3: retries.payments.\"typo.maxAttempts\": ")
        .hasMessageContaining("unknown key");
  }

  @Test
  void aDottedKeyForANestedOneSaysToNestIt() {
    String yaml = """
        retries:
          payments:
            backoff.initial: 2s
        """;
    assertThatThrownBy(() -> Configuration.parse(yaml, "dots.yaml").buildRegistry(ConfigContext.defaults()))
        .isInstanceOf(ConfigException.class)
        .hasMessageStartingWith("dots.yaml:3: retries.payments.\"backoff.initial\": ")
        .hasMessageContaining("backoff: { initial:");
  }

  @Test
  void aDottedSectionNameIsUnknown() {
    assertThatThrownBy(() -> Configuration.parse("\"retries.payments\": { maxAttempts: 2 }\n", "dots.yaml")
        .buildRegistry(ConfigContext.defaults()))
        .isInstanceOf(ConfigException.class)
        .hasMessageStartingWith("dots.yaml:1: \"retries.payments\": ")
        .hasMessageContaining("unknown key");
  }

  @Test
  void malformedKeysAreRefusedWherever() {
    assertMalformedKey("retries:\n  \"\": { maxAttempts: 2 }\n", 2);
    assertMalformedKey("retries:\n  ~: { maxAttempts: 2 }\n", 2);
    assertMalformedKey("retries:\n  \"payments \": { maxAttempts: 2 }\n", 2);
    assertMalformedKey("retries:\n  \"pay\\u200Bments\": { maxAttempts: 2 }\n", 2);
    assertMalformedKey("retries:\n  \"pay\\tments\": { maxAttempts: 2 }\n", 2);
    assertMalformedKey("base: &b { maxAttempts: 2 }\nretries:\n  payments:\n    <<: *b\n", 4);
  }

  private static void assertMalformedKey(String yaml, int line) {
    assertThatThrownBy(() -> Configuration.parse(yaml, "keys.yaml").buildRegistry(ConfigContext.defaults()))
        .as(yaml)
        .isInstanceOf(ConfigException.class)
        .hasMessageStartingWith("keys.yaml:" + line + ": ");
  }

  // ------------------------------------------------------------------ extends

  @Test
  void extendsRefusesAnAbsolutePath() throws IOException {
    Path outside = Files.writeString(Files.createTempFile("outside", ".yaml"), "retries: { x: {} }\n");
    try {
      Path file = Files.writeString(dir.resolve("app.yaml"), "extends: " + outside + "\n");
      assertThatThrownBy(() -> Configuration.load(file))
          .isInstanceOf(ConfigException.class)
          .hasMessageStartingWith(file + ":1: extends: ")
          .hasMessageContaining("allowExtendsFrom");
    } finally {
      Files.delete(outside);
    }
  }

  @Test
  void extendsRefusesAFileAboveTheIncludingFilesFolder() throws IOException {
    Files.writeString(dir.resolve("secret.yaml"), "retries: { x: {} }\n");
    Path app = Files.createDirectories(dir.resolve("app"));
    Path file = Files.writeString(app.resolve("app.yaml"), "extends: ../secret.yaml\n");
    assertThatThrownBy(() -> Configuration.load(file))
        .isInstanceOf(ConfigException.class)
        .hasMessageStartingWith(file + ":1: extends: ")
        .hasMessageContaining("outside");
    Path sneaky = Files.writeString(app.resolve("sneaky.yaml"), "extends: sub/../../secret.yaml\n");
    assertThatThrownBy(() -> Configuration.load(sneaky)).isInstanceOf(ConfigException.class)
        .hasMessageContaining("outside");
  }

  @Test
  void extendsRefusesASymbolicLinkThatLeadsOutside() throws IOException {
    Path secret = Files.writeString(dir.resolve("secret.yaml"), "retries: { x: {} }\n");
    Path app = Files.createDirectories(dir.resolve("app"));
    try {
      Files.createSymbolicLink(app.resolve("link.yaml"), secret);
    } catch (UnsupportedOperationException | IOException e) {
      assumeThat(false).as("symbolic links: " + e).isTrue();
    }
    Path file = Files.writeString(app.resolve("app.yaml"), "extends: link.yaml\n");
    assertThatThrownBy(() -> Configuration.load(file))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("outside");
  }

  @Test
  void extendsReadsFilesAtOrBelowTheIncludingFilesFolder() throws IOException {
    Path sub = Files.createDirectories(dir.resolve("shared"));
    Files.writeString(sub.resolve("base.yaml"), "extends: more/retries.yaml\n");
    Files.createDirectories(sub.resolve("more"));
    Files.writeString(sub.resolve("more/retries.yaml"), "retries: { payments: { maxAttempts: 4 } }\n");
    Files.writeString(dir.resolve("sibling.yaml"), "timeouts: { payments: { limit: 1s } }\n");
    Path file = Files.writeString(dir.resolve("app.yaml"), "extends: [shared/base.yaml, ./sibling.yaml]\n");
    ConfigNode root = Configuration.load(file).root();
    assertThat(root.get("retries").get("payments").get("maxAttempts").text()).isEqualTo("4");
    assertThat(root.get("timeouts")).isNotNull();
  }

  @Test
  void theApplicationMayAllowAnotherFolder() throws IOException {
    Path company = Files.createDirectories(dir.resolve("company"));
    Path base = Files.writeString(company.resolve("base.yaml"), "retries: { payments: { maxAttempts: 4 } }\n");
    Path app = Files.createDirectories(dir.resolve("app"));
    Path file = Files.writeString(app.resolve("app.yaml"), "extends: [../company/base.yaml, " + base + "]\n");
    ConfigNode root = Configuration.loader().allowExtendsFrom(company).load(file).root();
    assertThat(root.get("retries").get("payments").get("maxAttempts").text()).isEqualTo("4");
    assertThatThrownBy(() -> Configuration.loader().allowExtendsFrom(company).allowExtendsFrom(company))
        .isInstanceOf(IllegalStateException.class);
  }

  @Test
  void extendsCannotFanOutIntoThousandsOfReads() throws IOException {
    // Each file extends the next one ten times: no cycle, yet 1,110 reads here, and 10^6 with three more files.
    Files.writeString(dir.resolve("d.yaml"), "retries: { payments: { maxAttempts: 4 } }\n");
    for (String[] pair : new String[][] {{"c", "d"}, {"b", "c"}, {"a", "b"}}) {
      Files.writeString(dir.resolve(pair[0] + ".yaml"), "extends: [" + String.join(", ",
          java.util.Collections.nCopies(10, pair[1] + ".yaml")) + "]\n");
    }
    Path file = dir.resolve("a.yaml");
    assertThatThrownBy(() -> Configuration.load(file))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining(": extends")
        .hasMessageContaining("more than " + Configuration.MAX_EXTENDED + " files");
    // A configuration that extends a few files, a preset and a file twice on different branches still loads.
    Files.writeString(dir.resolve("shared.yaml"), "timeouts: { payments: { limit: 1s } }\n");
    Files.writeString(dir.resolve("left.yaml"), "extends: [shared.yaml, external-api]\n");
    Files.writeString(dir.resolve("right.yaml"), "extends: shared.yaml\n");
    Path fine = Files.writeString(dir.resolve("fine.yaml"), "extends: [left.yaml, right.yaml, d.yaml]\n");
    assertThat(Configuration.load(fine).root().get("timeouts")).isNotNull();
  }

  @Test
  void aPresetNameCannotLeaveThePresetsFolder() {
    for (String name : new String[] {"../presets/external-api", "../../../META-INF/MANIFEST", "/dev/ballast/presets/external-api",
        "sub/external-api", "external-api\u0000"}) {
      assertThatThrownBy(() -> Configuration.parse("extends: \"" + name.replace("\u0000", "\\0") + "\"\n", "p.yaml"))
          .as(name)
          .isInstanceOf(ConfigException.class)
          .hasMessageStartingWith("p.yaml:1: extends: ")
          .hasMessageContaining("no preset named");
      assertThatThrownBy(() -> Configuration.preset(name)).as(name).isInstanceOf(IllegalArgumentException.class);
    }
  }

  // ------------------------------------------------------------------ numbers

  @Test
  void onlyAsciiDigitsAreNumbers() {
    for (String digits : new String[] {"\u0663", "\uFF13", "\u0969", "3\u0663"}) {
      String yaml = "retries:\n  payments:\n    maxAttempts: " + digits + "\n";
      assertThatThrownBy(() -> Configuration.parse(yaml, "digits.yaml").buildRegistry(ConfigContext.defaults()))
          .as(digits)
          .isInstanceOf(ConfigException.class)
          .hasMessageStartingWith("digits.yaml:3: retries.payments.maxAttempts: must be a whole number");
    }
    assertThat(Configuration.parse("retries: { p: { maxAttempts: 1_0 } }", "ok.yaml").root()
        .get("retries").get("p").intValue("maxAttempts", null, 1, 100)).isEqualTo(10);
  }

  // ------------------------------------------------------------------ bytes

  @Test
  void invalidUtf8IsReportedWithFileAndLine() throws IOException {
    Path file = dir.resolve("latin1.yaml");
    byte[] text = "retries:\n  payments:\n    # caf\u00e9\n    maxAttempts: 2\n".getBytes(StandardCharsets.ISO_8859_1);
    Files.write(file, text);
    assertThatThrownBy(() -> Configuration.load(file))
        .isInstanceOf(ConfigException.class)
        .hasMessageStartingWith(file + ":3: ")
        .hasMessageContaining("UTF-8");
  }

  @Test
  void aHugeFileIsRefusedBeforeItIsRead() throws IOException {
    Path file = dir.resolve("huge.yaml");
    try (RandomAccessFile sparse = new RandomAccessFile(file.toFile(), "rw")) {
      sparse.setLength(600L << 20); // sparse: takes no disk
    }
    com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
    long before = threads.getCurrentThreadAllocatedBytes();
    assertThatThrownBy(() -> Configuration.load(file))
        .isInstanceOf(ConfigException.class)
        .hasMessageStartingWith(file + ":0: ")
        .hasMessageContaining("1 MiB");
    long allocated = threads.getCurrentThreadAllocatedBytes() - before;
    assertThat(allocated).as("bytes allocated to refuse a 600 MB file").isLessThan(16L << 20);
  }

  @Test
  void aFileOverTwoGigabytesIsAConfigExceptionNotAnOutOfMemoryError() throws IOException {
    Path file = dir.resolve("enormous.yaml");
    try (RandomAccessFile sparse = new RandomAccessFile(file.toFile(), "rw")) {
      sparse.setLength(3L << 30);
    }
    assertThatThrownBy(() -> Configuration.load(file))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("1 MiB");
  }

  @Test
  void aStreamWithoutAKnownSizeIsCutOffAtTheLimit() throws Exception {
    // /dev/zero reports size 0 and never ends: the loader must stop reading at the limit.
    Path zero = Path.of("/dev/zero");
    assumeThat(Files.isReadable(zero)).isTrue();
    com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
    long before = threads.getCurrentThreadAllocatedBytes();
    assertThatThrownBy(() -> Configuration.load(zero))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("1 MiB");
    assertThat(threads.getCurrentThreadAllocatedBytes() - before).isLessThan(16L << 20);
  }
}
