// Runs: create, train, pause, step, reset, export/import weights (owned by the training workspace).
export type RunMethods = Record<never, never>;
export type RunEvent = never;
