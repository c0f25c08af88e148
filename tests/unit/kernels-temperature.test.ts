// The InfoNCE temperature on webgpu (kernels/temperature.ts): T = exp(clamp(log T)) and its gradient, one program each
// way, against TF.js's clipByValue + exp (the fused switch off), inside the bounds, at them and past them.
// Shown to fail: the gradient not zeroed outside the bounds (`select(..., true)`: the two outside cases, 40 and 2e-4
// against 0); the forward without the clamp (`exp(x[index])`: T 20 against 10, 1e-4 against 1e-3).
import type { Scalar } from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { setFusedKernels } from '../../src/engine/kernels/webgpu';
import { Temperature } from '../../src/engine/train/loss';
import { useBackend } from './helpers/backend';

const tf = await useBackend('webgpu');

/** T and dT/d(log T) for a temperature whose log is set to `logT`, fused on or off. */
async function valueAndGrad(logT: number, fused: boolean): Promise<[number, number]> {
  const t = new Temperature(1);
  tf.tidy(() => t.logT.assign(tf.scalar(logT)));
  setFusedKernels(fused);
  try {
    const { value, grads } = tf.variableGrads(() => tf.mul(t.value(), 2) as Scalar, [t.logT]);
    const out: [number, number] = [(await value.data())[0] / 2, (await grads[t.logT.name].data())[0]];
    tf.dispose([value, grads[t.logT.name]]);
    return out;
  } finally {
    setFusedKernels(true);
    t.dispose();
  }
}

describe('the temperature exp(clamp(log T)) on webgpu = clipByValue + exp', () => {
  for (const logT of [Math.log(0.07), 0, Math.log(10), Math.log(20), Math.log(1e-4)]) {
    it(`log T = ${logT.toFixed(3)}`, async () => {
      const before = tf.memory().numTensors;
      const [a, b] = [await valueAndGrad(logT, true), await valueAndGrad(logT, false)];
      expect(a[0]).toBeCloseTo(b[0], 5);
      expect(a[1]).toBeCloseTo(b[1], 5);
      expect(tf.memory().numTensors).toBe(before);
    });
  }
});
