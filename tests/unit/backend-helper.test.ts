import { describe, expect, it } from 'vitest';
import { useBackend } from './helpers/backend';

describe('useBackend', () => {
  it('runs a matmul on cpu', async () => {
    const tf = await useBackend('cpu');
    expect(tf.getBackend()).toBe('cpu');
    const y = tf.matMul(tf.tensor2d([[1, 2]]), tf.tensor2d([[3], [4]]));
    expect(Array.from(await y.data())).toEqual([11]);
  });
  it('runs a matmul on webgpu (Dawn + SwiftShader in Node)', async () => {
    const tf = await useBackend('webgpu');
    expect(tf.getBackend()).toBe('webgpu');
    const y = tf.matMul(tf.tensor2d([[1, 2]]), tf.tensor2d([[3], [4]]));
    expect(Array.from(await y.data())).toEqual([11]);
  });
});
