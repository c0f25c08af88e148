// Seeded randomness for weight initialization, so two builds with one seed are bit-identical on every backend.
// Each variable gets its own stream, seeded by (seed, stable name): a weight's initial value does not depend on
// which other variables exist or on their sizes (e.g. OneRank and MMoE with one seed start from the same trunk).

import { mulberry32 } from '../data/rng';

export { mulberry32 };

/** FNV-1a hash of a string mixed with a seed: one 32-bit stream id per (seed, name). */
export function hashSeed(seed: number, name: string): number {
  let h = (0x811c9dc5 ^ seed) >>> 0;
  for (let i = 0; i < name.length; i++) {
    h ^= name.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h;
}

/** n standard-normal samples (Box-Muller) from a uniform generator. */
export function normalSamples(rand: () => number, n: number, std: number): Float32Array {
  const out = new Float32Array(n);
  for (let i = 0; i < n; i += 2) {
    const u = Math.max(rand(), 1e-12);
    const v = rand();
    const r = Math.sqrt(-2 * Math.log(u)) * std;
    out[i] = r * Math.cos(2 * Math.PI * v);
    if (i + 1 < n) out[i + 1] = r * Math.sin(2 * Math.PI * v);
  }
  return out;
}
