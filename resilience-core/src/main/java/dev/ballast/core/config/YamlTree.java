package dev.ballast.core.config;

import java.io.StringReader;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
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

/**
 * Reads YAML text into {@link ConfigNode}s. Only SnakeYAML's composer runs (no object construction, so
 * no type tags can instantiate classes); every scalar stays text for {@link ConfigNode}'s readers.
 */
final class YamlTree {

  private static final int MAX_BYTES = 1 << 20;

  private YamlTree() {}

  static ConfigNode parse(String text, String source) {
    if (text.length() > MAX_BYTES) {
      throw new ConfigException(source, 0, "", "is larger than 1 MiB; is this really a Ballast configuration?");
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
      return ConfigNode.map(source, 1, "", Map.of());
    }
    ConfigNode tree = convert(root, source, "", root.getStartMark().getLine() + 1);
    if (!tree.isMap()) {
      throw tree.error("a Ballast configuration must be a map of sections");
    }
    return tree;
  }

  /** @param line where errors about this node point: its key's line for map entries (clearer than the value's) */
  private static ConfigNode convert(Node node, String source, String path, int line) {
    if (node instanceof ScalarNode scalar) {
      return ConfigNode.scalar(source, line, path, scalar.getValue());
    }
    if (node instanceof SequenceNode sequence) {
      List<ConfigNode> items = new ArrayList<>();
      for (int i = 0; i < sequence.getValue().size(); i++) {
        Node item = sequence.getValue().get(i);
        items.add(convert(item, source, path + "[" + i + "]", item.getStartMark().getLine() + 1));
      }
      return ConfigNode.list(source, line, path, items);
    }
    MappingNode mapping = (MappingNode) node;
    Map<String, ConfigNode> entries = new LinkedHashMap<>();
    for (NodeTuple tuple : mapping.getValue()) {
      if (!(tuple.getKeyNode() instanceof ScalarNode key)) {
        throw new ConfigException(source, tuple.getKeyNode().getStartMark().getLine() + 1, path,
            "keys must be plain names");
      }
      String childPath = path.isEmpty() ? key.getValue() : path + "." + key.getValue();
      if (entries.containsKey(key.getValue())) {
        throw new ConfigException(source, key.getStartMark().getLine() + 1, childPath, "is given twice");
      }
      entries.put(key.getValue(), convert(tuple.getValueNode(), source, childPath, key.getStartMark().getLine() + 1));
    }
    return ConfigNode.map(source, line, path, entries);
  }
}
