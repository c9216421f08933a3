package net.saharasync.merkle;

import java.nio.charset.StandardCharsets;
import java.text.Normalizer;

/** The rules for one path component (an entry name), the same on every machine. */
public final class Names {
    /** Longest name in UTF-8 bytes (the common file-system limit). */
    public static final int MAX_BYTES = 255;

    /**
     * The one name a volume may not hold at its root: where every client keeps its state
     * (index, settings, trash). A host refuses commits with it; a client never writes it.
     */
    public static final String RESERVED_AT_ROOT = ".sahara";

    private Names() {}

    /** Whether {@code path} ('/'-separated, relative to the volume's root) is or lies under the reserved root name. */
    public static boolean reserved(String path) {
        return path.equals(RESERVED_AT_ROOT) || path.startsWith(RESERVED_AT_ROOT + "/");
    }

    /** Why {@code name} is not a valid entry name, or empty when it is. */
    public static java.util.Optional<String> problem(String name) {
        if (name.isEmpty()) return java.util.Optional.of("empty name");
        if (name.equals(".") || name.equals("..")) return java.util.Optional.of("name '" + name + "' is reserved");
        if (name.indexOf('/') >= 0) return java.util.Optional.of("name contains '/'");
        if (name.indexOf('\0') >= 0) return java.util.Optional.of("name contains NUL");
        int bytes = name.getBytes(StandardCharsets.UTF_8).length;
        if (bytes > MAX_BYTES) return java.util.Optional.of("name of " + bytes + " bytes exceeds " + MAX_BYTES);
        boolean ascii = true;
        for (int i = 0; i < name.length() && ascii; i++) ascii = name.charAt(i) < 0x80;
        if (ascii) return java.util.Optional.empty(); // ASCII is always NFC and has no surrogates
        for (int i = 0; i < name.length(); i++) {
            if (Character.isSurrogate(name.charAt(i))
                    && !(Character.isHighSurrogate(name.charAt(i)) && i + 1 < name.length()
                            && Character.isLowSurrogate(name.charAt(++i)))) {
                return java.util.Optional.of("name contains an unpaired surrogate");
            }
        }
        if (!Normalizer.isNormalized(name, Normalizer.Form.NFC)) return java.util.Optional.of("name is not NFC-normalized");
        return java.util.Optional.empty();
    }

    /** The longest symlink target every client can create (Linux's PATH_MAX, 4096, less its NUL). */
    public static final int MAX_SYMLINK_TARGET_BYTES = 4095;

    /**
     * Why a symlink target (its bytes as stored) is one no client can create, or empty when it
     * can be: empty, longer than {@link #MAX_SYMLINK_TARGET_BYTES}, holding NUL, or not UTF-8.
     */
    public static java.util.Optional<String> symlinkTargetProblem(byte[] target) {
        if (target.length == 0) return java.util.Optional.of("empty symlink target");
        if (target.length > MAX_SYMLINK_TARGET_BYTES) {
            return java.util.Optional.of("symlink target of " + target.length + " bytes exceeds " + MAX_SYMLINK_TARGET_BYTES);
        }
        for (byte b : target) if (b == 0) return java.util.Optional.of("symlink target contains NUL");
        try {
            StandardCharsets.UTF_8.newDecoder().onMalformedInput(java.nio.charset.CodingErrorAction.REPORT)
                    .onUnmappableCharacter(java.nio.charset.CodingErrorAction.REPORT).decode(java.nio.ByteBuffer.wrap(target));
        } catch (java.nio.charset.CharacterCodingException e) {
            return java.util.Optional.of("symlink target is not valid UTF-8");
        }
        return java.util.Optional.empty();
    }

    /** Throws {@link MalformedObjectException} unless {@code name} is valid. */
    public static String check(String name) {
        problem(name).ifPresent(p -> {
            throw new MalformedObjectException(p + ": " + printable(name));
        });
        return name;
    }

    /** Compares names as their UTF-8 bytes do (unsigned), which is the canonical entry order. */
    public static int compare(String a, String b) {
        // UTF-8 byte order is code point order; UTF-16 order differs only where a surrogate
        // meets U+E000..U+FFFF, fixed up as ICU's compareCodePointOrder does. No allocation.
        int n = Math.min(a.length(), b.length());
        for (int i = 0; i < n; i++) {
            char x = a.charAt(i), y = b.charAt(i);
            if (x != y) {
                if (x >= 0xD800 && y >= 0xD800) {
                    x = (char) (x >= 0xE000 ? x - 0x800 : x + 0x2000);
                    y = (char) (y >= 0xE000 ? y - 0x800 : y + 0x2000);
                }
                return Character.compare(x, y);
            }
        }
        return Integer.compare(a.length(), b.length());
    }

    /** A name quoted for messages, with control characters escaped. */
    public static String printable(String name) {
        StringBuilder sb = new StringBuilder("'");
        name.codePoints().limit(80).forEach(c -> {
            if (c < 0x20 || c == 0x7F) sb.append(String.format("\\x%02x", c));
            else sb.appendCodePoint(c);
        });
        return sb.append(name.length() > 80 ? "…'" : "'").toString();
    }
}
