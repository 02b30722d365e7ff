package dev.pluginhost.bench.baseline;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;
import dev.pluginhost.bench.Samples;

/**
 * What {@code mp_baseline.py} prints: one JSON object, its samples raw so that this side computes
 * every percentile the same way ({@link Samples}).
 *
 * @param pythonVersion such as {@code "3.11.7"}
 * @param startMethod the context's start method; {@code "spawn"}
 * @param spawnProcessNanos start() of a spawn-method Process to its result, per repeat
 * @param poolApplyNanos one {@code Pool(2).apply} round trip, per call
 * @param mapItems how many items each map took
 * @param mapChunksize1 items/s of {@code Pool(2).map} with chunksize 1, per repeat
 * @param mapDefault items/s of {@code Pool(2).map} with the default chunksize, per repeat
 * @param mapDefaultChunksize the chunksize Python chose by default
 */
public record PythonReport(
    String pythonVersion,
    String startMethod,
    Samples spawnProcessNanos,
    Samples poolApplyNanos,
    long mapItems,
    Samples mapChunksize1,
    Samples mapDefault,
    long mapDefaultChunksize) {

  /**
   * Reads the script's output.
   *
   * @throws IllegalArgumentException naming the first field missing or of the wrong type, or
   *     saying the text is not one JSON object
   */
  public static PythonReport parse(String json) {
    JsonObject object;
    try {
      JsonElement element = JsonParser.parseString(json);
      if (!element.isJsonObject()) {
        throw new IllegalArgumentException("the Python baseline printed " + brief(json) + ", not a JSON object");
      }
      object = element.getAsJsonObject();
    } catch (JsonParseException e) {
      throw new IllegalArgumentException("the Python baseline printed " + brief(json) + ", not JSON: " + e.getMessage(), e);
    }
    return new PythonReport(
        string(object, "python_version"),
        string(object, "start_method"),
        samples(object, "spawn_process_ns"),
        samples(object, "pool_apply_ns"),
        number(object, "map_items"),
        samples(object, "map_chunksize1_items_per_s"),
        samples(object, "map_default_items_per_s"),
        number(object, "map_default_chunksize"));
  }

  private static JsonElement field(JsonObject object, String name) {
    JsonElement value = object.get(name);
    if (value == null || value.isJsonNull()) {
      throw new IllegalArgumentException("the Python baseline's report has no " + name);
    }
    return value;
  }

  private static String string(JsonObject object, String name) {
    JsonElement value = field(object, name);
    if (!value.isJsonPrimitive() || !value.getAsJsonPrimitive().isString()) {
      throw new IllegalArgumentException("the Python baseline's " + name + " is not a string: " + value);
    }
    return value.getAsString();
  }

  private static long number(JsonObject object, String name) {
    JsonElement value = field(object, name);
    if (!value.isJsonPrimitive() || !value.getAsJsonPrimitive().isNumber()) {
      throw new IllegalArgumentException("the Python baseline's " + name + " is not a number: " + value);
    }
    return value.getAsLong();
  }

  private static Samples samples(JsonObject object, String name) {
    JsonElement value = field(object, name);
    if (!value.isJsonArray() || value.getAsJsonArray().isEmpty()) {
      throw new IllegalArgumentException("the Python baseline's " + name + " is not a list of numbers: " + brief(value.toString()));
    }
    JsonArray array = value.getAsJsonArray();
    Samples samples = new Samples(name);
    for (JsonElement item : array) {
      if (!item.isJsonPrimitive() || !item.getAsJsonPrimitive().isNumber()) {
        throw new IllegalArgumentException("the Python baseline's " + name + " holds a non-number: " + item);
      }
      samples.add(item.getAsDouble());
    }
    return samples;
  }

  private static String brief(String text) {
    String line = text.strip();
    return "'" + (line.length() > 80 ? line.substring(0, 80) + "..." : line) + "'";
  }
}
