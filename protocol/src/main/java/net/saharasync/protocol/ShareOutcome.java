package net.saharasync.protocol;

/** What sharing a volume did: gave access at once, sent an invitation, or removed access. */
public enum ShareOutcome { GRANTED, INVITED, REMOVED }
