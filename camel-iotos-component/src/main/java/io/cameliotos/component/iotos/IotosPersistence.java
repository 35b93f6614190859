package io.cameliotos.component.iotos;

/** Where a session keeps the uploads it accepted until the broker acknowledged them. */
public enum IotosPersistence {
    /** In memory: lost if the JVM dies. */
    MEMORY,
    /** In files under filePersistenceDirectory: sent after a crash and restart. */
    FILE
}
