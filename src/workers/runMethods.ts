// Worker side of runProtocol.ts (filled in by the training workspace).
import type { RunMethods } from './runProtocol';

export const runMethods: RunMethods = {};
