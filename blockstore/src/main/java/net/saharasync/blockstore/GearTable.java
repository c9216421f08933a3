package net.saharasync.blockstore;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.Arrays;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * The 256 random 64-bit values of FastCDC's Gear rolling hash, one per byte value.
 *
 * <p>Derived, never hard-coded, so anyone can rebuild it: entry {@code i} is the first 8 bytes
 * (big-endian) of {@code SHA-256(seed || u32be(i))}. The published default seed is the UTF-8
 * string {@value #DEFAULT_SEED}. Chunk boundaries depend on the table, so changing it changes
 * every chunk; it is fixed per volume.
 *
 * <p>For an encrypted volume the table must be secret (chunk sizes computed with a public table
 * leak content): {@link #keyed(byte[])} derives entry {@code i} as the first 8 bytes of
 * {@code HMAC-SHA256(secret, "sahara-gear" || u32be(i))}.
 */
public final class GearTable {
    /** The published seed of the default table. */
    public static final String DEFAULT_SEED = "sahara-sync/fastcdc-gear/v1";

    private static final GearTable DEFAULT = fromSeed(DEFAULT_SEED.getBytes(StandardCharsets.UTF_8));

    private final long[] values;

    private GearTable(long[] values) {
        this.values = values;
    }

    /** The table every unencrypted volume uses. */
    public static GearTable defaultTable() {
        return DEFAULT;
    }

    /** The table derived from a public seed. */
    public static GearTable fromSeed(byte[] seed) {
        MessageDigest sha = Hash.newDigest();
        long[] v = new long[256];
        for (int i = 0; i < 256; i++) {
            sha.update(seed);
            sha.update(ByteBuffer.allocate(4).putInt(i).array());
            v[i] = ByteBuffer.wrap(sha.digest()).getLong();
        }
        return new GearTable(v);
    }

    /** A secret table derived from a key (for encrypted volumes). */
    public static GearTable keyed(byte[] secret) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(secret, "HmacSHA256"));
            long[] v = new long[256];
            byte[] label = "sahara-gear".getBytes(StandardCharsets.UTF_8);
            for (int i = 0; i < 256; i++) {
                mac.update(label);
                mac.update(ByteBuffer.allocate(4).putInt(i).array());
                v[i] = ByteBuffer.wrap(mac.doFinal()).getLong();
            }
            return new GearTable(v);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("every JDK ships HmacSHA256", e);
        }
    }

    /** A copy of the 256 values. */
    public long[] values() {
        return values.clone();
    }

    long[] valuesUnsafe() {
        return values;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof GearTable g && Arrays.equals(values, g.values);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(values);
    }
}
