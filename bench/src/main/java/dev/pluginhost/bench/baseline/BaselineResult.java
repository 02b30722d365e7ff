package dev.pluginhost.bench.baseline;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkNotNull;

import java.util.List;
import java.util.Optional;

/**
 * What one run of a {@link Baseline} gave: its figures, or why there are none.
 *
 * @param baseline the baseline's {@link Baseline#name()}
 * @param description what was measured, one line
 * @param status whether the figures exist
 * @param figures in the order to show them; empty unless {@link Status#MEASURED}
 * @param notes context worth printing under the table (versions, start times, checks); never null
 * @param reason why there are no figures, for a person; empty when {@link Status#MEASURED}
 */
public record BaselineResult(
    String baseline, String description, Status status, List<Figure> figures, List<String> notes, String reason) {

  /** Whether a baseline produced figures. */
  public enum Status {
    MEASURED,
    /** Something the baseline needs is missing on this machine, such as {@code python3}. */
    UNAVAILABLE,
    /** The baseline started and broke. */
    FAILED
  }

  public BaselineResult {
    checkNotNull(baseline, "baseline");
    checkNotNull(description, "description");
    checkNotNull(status, "status");
    figures = List.copyOf(figures);
    notes = List.copyOf(notes);
    checkNotNull(reason, "reason");
    checkArgument(
        (status == Status.MEASURED) == reason.isEmpty(), "a reason is given exactly when there are no figures");
  }

  public static BaselineResult measured(String baseline, String description, List<Figure> figures, List<String> notes) {
    return new BaselineResult(baseline, description, Status.MEASURED, figures, notes, "");
  }

  public static BaselineResult unavailable(String baseline, String description, String reason) {
    return new BaselineResult(baseline, description, Status.UNAVAILABLE, List.of(), List.of(), reason);
  }

  public static BaselineResult failed(String baseline, String description, String reason) {
    return new BaselineResult(baseline, description, Status.FAILED, List.of(), List.of(), reason);
  }

  /** The figure with this {@link Figure#id()}, if the run produced it. */
  public Optional<Figure> figure(String id) {
    return figures.stream().filter(f -> f.id().equals(id)).findFirst();
  }
}
