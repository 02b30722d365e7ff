package dev.pluginhost.testkit.internal;

import dev.pluginhost.plugin.api.HostServiceException;
import java.util.regex.Pattern;

/**
 * The host's checks of the names in a plugin's requests, with its words: a copy of those in the
 * host's {@code HostServicesEndpoint}, kept in step by hand, as the in-process mode loads no host
 * class.
 */
final class HostNames {
  /** A plugin's or a service's name. */
  static final Pattern NAME = Pattern.compile("[A-Za-z0-9_.-]{1,64}");
  /** A service method's name: printable ASCII without spaces. */
  static final Pattern METHOD = Pattern.compile("[\\x21-\\x7e]{1,128}");

  private HostNames() {}

  /** Throws INVALID_ARGUMENT, as the host answers, unless {@code value} is a well-formed {@code what} name. */
  static void check(String value, Pattern form, String what) {
    if (!form.matcher(value).matches()) {
      throw new HostServiceException(
          HostServiceException.Code.INVALID_ARGUMENT, "not a valid " + what + " name (" + form.pattern() + ")");
    }
  }
}
