package net.saharasync.protocol;

/** A new device token as handed out once: the secret, its id and device name. */
public record IssuedToken(String secret, String id, String device) {}
