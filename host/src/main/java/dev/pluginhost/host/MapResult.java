package dev.pluginhost.host;

/**
 * One input's outcome from an unordered map.
 *
 * @param index the input's position in the list given to the map
 * @param outcome its result or error
 */
public record MapResult(int index, CallOutcome outcome) {}
