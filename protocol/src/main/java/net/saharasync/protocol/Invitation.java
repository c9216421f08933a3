package net.saharasync.protocol;

/** A volume shared with the caller that waits to be accepted: id, name, owner's name, access offered. */
public record Invitation(String id, String name, String owner, Access access) {}
