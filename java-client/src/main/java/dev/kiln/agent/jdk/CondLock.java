package dev.kiln.agent.jdk;

/** A shared lock whose conditions keep per-condition wait sets in its state ({@link CondState}). */
interface CondLock extends Shared {
    /** The lock's condition state. */
    CondState $kiln$conds();
}
