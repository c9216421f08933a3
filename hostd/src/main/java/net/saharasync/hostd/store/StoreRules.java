package net.saharasync.hostd.store;

import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.regex.Pattern;
import net.saharasync.blockstore.Hash;
import net.saharasync.hostd.HostException;

/** The rules every store implementation applies alike: names, device names, token secrets and ids. */
public final class StoreRules {
    private StoreRules() {}

    public static final String TOKEN_PREFIX = "sst_";
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,63}");
    private static final Pattern DEVICE = Pattern.compile("[\\p{L}\\p{N}._ -]{1,64}");
    private static final SecureRandom RANDOM = new SecureRandom();

    public static void checkUserName(String name) {
        if (name == null || !NAME.matcher(name).matches()) {
            throw HostException.badRequest("a user name is 1-64 letters, digits, '.', '_' or '-', starting with a letter or digit");
        }
    }

    public static void checkDevice(String device) {
        if (device == null || !DEVICE.matcher(device).matches()) {
            throw HostException.badRequest("a device name is 1-64 letters, digits, spaces, '.', '_' or '-'");
        }
    }

    public static void checkVolumeName(String name) {
        if (name == null || name.isBlank() || name.length() > 100 || name.chars().anyMatch(c -> c < 0x20 || c == 0x7F)) {
            throw HostException.badRequest("a volume name is 1-100 characters without control characters");
        }
    }

    /** A random id (users, volumes): never negative, so it prints the same everywhere. */
    public static long randomId() {
        return RANDOM.nextLong() & Long.MAX_VALUE;
    }

    /** A new token secret: the prefix and 256 random bits, base64url. */
    public static String newSecret() {
        byte[] secret = new byte[32];
        RANDOM.nextBytes(secret);
        return TOKEN_PREFIX + Base64.getUrlEncoder().withoutPadding().encodeToString(secret);
    }

    /** Whether {@code secret} could be a token at all (checked before any lookup). */
    public static boolean plausibleSecret(String secret) {
        return secret != null && secret.startsWith(TOKEN_PREFIX) && secret.length() <= 128;
    }

    /** What is stored of a secret. */
    public static Hash secretHash(String secret) {
        return Hash.of(secret.getBytes(StandardCharsets.UTF_8));
    }

    /** A token's id: the first 8 bytes of its secret's hash, in hex. */
    public static String tokenId(Hash secretHash) {
        return secretHash.toHex().substring(0, 16);
    }

    public static boolean plausibleTokenId(String id) {
        return id != null && id.matches("[0-9a-f]{16}");
    }
}
