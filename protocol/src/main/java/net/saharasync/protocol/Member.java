package net.saharasync.protocol;

/** Someone with access to a volume, or invited to it ({@code invited}: not yet accepted). */
public record Member(String user, Access access, boolean invited) {}
