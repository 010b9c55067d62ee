package dev.ballast.spring;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.tools.Diagnostic;
import javax.tools.DiagnosticCollector;
import javax.tools.JavaCompiler;
import javax.tools.JavaFileObject;
import javax.tools.SimpleJavaFileObject;
import javax.tools.StandardJavaFileManager;
import javax.tools.ToolProvider;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every {@code ```java} block of this module's README compiles as written against the starter's test class path
 * (Spring types included, which is why examples' ReadmeSnippetsTest leaves this README out). Each block is one
 * complete compilation unit: its imports and one public type.
 */
class ReadmeSnippetsTest {

  private static final Pattern BLOCK = Pattern.compile("```java\\n(.*?)```", Pattern.DOTALL);
  private static final Pattern PUBLIC_TYPE = Pattern.compile("public\\s+(?:final\\s+)?(?:class|interface|record)\\s+(\\w+)");

  @Test
  void everyJavaBlockCompiles(@TempDir Path out) throws IOException {
    String readme = Files.readString(Path.of("README.md"), StandardCharsets.UTF_8);
    List<JavaFileObject> units = new ArrayList<>();
    Matcher block = BLOCK.matcher(readme);
    while (block.find()) {
      String source = block.group(1);
      Matcher type = PUBLIC_TYPE.matcher(source);
      assertThat(type.find()).as("a public type in the README block:%n%s", source).isTrue();
      units.add(new SimpleJavaFileObject(URI.create("string:///" + type.group(1) + ".java"),
          JavaFileObject.Kind.SOURCE) {
        @Override
        public CharSequence getCharContent(boolean ignoreEncodingErrors) {
          return source;
        }
      });
    }
    assertThat(units).as("java blocks in spring-boot/README.md").isNotEmpty();

    JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
    DiagnosticCollector<JavaFileObject> diagnostics = new DiagnosticCollector<>();
    try (StandardJavaFileManager files = javac.getStandardFileManager(diagnostics, null, StandardCharsets.UTF_8)) {
      boolean compiled = javac.getTask(null, files, diagnostics, List.of("-proc:none", "-d", out.toString(),
          "-classpath", System.getProperty("java.class.path")), null, units).call();
      assertThat(compiled).as("README snippets compile: %s", diagnostics.getDiagnostics().stream()
          .filter(d -> d.getKind() == Diagnostic.Kind.ERROR).map(d -> d.getSource().getName() + ":"
              + d.getLineNumber() + ": " + d.getMessage(null)).toList()).isTrue();
    }
  }
}
