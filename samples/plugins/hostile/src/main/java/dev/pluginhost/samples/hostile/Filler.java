package dev.pluginhost.samples.hostile;

/** An empty class that the metaspace attack defines again and again as hidden classes. */
final class Filler {
  private Filler() {}
}
