package dev.cachalot.storage;

/** A repository's kind: cached through a rule, or a plain local one that clients push to. */
public enum RepositoryKind { CACHED, LOCAL }
