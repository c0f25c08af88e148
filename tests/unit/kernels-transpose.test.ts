// Transposes that only move axes of size 1 (or none) are reshapes on webgpu (kernels/transpose.ts): the same values
// as TF.js's own Transpose, with no GPU program; every other permutation still runs TF.js's program.
// Shown to fail: transposeIsReshape returning true for every perm (the [40, 30] and [40, 1, 30]
// cases came back untransposed, and their program counts were 0), and the override never taken (`!fusedAvailable()`
// as `fusedAvailable()`: the identity and size-1 cases dispatched one program each).
import type { Tensor } from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { installWebGPUTranspose, transposeIsReshape } from '../../src/engine/kernels/transpose';
import { setFusedKernels } from '../../src/engine/kernels/webgpu';
import { useBackend } from './helpers/backend';

const tf = await useBackend('webgpu');
installWebGPUTranspose();

/** How many GPU programs f dispatches. */
function programCount(f: () => Tensor): number {
  const backend = tf.backend() as unknown as { runWebGPUProgram: (...a: unknown[]) => unknown };
  const orig = backend.runWebGPUProgram;
  let n = 0;
  backend.runWebGPUProgram = (...a) => {
    n += 1;
    return orig.apply(backend, a);
  };
  try {
    tf.dispose(f());
  } finally {
    backend.runWebGPUProgram = orig;
  }
  return n;
}

const cases: [number[], number[], boolean][] = [
  // shape, perm, a reshape?
  [[402, 64], [0, 1], true], // the embedding gradient's identity transpose
  [[256, 3, 4, 1, 16], [0, 2, 1, 3, 4], false],
  [[256, 1, 4, 1, 16], [1, 0, 3, 2, 4], true], // only size-1 axes move
  [[40, 30], [1, 0], false], // (over 1,000 elements: TF.js runs smaller CPU-held tensors on the CPU)
  [[40, 1, 30], [2, 1, 0], false],
  [[1500, 1, 1], [0, 2, 1], true],
];

describe('webgpu Transpose: a permutation that keeps every axis of size > 1 in order is a reshape', () => {
  it('decides which permutations move data', () => {
    for (const [shape, perm, reshape] of cases) expect(transposeIsReshape(shape, perm), `${shape} ${perm}`).toBe(reshape);
  });

  for (const [shape, perm, reshape] of cases) {
    it(`x [${shape}] perm [${perm}]: TF.js's values, ${reshape ? 'no program' : "TF.js's program"}`, async () => {
      const before = tf.memory().numTensors;
      const x = tf.randomNormal(shape, 0, 1, 'float32', 3);
      const ours = tf.transpose(x, perm);
      setFusedKernels(false);
      let theirs: Tensor;
      try {
        theirs = tf.transpose(x, perm);
      } finally {
        setFusedKernels(true);
      }
      expect(ours.shape).toEqual(theirs.shape);
      expect(Array.from(await ours.data())).toEqual(Array.from(await theirs.data()));
      expect(programCount(() => tf.transpose(x, perm))).toBe(reshape ? 0 : 1);
      // The reshape shares x's buffer: disposing either leaves the other readable.
      x.dispose();
      expect((await ours.data()).length).toBe(x.size);
      tf.dispose([ours, theirs]);
      expect(tf.memory().numTensors).toBe(before);
    });
  }
});
