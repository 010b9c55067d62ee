package dev.ballast.cache.annotation;

import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.lang.reflect.Constructor;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.lang.reflect.Parameter;
import java.util.ArrayList;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * Compiles {@link Cached#key()} expressions (and key generators) into {@link KeyFunction}s when wrapping,
 * so that a call does no parsing and no reflection: accessors become {@link MethodHandle}s, the common
 * single-argument key is the argument's own {@code toString()} (for a String, the argument itself).
 */
final class KeyExpressions {

  private static final MethodType ACCESSOR = MethodType.methodType(Object.class, Object.class);

  private KeyExpressions() {}

  /**
   * The key function for {@code site}: the generator's if one is given, else the expression's, else the
   * default (the one argument, all arguments joined with ':', or the method's name).
   */
  static KeyFunction compile(Site site, String expression, Class<? extends KeyGenerator> generator) {
    if (generator != KeyGenerator.class) {
      if (!expression.isEmpty()) {
        throw site.error("give key or keyGenerator, not both (key '" + expression + "', keyGenerator "
            + generator.getSimpleName() + ")");
      }
      return generated(site, generator);
    }
    int parameters = site.method().getParameterCount();
    if (expression.isEmpty()) {
      if (parameters == 0) {
        String constant = site.method().getName();
        return arguments -> constant;
      }
      if (parameters == 1) {
        return parse(site, "{0}");
      }
      return escapedJoin(site, parameters);
    }
    return parse(site, expression);
  }

  /**
   * The default key of a method with several parameters: the arguments joined by ':', each with '\' and
   * ':' escaped, so that ("a:1", "2") and ("a", "1:2") cannot share a key (and one caller get another's
   * value).
   */
  private static KeyFunction escapedJoin(Site site, int parameters) {
    Placeholder[] parts = new Placeholder[parameters];
    for (int i = 0; i < parameters; i++) {
      parts[i] = placeholder(site, "(default)", Integer.toString(i));
    }
    return arguments -> {
      StringBuilder key = new StringBuilder(16 * parameters);
      for (int i = 0; i < parameters; i++) {
        if (i > 0) {
          key.append(':');
        }
        String part = parts[i].render(arguments);
        for (int c = 0; c < part.length(); c++) {
          char ch = part.charAt(c);
          if (ch == ':' || ch == '\\') {
            key.append('\\');
          }
          key.append(ch);
        }
      }
      return key.toString();
    };
  }

  private static KeyFunction parse(Site site, String expression) {
    List<Object> parts = new ArrayList<>(); // String literals and Placeholders, in order
    StringBuilder literal = new StringBuilder();
    int i = 0;
    while (i < expression.length()) {
      char c = expression.charAt(i);
      if (c == '}') {
        throw badKey(site, expression, "a '}' at position " + i + " closes no '{'");
      }
      if (c != '{') {
        literal.append(c);
        i++;
        continue;
      }
      int close = expression.indexOf('}', i + 1);
      int nested = expression.indexOf('{', i + 1);
      if (close < 0 || (nested >= 0 && nested < close)) {
        throw badKey(site, expression, "the '{' at position " + i + " is not closed");
      }
      if (!literal.isEmpty()) {
        parts.add(literal.toString());
        literal.setLength(0);
      }
      parts.add(placeholder(site, expression, expression.substring(i + 1, close)));
      i = close + 1;
    }
    if (!literal.isEmpty()) {
      parts.add(literal.toString());
    }
    if (parts.size() == 1 && parts.get(0) instanceof Placeholder only) {
      return only::render; // the common case: no builder, and a String argument is the key itself
    }
    if (parts.stream().noneMatch(Placeholder.class::isInstance)) {
      String constant = expression;
      return arguments -> constant;
    }
    Object[] compiled = parts.toArray();
    int literalLength = parts.stream().filter(String.class::isInstance).mapToInt(p -> ((String) p).length()).sum();
    return arguments -> {
      StringBuilder key = new StringBuilder(literalLength + 16 * compiled.length);
      for (Object part : compiled) {
        if (part instanceof Placeholder placeholder) {
          key.append(placeholder.render(arguments));
        } else {
          key.append((String) part);
        }
      }
      return key.toString();
    };
  }

  private static Placeholder placeholder(Site site, String expression, String text) {
    String[] path = text.split("\\.", -1);
    int index;
    try {
      index = Integer.parseInt(path[0].trim());
    } catch (NumberFormatException e) {
      throw badKey(site, expression, "'{" + text + "}' must start with an argument index, as in {0} or {0.id}");
    }
    Parameter[] parameters = site.method().getParameters();
    if (index < 0 || index >= parameters.length) {
      throw badKey(site, expression, "'{" + text + "}' refers to argument " + index + ", but the method has "
          + (parameters.length == 0 ? "no parameters" : parameters.length + " (0.." + (parameters.length - 1) + ")"));
    }
    MethodHandle[] accessors = new MethodHandle[path.length - 1];
    String[] names = new String[path.length - 1];
    Class<?> type = parameters[index].getType();
    for (int segment = 1; segment < path.length; segment++) {
      Method accessor = accessor(site, expression, type, path[segment].trim());
      accessors[segment - 1] = handle(site, expression, accessor);
      names[segment - 1] = accessor.getName();
      type = accessor.getReturnType();
    }
    if (!rendersItself(type)) {
      throw badKey(site, expression, "'{" + text + "}' is a " + type.getSimpleName() + ", which does not override"
          + " toString(): every call would get a new key (Object's identity string) and never hit; use an"
          + " accessor ({" + index + ".id}), give the type a toString(), or use a keyGenerator");
    }
    return new Placeholder(site, index, parameters[index].getName(), accessors, names);
  }

  /**
   * Whether values of {@code type} have a toString() of their own (a record's, an enum's, a String's):
   * not so for a class that inherits Object's, or an array. Interfaces and Object itself cannot be told
   * at wrap time and are let through.
   */
  private static boolean rendersItself(Class<?> type) {
    if (type.isPrimitive() || type.isInterface() || type == Object.class) {
      return true;
    }
    try {
      return type.getMethod("toString").getDeclaringClass() != Object.class;
    } catch (NoSuchMethodException cannotHappen) {
      return true;
    }
  }

  private static Method accessor(Site site, String expression, Class<?> type, String name) {
    if (name.isEmpty() || !Character.isJavaIdentifierStart(name.charAt(0))) {
      throw badKey(site, expression, "'" + name + "' is not an accessor name");
    }
    String getter = "get" + Character.toUpperCase(name.charAt(0)) + name.substring(1);
    for (String candidate : new String[] {name, getter}) {
      try {
        Method method = type.getMethod(candidate);
        if (!Modifier.isStatic(method.getModifiers()) && method.getReturnType() != void.class) {
          return method;
        }
      } catch (NoSuchMethodException absent) {
        // Try the next form.
      }
    }
    throw badKey(site, expression, type.getSimpleName() + " has no public no-argument method " + name + "() or "
        + getter + "()");
  }

  private static MethodHandle handle(Site site, String expression, Method accessor) {
    try {
      return MethodHandles.publicLookup().unreflect(accessor).asType(ACCESSOR);
    } catch (IllegalAccessException notPublicClass) {
      // A public method of a non-public class (a package-private record, say): allowed on the class path.
      if (accessor.trySetAccessible()) {
        try {
          return MethodHandles.lookup().unreflect(accessor).asType(ACCESSOR);
        } catch (IllegalAccessException stillRefused) {
          notPublicClass.addSuppressed(stillRefused);
        }
      }
      throw site.error("bad key expression '" + expression + "': cannot call " + accessor, notPublicClass);
    }
  }

  private static IllegalArgumentException badKey(Site site, String expression, String problem) {
    return site.error("bad key expression '" + expression + "': " + problem);
  }

  private static KeyFunction generated(Site site, Class<? extends KeyGenerator> type) {
    KeyGenerator generator;
    try {
      if (Modifier.isAbstract(type.getModifiers())) {
        throw new NoSuchMethodException("abstract");
      }
      Constructor<? extends KeyGenerator> constructor = type.getConstructor();
      constructor.trySetAccessible(); // a public constructor of a nested, non-public class
      generator = constructor.newInstance();
    } catch (NoSuchMethodException e) {
      throw site.error("keyGenerator " + type.getName() + " needs a public no-argument constructor");
    } catch (ReflectiveOperationException e) {
      throw site.error("keyGenerator " + type.getName() + " could not be created: " + e, e);
    }
    Method method = site.method();
    String source = "keyGenerator " + type.getSimpleName();
    return arguments -> {
      String key = generator.key(method, arguments);
      if (key == null) {
        throw new NullPointerException(site.prefix() + source + " returned a null key");
      }
      return key;
    };
  }

  /** One {@code {n}} or {@code {n.a.b}}: argument {@code n}, then each accessor in turn. */
  private static final class Placeholder {
    private final Site site;
    private final int index;
    private final String parameter;
    private final MethodHandle[] accessors;
    private final String[] names;

    Placeholder(Site site, int index, String parameter, MethodHandle[] accessors, String[] names) {
      this.site = site;
      this.index = index;
      this.parameter = parameter;
      this.accessors = accessors;
      this.names = names;
    }

    String render(@Nullable Object[] arguments) {
      Object value = arguments[index];
      if (value == null) {
        throw new NullPointerException(site.prefix() + "argument " + index + " (" + parameter
            + ") is null; a cache key cannot be built from null");
      }
      for (int i = 0; i < accessors.length; i++) {
        value = call(accessors[i], value);
        if (value == null) {
          throw new NullPointerException(site.prefix() + "argument " + index + " (" + parameter + ")."
              + String.join("().", java.util.Arrays.copyOf(names, i + 1)) + "() returned null; a cache key cannot"
              + " be built from null");
        }
      }
      return value.toString(); // a String returns itself: no allocation
    }

    private static Object call(MethodHandle accessor, Object value) {
      try {
        return (Object) accessor.invokeExact(value);
      } catch (RuntimeException | Error e) {
        throw e;
      } catch (Throwable checked) {
        throw new IllegalStateException("A cache key accessor threw " + checked, checked);
      }
    }
  }
}
