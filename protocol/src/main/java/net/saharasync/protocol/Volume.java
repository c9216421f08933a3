package net.saharasync.protocol;

import net.saharasync.blockstore.ChunkerParams;

/**
 * A volume as the host lists it: {@code id} its 16 hex digits, {@code owner} the owner's user
 * name, {@code access} the caller's ({@link Access}), {@code entries} the files, symlinks and
 * folders at its head.
 */
public record Volume(String id, String name, ChunkerParams chunking, Head head, String owner, Access access, long entries) {
    public Volume(String id, String name, ChunkerParams chunking, Head head) {
        this(id, name, chunking, head, "", Access.OWNER, 0);
    }
}
