// Looking inside a run: attention maps, gradient flow (owned by the inspect panels).
export type InspectMethods = Record<never, never>;
