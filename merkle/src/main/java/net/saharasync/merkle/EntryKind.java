package net.saharasync.merkle;

/** What a directory entry is. The code is its byte in the encoding. */
public enum EntryKind {
    FILE(1),
    DIRECTORY(2),
    SYMLINK(3);

    final int code;

    EntryKind(int code) {
        this.code = code;
    }

    static EntryKind of(int code) {
        for (EntryKind k : values()) if (k.code == code) return k;
        throw new MalformedObjectException("unknown entry kind " + code);
    }
}
