package dev.pluginhost.proto;

import io.grpc.Metadata;
import java.nio.charset.StandardCharsets;
import java.security.InvalidKeyException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Constants and the one computation both ends of the host-runner protocol must agree on.
 *
 * <p>{@link #VERSION} changes whenever a change to {@code pluginhost.runner.v1} would make an old
 * host and a new runner (or the reverse) misunderstand each other; both sides refuse a peer of
 * another version, and say which two versions met.
 */
public final class WireProtocol {

  /** The host-runner protocol this build speaks. */
  public static final int VERSION = 1;

  /** Header that carries the spawn's token on every call but {@code Handshake}. */
  public static final Metadata.Key<String> TOKEN_HEADER =
      Metadata.Key.of("x-pluginhost-token", Metadata.ASCII_STRING_MARSHALLER);

  /** Trailer naming the class of the exception a plugin's handler threw. */
  public static final Metadata.Key<String> EXCEPTION_CLASS_TRAILER =
      Metadata.Key.of("x-pluginhost-exception-class", Metadata.ASCII_STRING_MARSHALLER);

  /** Trailer naming the grant a plugin lacked, on a host service's PERMISSION_DENIED. */
  public static final Metadata.Key<String> MISSING_GRANT_TRAILER =
      Metadata.Key.of("x-pluginhost-missing-grant", Metadata.ASCII_STRING_MARSHALLER);

  /** Whether {@code grants} include {@code grant}; {@code call:*} includes every {@code call:} grant. */
  public static boolean holds(java.util.Set<String> grants, String grant) {
    return grants.contains(grant) || (grant.startsWith("call:") && grants.contains("call:*"));
  }

  /** The file name of the host's services socket in a spawn's private directory. */
  public static final String HOST_SERVICES_SOCKET = "h.sock";

  /**
   * The line a runner prints on standard output once its socket is bound and before any plugin
   * code has run; the host waits for it instead of polling the socket.
   */
  public static final String READY_LINE = "pluginhost-runner: ready";

  private static final byte[] PROOF_LABEL =
      "pluginhost-runner-proof:".getBytes(StandardCharsets.US_ASCII);

  private WireProtocol() {}

  /**
   * The runner's answer to the host's handshake challenge: HMAC-SHA256 keyed with the spawn's
   * token over a fixed label and the challenge. It proves the runner holds the token without
   * revealing it, and cannot be turned into the token header value.
   */
  public static byte[] proof(byte[] token, byte[] challenge) {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(token, "HmacSHA256"));
      mac.update(PROOF_LABEL);
      return mac.doFinal(challenge);
    } catch (NoSuchAlgorithmException | InvalidKeyException e) {
      throw new IllegalStateException("HmacSHA256 is required by every Java SE platform", e);
    }
  }

  /**
   * Whether {@code headers} carry the token header of {@code token}, compared in constant time: the
   * check of every server that serves only the holder of a spawn's token.
   */
  public static boolean presentsToken(io.grpc.Metadata headers, byte[] token) {
    String presented = headers.get(TOKEN_HEADER);
    return presented != null
        && constantTimeEquals(
            tokenHeaderValue(token).getBytes(java.nio.charset.StandardCharsets.US_ASCII),
            presented.getBytes(java.nio.charset.StandardCharsets.US_ASCII));
  }

  /** Compares secrets in time independent of where they first differ. */
  public static boolean constantTimeEquals(byte[] a, byte[] b) {
    return MessageDigest.isEqual(a, b);
  }

  /** The token header value for a token: lowercase hex. */
  public static String tokenHeaderValue(byte[] token) {
    StringBuilder hex = new StringBuilder(token.length * 2);
    for (byte b : token) {
      hex.append(Character.forDigit((b >> 4) & 0xf, 16)).append(Character.forDigit(b & 0xf, 16));
    }
    return hex.toString();
  }

  /** Describes two protocol versions that cannot talk, the same way on both sides. */
  public static String versionMismatch(int hostVersion, int runnerVersion) {
    return "incompatible protocol versions: host speaks pluginhost protocol v"
        + hostVersion
        + ", runner speaks v"
        + runnerVersion;
  }

  /** What a pipe may hold of the other side's messages, asked for or waiting, in bytes at most. */
  public static final int PIPE_BUDGET_BYTES = 16 * 1024 * 1024;

  /**
   * How many of the other side's messages a pipe keeps asked for or waiting: up to four, so a
   * stream keeps moving while threads hand messages over, but never more than {@link
   * #PIPE_BUDGET_BYTES} of messages as large as {@code maxMessageBytes} allows, and at least one.
   */
  public static int pipeWindow(int maxMessageBytes) {
    int largest = maxMessageBytes > 0 ? maxMessageBytes : 4 * 1024 * 1024;
    return Math.max(1, Math.min(4, PIPE_BUDGET_BYTES / largest));
  }
}
