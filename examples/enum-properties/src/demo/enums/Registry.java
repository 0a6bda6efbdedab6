package demo.enums;

import java.util.EnumMap;
import java.util.Map;
import java.util.Properties;

/** The shared state: an EnumMap, a Properties table and a map made by a library. */
public class Registry {
    final EnumMap<Level, Integer> counts = new EnumMap<>(Level.class);
    final Properties settings = new Properties();
    Map<Level, String> names;
}
