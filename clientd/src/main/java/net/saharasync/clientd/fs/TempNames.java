package net.saharasync.clientd.fs;

import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.HexFormat;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Names of this client's temp files, unmistakably its own: {@code .sahara-tmp-R-M}, where R is 8
 * random bytes and M the first 8 bytes of HMAC-SHA256(key, R), in lower-case hex; the key is 32
 * random bytes kept in the folder's state directory, which never leaves this machine. A cycle
 * deletes leftover temp files it finds, so the name must be one no other writer can produce:
 * a file another machine names {@code .sahara-tmp-0} (or any other name) is an ordinary file
 * here, synced like any other. Only a name whose tag verifies is this client's.
 */
public final class TempNames {
    public static final String PREFIX = ".sahara-tmp-";
    private static final HexFormat HEX = HexFormat.of();
    private static final int RANDOM_BYTES = 8;
    private static final int TAG_BYTES = 8;
    /** The length of every name this class makes. */
    private static final int LENGTH = PREFIX.length() + 2 * RANDOM_BYTES + 1 + 2 * TAG_BYTES;
    private static final SecureRandom RANDOM = new SecureRandom();

    private final SecretKeySpec key;
    private final ThreadLocal<Mac> macs;

    public TempNames(byte[] key) {
        if (key.length < 16) throw new IllegalArgumentException("a temp-name key needs at least 16 bytes");
        this.key = new SecretKeySpec(key.clone(), "HmacSHA256");
        this.macs = ThreadLocal.withInitial(this::newMac);
    }

    /** A fresh random key. */
    public static byte[] newKey() {
        byte[] k = new byte[32];
        RANDOM.nextBytes(k);
        return k;
    }

    private Mac newMac() {
        try {
            Mac m = Mac.getInstance("HmacSHA256");
            m.init(key);
            return m;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is part of every JDK", e);
        }
    }

    /** A new temp name (random, so two writers never pick the same one). */
    public String fresh() {
        byte[] r = new byte[RANDOM_BYTES];
        java.util.concurrent.ThreadLocalRandom.current().nextBytes(r);
        return PREFIX + HEX.formatHex(r) + "-" + HEX.formatHex(tag(r));
    }

    /** Whether {@code name} is a temp name this client made (its tag verifies under this folder's key). */
    public boolean isOurs(String name) {
        if (name.length() != LENGTH || !name.startsWith(PREFIX) || name.charAt(PREFIX.length() + 2 * RANDOM_BYTES) != '-') return false;
        byte[] r;
        byte[] t;
        try {
            r = HEX.parseHex(name, PREFIX.length(), PREFIX.length() + 2 * RANDOM_BYTES);
            t = HEX.parseHex(name, PREFIX.length() + 2 * RANDOM_BYTES + 1, LENGTH);
        } catch (IllegalArgumentException notHex) {
            return false;
        }
        // Lower-case only, so one tag has one spelling.
        if (!name.equals(PREFIX + HEX.formatHex(r) + "-" + HEX.formatHex(t))) return false;
        return java.security.MessageDigest.isEqual(tag(r), t);
    }

    private byte[] tag(byte[] r) {
        return java.util.Arrays.copyOf(macs.get().doFinal(r), TAG_BYTES);
    }
}
