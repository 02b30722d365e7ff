package dev.pluginhost.host.internal.doctor;

import java.util.List;

/**
 * What isolation this machine gives plugins run with some settings (the doctor's: the defaults):
 * one {@link Protection} per row, in a fixed order. Plain data, so the CLI can print it and an
 * admin API can serve it. Immutable.
 */
public record IsolationReport(List<Protection> protections) {
  public IsolationReport {
    protections = List.copyOf(protections);
  }

  /** The protections the settings rely on that this machine does not fully offer, in order. */
  public List<Protection> missing() {
    return protections.stream().filter(p -> p.used() && p.status() != Protection.Status.YES).toList();
  }

  /** Whether every protection the settings rely on is fully available. */
  public boolean ok() {
    return missing().isEmpty();
  }

  /** The row named {@code name}, or null if there is none. */
  public Protection get(String name) {
    return protections.stream().filter(p -> p.name().equals(name)).findFirst().orElse(null);
  }
}
