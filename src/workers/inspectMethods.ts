// Worker side of inspectProtocol.ts (filled in by the inspect panels).
import type { InspectMethods } from './inspectProtocol';

export const inspectMethods: InspectMethods = {};
