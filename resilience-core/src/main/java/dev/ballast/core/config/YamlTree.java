package dev.ballast.core.config;

import dev.ballast.core.config.spi.ConfigNode;
import dev.ballast.core.internal.config.ConfigTrees;
import java.io.StringReader;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.error.Mark;
import org.yaml.snakeyaml.error.MarkedYAMLException;
import org.yaml.snakeyaml.error.YAMLException;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.NodeTuple;
import org.yaml.snakeyaml.nodes.ScalarNode;
import org.yaml.snakeyaml.nodes.SequenceNode;
import org.yaml.snakeyaml.nodes.Tag;

/**
 * Reads YAML text into {@link ConfigNode}s. Only SnakeYAML's composer runs (no object construction, so
 * no type tags can instantiate classes); every scalar stays text for {@link ConfigNode}'s readers.
 */
final class YamlTree {

  /**
   * Most nodes a document may expand to, aliases included: the alias limit alone lets 20 aliases of
   * 10-item lists multiply into millions of nodes. Real configurations have a few hundred.
   */
  static final int MAX_NODES = 100_000;

  private YamlTree() {}

  static ConfigNode parse(String text, String source) {
    if (text.length() > ConfigText.MAX_BYTES) {
      throw new ConfigException(source, 0, "", ConfigText.TOO_LARGE);
    }
    LoaderOptions options = new LoaderOptions();
    options.setAllowDuplicateKeys(false);
    options.setMaxAliasesForCollections(20);
    Node root;
    try {
      root = new Yaml(options).compose(new StringReader(text));
    } catch (MarkedYAMLException e) {
      Mark mark = e.getProblemMark() != null ? e.getProblemMark() : e.getContextMark();
      throw new ConfigException(source, mark == null ? 0 : mark.getLine() + 1, "",
          "not valid YAML: " + e.getProblem());
    } catch (YAMLException e) {
      throw new ConfigException(source, 0, "", "not valid YAML: " + e.getMessage());
    }
    if (root == null) {
      return ConfigTrees.nodes().map(source, 1, "", "", Map.of());
    }
    ConfigNode tree = new Converter(source).convert(root, "", "", root.getStartMark().getLine() + 1);
    if (!tree.isMap()) {
      throw tree.error("a Ballast configuration must be a map of sections");
    }
    return tree;
  }

  /**
   * Turns SnakeYAML nodes into ConfigNodes. Aliases make the node graph a DAG or, for an alias inside the
   * node it names ({@code a: &x [*x]}), a cycle: the nodes on the current path are tracked so a cycle is
   * an error at its line instead of a StackOverflowError, and every node visited counts towards
   * {@link #MAX_NODES}.
   */
  private static final class Converter {

    private final String source;
    private final Set<Node> onPath = Collections.newSetFromMap(new IdentityHashMap<>());
    private int nodes;

    Converter(String source) {
      this.source = source;
    }

    /** @param line where errors about this node point: its key's line for map entries (clearer than the value's) */
    ConfigNode convert(Node node, String key, String path, int line) {
      if (++nodes > MAX_NODES) {
        throw new ConfigException(source, line, path, "the document expands to more than " + MAX_NODES
            + " values (aliases included); is this really a Ballast configuration?");
      }
      if (node instanceof ScalarNode scalar) {
        return ConfigTrees.nodes().scalar(source, line, path, key, scalar.getValue());
      }
      if (!onPath.add(node)) {
        throw new ConfigException(source, line, path, "recursive alias: *" + node.getAnchor()
            + " refers to a value that contains it (anchored at line " + (node.getStartMark().getLine() + 1) + ")");
      }
      try {
        return node instanceof SequenceNode sequence ? sequence(sequence, key, path, line)
            : mapping((MappingNode) node, key, path, line);
      } finally {
        onPath.remove(node);
      }
    }

    private ConfigNode sequence(SequenceNode sequence, String key, String path, int line) {
      List<ConfigNode> items = new ArrayList<>();
      for (int i = 0; i < sequence.getValue().size(); i++) {
        Node item = sequence.getValue().get(i);
        items.add(convert(item, key + "[" + i + "]", path + "[" + i + "]", item.getStartMark().getLine() + 1));
      }
      return ConfigTrees.nodes().list(source, line, path, key, items);
    }

    private ConfigNode mapping(MappingNode mapping, String key, String path, int line) {
      Map<String, ConfigNode> entries = new LinkedHashMap<>();
      for (NodeTuple tuple : mapping.getValue()) {
        Node keyNode = tuple.getKeyNode();
        int keyLine = keyNode.getStartMark().getLine() + 1;
        if (!(keyNode instanceof ScalarNode scalarKey)) {
          throw new ConfigException(source, keyLine, path, "keys must be plain names");
        }
        String childKey = scalarKey.getValue();
        String childPath = ConfigTrees.nodes().childPath(path, childKey);
        String malformed = malformed(scalarKey);
        if (malformed != null) {
          throw new ConfigException(source, keyLine, childPath, malformed);
        }
        if (entries.containsKey(childKey)) {
          throw new ConfigException(source, keyLine, childPath, "is given twice");
        }
        entries.put(childKey, convert(tuple.getValueNode(), childKey, childPath, keyLine));
      }
      return ConfigTrees.nodes().map(source, line, path, key, entries);
    }
  }

  /** Why a key can never be right, or null. Unknown but well-formed keys are the sections' to report. */
  private static String malformed(ScalarNode key) {
    String text = key.getValue();
    if (Tag.MERGE.equals(key.getTag())) {
      return "YAML merge keys (<<) are not supported; use extends, or an alias as the whole value";
    }
    if (text.isEmpty() || Tag.NULL.equals(key.getTag())) {
      return "a key must be a name, not empty (nor ~)";
    }
    if (!text.strip().equals(text)) {
      return "a key must not start or end with spaces";
    }
    int position = 0;
    for (int i = 0; i < text.length(); i += Character.charCount(text.codePointAt(i))) {
      int c = text.codePointAt(i);
      int type = Character.getType(c);
      position++;
      if (Character.isISOControl(c) || type == Character.FORMAT || type == Character.LINE_SEPARATOR
          || type == Character.PARAGRAPH_SEPARATOR || type == Character.SURROGATE) {
        return String.format("a key must be printable text; character %d is U+%04X", position, c);
      }
    }
    return null;
  }
}
