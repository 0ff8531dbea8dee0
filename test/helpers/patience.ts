/**
 * The one bound on every event-driven wait in the suite: far above normal (well under a second) so that a
 * loaded 2-core machine only slows a test down, never fails it. Tests wait on events, never on sleeps.
 */
export const PATIENCE = 120_000
