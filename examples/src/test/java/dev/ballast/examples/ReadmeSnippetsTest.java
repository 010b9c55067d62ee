package dev.ballast.examples;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.DynamicTest.dynamicTest;

import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import javax.tools.Diagnostic;
import javax.tools.DiagnosticCollector;
import javax.tools.JavaCompiler;
import javax.tools.JavaFileObject;
import javax.tools.SimpleJavaFileObject;
import javax.tools.ToolProvider;
import dev.ballast.core.config.ConfigContext;
import dev.ballast.core.config.ConfigException;
import dev.ballast.core.config.Configuration;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every {@code ```java} block of README.md, the module READMEs and docs/*.md compiles as written, with the
 * imports it shows, against the reactor's modules. The names a snippet uses without declaring them
 * ({@code redisClient}, {@code mapper}, {@code catalog}, ...) are the reader's own objects, declared in
 * {@link ReadmeContext}; a class a snippet instantiates to hand to {@code Wrapper.wrap} ("your
 * implementation") is stood in for, and only its missing methods are forgiven.
 *
 * <p>A snippet is split into its import lines, the type declarations that start at column 0 (through the
 * {@code }} that closes them at column 0) and the rest, which becomes a method body. {@code { ... }} (an
 * elided block) compiles as an empty block. All snippets compile in one javac run; each is reported as its
 * own test, named by file and line.
 */
class ReadmeSnippetsTest {

  private static final Pattern TYPE_START =
      Pattern.compile("^(public\\s+)?(sealed\\s+)?(interface|record|class|enum|@interface)\\s+(\\w+).*");
  private static final Pattern WRAP_TARGET =
      Pattern.compile("Wrapper\\.wrap\\((\\w+)\\.class,\\s*new\\s+(\\w+)\\(");
  private static final String STAND_IN_ERROR = "compiler.err.does.not.override.abstract";

  /** One {@code ```java} block: where it is and its lines. */
  record Snippet(String file, int firstLine, List<String> lines) {
    String where() {
      return file + ":" + firstLine;
    }
  }

  /** A snippet as one compilation unit, with the README line of each generated line. */
  record Unit(Snippet snippet, String className, String source, Map<Integer, Integer> readmeLine,
      int standInsFrom) {}

  @TestFactory
  Stream<DynamicTest> everyJavaSnippetInTheReadmesCompilesAsWritten() throws IOException {
    List<Snippet> snippets = new ArrayList<>();
    for (Path file : documents()) {
      snippets.addAll(snippetsOf(file));
    }
    // Sanity: the files were found (the test runs from examples/, the READMEs are one level up).
    assertThat(snippets).as("java snippets found in %s", documents()).hasSizeGreaterThanOrEqualTo(10);

    List<Unit> units = new ArrayList<>();
    for (int i = 0; i < snippets.size(); i++) {
      units.add(unitOf(snippets.get(i), "Snippet" + i));
    }
    Map<String, List<String>> errors = compile(units);
    return units.stream().map(unit -> dynamicTest(unit.snippet().where(), () -> {
      assertThat(errors.getOrDefault(unit.className(), List.of()))
          .as("%s does not compile as written (names it may use undeclared: ReadmeContext)%n%s",
              unit.snippet().where(), unit.source())
          .isEmpty();
      assertThat(nonPublicWrappedInterfaces(unit.snippet()))
          .as("%s: Wrapper.wrap refuses an interface that is not public", unit.snippet().where())
          .isEmpty();
    }));
  }

  /**
   * The README's "add it with the BOM" snippet is, as written, what consumer-check's project builds
   * (between its "README snippet" markers), so the snippet a user copies is the one {@code mvn verify} tried.
   */
  @Test
  void theReadmesBomSnippetIsTheProjectThatConsumerCheckBuilds() throws IOException {
    Path root = Path.of("").toAbsolutePath().getParent();
    String readme = Files.readString(root.resolve("README.md"));
    Matcher block = Pattern.compile("```xml\\n(.*?)```", Pattern.DOTALL).matcher(readme);
    String snippet = null;
    while (block.find()) {
      if (block.group(1).contains("ballast-bom")) {
        snippet = block.group(1);
      }
    }
    assertThat(snippet).as("README.md has an xml block importing ballast-bom").isNotNull();
    String pom = Files.readString(root.resolve("consumer-check/src/it/bom-consumer/pom.xml"));
    int from = pom.indexOf("<!-- README snippet: begin -->");
    int to = pom.indexOf("<!-- README snippet: end -->");
    assertThat(from).as("consumer-check's pom marks the README snippet").isPositive();
    String built = pom.substring(from + "<!-- README snippet: begin -->".length(), to);
    assertThat(normalized(snippet)).isEqualTo(normalized(built));
  }

  /**
   * The README's example error is what Ballast says, line number included, for its own example file with
   * {@code rate} misspelt; and it is {@code buildRegistry}, not {@code load}, that says it (as the README
   * explains).
   */
  @Test
  void theReadmesConfigurationErrorIsTheOneBallastGives(@TempDir Path dir) throws IOException {
    Path root = Path.of("").toAbsolutePath().getParent();
    String readme = Files.readString(root.resolve("README.md"));
    Matcher block = Pattern.compile("```yaml\\n(extends: \\[spike-protection.*?)```", Pattern.DOTALL).matcher(readme);
    assertThat(block.find()).as("README.md's ballast.yaml example").isTrue();
    String misspelt = block.group(1).replace("external-api: { rate:", "external-api: { rat: ");
    assertThat(misspelt).isNotEqualTo(block.group(1));
    Path file = dir.resolve("ballast.yaml");
    Files.writeString(file, misspelt);

    Configuration loaded = Configuration.load(file);
    String message = null;
    try (var registry = loaded.buildRegistry(ConfigContext.defaults())) {
      assertThat(registry).as("an unknown key must fail the build").isNull();
    } catch (ConfigException e) {
      message = e.getMessage();
    } catch (Exception e) {
      throw new AssertionError(e);
    }
    assertThat(message).isNotNull();
    String quoted = message.replace(file.toString(), "ballast.yaml");
    String firstSentence = quoted.substring(0, quoted.indexOf('?') + 1);
    assertThat(readme).contains("`" + firstSentence + "`");
  }

  private static String normalized(String xml) {
    return xml.replaceAll("\\s+", " ").strip();
  }

  /** README.md, every module's README.md (but spring-boot's) and docs/*.md. */
  static List<Path> documents() throws IOException {
    Path root = Path.of("").toAbsolutePath().getParent();
    List<Path> files = new ArrayList<>();
    files.add(root.resolve("README.md"));
    try (Stream<Path> modules = Files.list(root)) {
      // spring-boot's snippets need Spring on the class path, which examples does not have: not checked here.
      modules.filter(module -> !module.getFileName().toString().equals("spring-boot"))
          .map(module -> module.resolve("README.md")).filter(Files::isRegularFile).sorted().forEach(files::add);
    }
    Path docs = root.resolve("docs");
    if (Files.isDirectory(docs)) {
      try (Stream<Path> pages = Files.list(docs)) {
        pages.filter(page -> page.toString().endsWith(".md")).sorted().forEach(files::add);
      }
    }
    return files.stream().filter(Files::isRegularFile).collect(Collectors.toList());
  }

  static List<Snippet> snippetsOf(Path file) throws IOException {
    Path root = Path.of("").toAbsolutePath().getParent();
    String name = root.relativize(file).toString();
    List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
    List<Snippet> snippets = new ArrayList<>();
    for (int i = 0; i < lines.size(); i++) {
      if (lines.get(i).strip().equals("```java")) {
        int start = i + 1;
        int end = start;
        while (end < lines.size() && !lines.get(end).strip().startsWith("```")) {
          end++;
        }
        snippets.add(new Snippet(name, start + 1, List.copyOf(lines.subList(start, end))));
        i = end;
      }
    }
    return snippets;
  }

  static Unit unitOf(Snippet snippet, String className) {
    List<String> imports = new ArrayList<>();
    List<Integer> importLines = new ArrayList<>();
    List<String> types = new ArrayList<>();
    List<Integer> typeLines = new ArrayList<>();
    List<String> body = new ArrayList<>();
    List<Integer> bodyLines = new ArrayList<>();
    boolean inType = false;
    for (int i = 0; i < snippet.lines().size(); i++) {
      String line = snippet.lines().get(i).replace("{ ... }", "{ }");
      int readme = snippet.firstLine() + i;
      if (!inType && line.startsWith("import ")) {
        imports.add(line);
        importLines.add(readme);
      } else if (inType || TYPE_START.matcher(line).matches() || (line.startsWith("@") && nextIsType(snippet, i))) {
        inType = !line.equals("}");
        types.add("  " + line);
        typeLines.add(readme);
      } else {
        body.add("    " + line);
        bodyLines.add(readme);
      }
    }
    StringBuilder source = new StringBuilder();
    Map<Integer, Integer> readmeLine = new TreeMap<>();
    int[] line = {1};
    java.util.function.BiConsumer<String, Integer> emit = (text, readme) -> {
      source.append(text).append('\n');
      if (readme != null) {
        readmeLine.put(line[0], readme);
      }
      line[0]++;
    };
    emit.accept("package readme;", null);
    for (int i = 0; i < imports.size(); i++) {
      emit.accept(imports.get(i), importLines.get(i));
    }
    emit.accept("@SuppressWarnings(\"all\") class " + className + " extends dev.ballast.examples.ReadmeContext {", null);
    for (int i = 0; i < types.size(); i++) {
      emit.accept(types.get(i), typeLines.get(i));
    }
    emit.accept("  void snippet() throws Exception {", null);
    for (int i = 0; i < body.size(); i++) {
      emit.accept(body.get(i), bodyLines.get(i));
    }
    emit.accept("  }", null);
    int standInsFrom = line[0];
    Matcher wrap = WRAP_TARGET.matcher(String.join("\n", snippet.lines()));
    while (wrap.find()) {
      emit.accept("  static class " + wrap.group(2) + " implements " + wrap.group(1)
          + " { " + wrap.group(2) + "(Object... yourArguments) {} }", null);
    }
    emit.accept("}", null);
    return new Unit(snippet, className, source.toString(), readmeLine, standInsFrom);
  }

  private static boolean nextIsType(Snippet snippet, int index) {
    for (int i = index + 1; i < snippet.lines().size(); i++) {
      String line = snippet.lines().get(i);
      if (!line.startsWith("@")) {
        return TYPE_START.matcher(line).matches();
      }
    }
    return false;
  }

  /** Compiles all units in one javac run; returns each unit's errors, with README lines. */
  static Map<String, List<String>> compile(List<Unit> units) throws IOException {
    JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
    assertThat(javac).as("a JDK's compiler (the tests run on a JDK)").isNotNull();
    List<JavaFileObject> sources = new ArrayList<>();
    Map<String, Unit> byClass = new TreeMap<>();
    for (Unit unit : units) {
      byClass.put(unit.className(), unit);
      sources.add(new SimpleJavaFileObject(URI.create("string:///readme/" + unit.className() + ".java"),
          JavaFileObject.Kind.SOURCE) {
        @Override
        public CharSequence getCharContent(boolean ignoreEncodingErrors) {
          return unit.source();
        }
      });
    }
    Path out = Files.createDirectories(Path.of("target", "readme-snippets"));
    String classPath = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
    DiagnosticCollector<JavaFileObject> diagnostics = new DiagnosticCollector<>();
    javac.getTask(null, null, diagnostics,
        List.of("-classpath", classPath, "-d", out.toString(), "-proc:none", "-Xlint:none", "-nowarn",
            "-Xmaxerrs", "100000"),
        null, sources).call();
    Map<String, List<String>> errors = new TreeMap<>();
    for (Diagnostic<? extends JavaFileObject> d : diagnostics.getDiagnostics()) {
      if (d.getKind() != Diagnostic.Kind.ERROR || d.getSource() == null) {
        continue;
      }
      String className = Path.of(d.getSource().toUri().getPath()).getFileName().toString().replace(".java", "");
      Unit unit = byClass.get(className);
      int line = (int) d.getLineNumber();
      if (unit == null || (line >= unit.standInsFrom() && STAND_IN_ERROR.equals(d.getCode()))) {
        continue; // "your implementation" need not implement the snippet's interface here
      }
      Integer readme = unit.readmeLine().get(line);
      errors.computeIfAbsent(className, k -> new ArrayList<>()).add(String.format(Locale.ROOT, "%s:%s: %s",
          unit.snippet().file(), readme == null ? "(generated line " + line + ")" : readme,
          d.getMessage(Locale.ROOT)));
    }
    return errors;
  }

  /** Interfaces a snippet declares without {@code public} and hands to {@code Wrapper.wrap}. */
  static List<String> nonPublicWrappedInterfaces(Snippet snippet) {
    String text = String.join("\n", snippet.lines());
    List<String> refused = new ArrayList<>();
    Matcher wrap = WRAP_TARGET.matcher(text);
    while (wrap.find()) {
      if (Pattern.compile("(?m)^interface\\s+" + wrap.group(1) + "\\b").matcher(text).find()) {
        refused.add(wrap.group(1));
      }
    }
    return refused;
  }
}
