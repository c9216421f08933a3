package net.saharasync.protocol;

/** Who a token speaks for: user name, whether an administrator, the token's device name and id. */
public record Caller(String user, boolean admin, String device, String tokenId) {}
