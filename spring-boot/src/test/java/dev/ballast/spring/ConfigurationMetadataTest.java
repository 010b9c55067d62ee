package dev.ballast.spring;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ballast.core.config.spi.ConfigSection;
import dev.ballast.core.config.spi.EntrySection;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.ServiceLoader;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * {@code META-INF/spring-configuration-metadata.json} documents every key that a section reads, so it cannot drift
 * from the sections: each section found on this class path (every Ballast module's, through the same
 * {@link ServiceLoader} that {@code Configuration} uses) has its property, and each of its
 * {@link ConfigSection#entryKeys()} has one too, as {@code ballast.<section>.*.<key>} for a section of named entries
 * ({@code *} is the entry's name) or {@code ballast.<section>.<key>} for the switchboard; a nested key such as
 * {@code backoff} is documented by its own keys ({@code backoff.initial}, ...). Metadata under a section that names
 * no key of it is stale and fails too.
 */
class ConfigurationMetadataTest {

  private static final String METADATA = "META-INF/spring-configuration-metadata.json";

  @Test
  void everySectionKeyIsDocumentedAndNothingStale() throws IOException {
    List<String> names = metadataNames();
    List<ConfigSection> sections = new ArrayList<>();
    ServiceLoader.load(ConfigSection.class, ConfigSection.class.getClassLoader()).forEach(sections::add);
    assertThat(sections).extracting(ConfigSection::key)
        .contains("rateLimiters", "retries", "circuitBreakers", "timeouts", "bulkheads", "concurrencyLimits",
            "throttles", "caches", "switchboard", "queues");

    List<String> missing = new ArrayList<>();
    List<String> stale = new ArrayList<>();
    for (ConfigSection section : sections) {
      String sectionName = "ballast." + section.key();
      if (!names.contains(sectionName)) {
        missing.add(sectionName);
      }
      String prefix = sectionName + (section instanceof EntrySection ? ".*." : ".");
      Set<String> keys = section.entryKeys();
      for (String key : keys) {
        if (names.stream().noneMatch(name -> name.equals(prefix + key) || name.startsWith(prefix + key + "."))) {
          missing.add(prefix + key);
        }
      }
      for (String name : names) {
        if (name.startsWith(prefix)) {
          String key = name.substring(prefix.length()).split("\\.", 2)[0];
          if (!keys.contains(key)) {
            stale.add(name);
          }
        }
      }
    }
    assertThat(missing).as("section keys with no property in %s", METADATA).isEmpty();
    assertThat(stale).as("properties in %s naming no key of their section", METADATA).isEmpty();
  }

  @Test
  void everyPropertyIsDescribedOnce() throws IOException {
    JsonNode metadata = read();
    Set<String> seen = new LinkedHashSet<>();
    List<String> duplicates = new ArrayList<>();
    List<String> undescribed = new ArrayList<>();
    for (JsonNode property : metadata.get("properties")) {
      String name = property.get("name").asText();
      if (!seen.add(name)) {
        duplicates.add(name);
      }
      if (!property.hasNonNull("description") || property.get("description").asText().isBlank()) {
        undescribed.add(name);
      }
    }
    assertThat(duplicates).as("properties listed twice").isEmpty();
    assertThat(undescribed).as("properties without a description").isEmpty();
    assertThat(seen).contains("ballast.caches.*.ttl", "ballast.rateLimiters.*.rate",
        "ballast.retries.*.backoff.initial", "ballast.switchboard.triggers.*.enterMode", "ballast.queues.*.maxAttempts");
  }

  private static List<String> metadataNames() throws IOException {
    List<String> names = new ArrayList<>();
    read().get("properties").forEach(property -> names.add(property.get("name").asText()));
    return names;
  }

  private static JsonNode read() throws IOException {
    try (InputStream in = ConfigurationMetadataTest.class.getClassLoader().getResourceAsStream(METADATA)) {
      assertThat(in).as(METADATA).isNotNull();
      return new ObjectMapper().readTree(in);
    }
  }
}
