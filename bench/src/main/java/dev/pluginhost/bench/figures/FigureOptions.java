package dev.pluginhost.bench.figures;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * The {@code figures} command's options.
 *
 * @param only the figures to run, in the order given; empty means all
 * @param quick fewer repetitions: a check that everything works, not numbers to quote
 * @param plugins where the sample plugins are; null means this build's
 * @param verbose show the host's log and the plugins' output too
 * @param list only list the figures there are
 */
public record FigureOptions(List<String> only, boolean quick, Path plugins, boolean verbose, boolean list) {

  public FigureOptions {
    only = List.copyOf(only);
  }

  /**
   * Parses the arguments after {@code figures}: {@code --only a,b}, {@code --quick}, {@code
   * --plugins DIR}, {@code --verbose}, {@code --list}.
   *
   * @param known the figure ids there are, to check {@code --only} against
   * @throws IllegalArgumentException saying what is wrong, for a person
   */
  public static FigureOptions parse(List<String> args, Collection<String> known) {
    Set<String> only = new LinkedHashSet<>();
    boolean quick = false;
    boolean verbose = false;
    boolean list = false;
    Path plugins = null;
    for (int i = 0; i < args.size(); i++) {
      String arg = args.get(i);
      switch (arg) {
        case "--only" -> {
          if (i + 1 >= args.size()) {
            throw new IllegalArgumentException("--only needs a comma-separated list of figures: " + String.join(",", known));
          }
          for (String id : args.get(++i).split(",")) {
            String trimmed = id.trim();
            if (trimmed.isEmpty()) {
              continue;
            }
            if (!known.contains(trimmed)) {
              throw new IllegalArgumentException(
                  "no figure '" + trimmed + "'; there are: " + String.join(",", known));
            }
            only.add(trimmed);
          }
          if (only.isEmpty()) {
            throw new IllegalArgumentException("--only names no figure");
          }
        }
        case "--quick" -> quick = true;
        case "--verbose" -> verbose = true;
        case "--list" -> list = true;
        case "--plugins" -> {
          if (i + 1 >= args.size()) {
            throw new IllegalArgumentException("--plugins needs a directory");
          }
          plugins = Path.of(args.get(++i));
        }
        default -> throw new IllegalArgumentException("unknown option " + arg);
      }
    }
    return new FigureOptions(new ArrayList<>(only), quick, plugins, verbose, list);
  }
}
