import { describe, expect, it } from 'vitest';
import { describeBackend, describeFallbacks, ladderFor, selectBackend } from '../../src/engine/backend';

describe('backend ladder', () => {
  it('orders a forced backend first, then the rest', () => {
    expect(ladderFor('auto')).toEqual(['webgpu', 'webgl', 'wasm', 'cpu']);
    expect(ladderFor('wasm')).toEqual(['wasm', 'webgpu', 'webgl', 'cpu']);
  });

  it('in Node (no navigator.gpu: the "throws" failure) falls through webgpu and webgl with reasons', async () => {
    // Node has no navigator.gpu here (this file never installs Dawn), so the webgpu backend never registered.
    const report = await selectBackend('auto', `${process.cwd()}/node_modules/@tensorflow/tfjs-backend-wasm/dist/`);
    expect(['wasm', 'cpu']).toContain(report.backend);
    expect(report.fallbacks[0].backend).toBe('webgpu');
    expect(report.fallbacks[0].reason).toMatch(/no WebGPU/);
    expect(report.fallbacks[1].backend).toBe('webgl');
    expect(describeFallbacks(report)).toMatch(/^webgpu unavailable: /);
    expect(describeBackend(report)).toBe(report.backend.toUpperCase());
  });

  it('a forced cpu backend is used directly', async () => {
    const report = await selectBackend('cpu');
    expect(report).toMatchObject({ backend: 'cpu', fallbacks: [], adapter: null });
  });

  it('describes a software WebGPU adapter', () => {
    const text = describeBackend({ requested: 'auto', backend: 'webgpu', fallbacks: [], adapter: { vendor: 'google', architecture: 'swiftshader', description: '', software: true } });
    expect(text).toBe('WebGPU - google swiftshader (software)');
  });
});
