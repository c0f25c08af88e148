// The backend race's decision and its words (the timing itself runs in the browser: tests/e2e/newcomer.e2e.ts).
// Shown to fail: with pickFaster comparing cold instead of warm times, the "compiles slowly but runs fast" case fails.
import { describe, expect, it } from 'vitest';
import { describeBackend, describeRace, pickFaster, raceDeadlineMs, type BackendReport } from '../../src/engine/backendReport';

const t = (backend: 'webgpu' | 'wasm', coldMs: number | null, warmMs: number | null) => ({ backend, coldMs, warmMs });

describe('backend race on a software adapter', () => {
  it('takes the faster warm step; WebGPU loses when its first step missed the deadline', () => {
    expect(pickFaster(t('webgpu', 900, 40), t('wasm', 30, 20))).toBe('wasm');
    expect(pickFaster(t('webgpu', 1200, 5), t('wasm', 30, 20))).toBe('webgpu');
    expect(pickFaster(t('webgpu', null, null), t('wasm', 30, 20))).toBe('wasm');
    expect(pickFaster(t('webgpu', 100, 10), t('wasm', null, null))).toBe('webgpu');
  });

  it('gives a software GPU at least 1.5 s, else 10x wasm', () => {
    expect(raceDeadlineMs(20)).toBe(1500);
    expect(raceDeadlineMs(400)).toBe(4000);
  });

  it('says in the badge why wasm was chosen, with both times', () => {
    const r: BackendReport = {
      requested: 'auto',
      backend: 'wasm',
      adapter: null,
      fallbacks: [],
      race: { webgpu: t('webgpu', null, null), wasm: t('wasm', 35, 12), deadlineMs: 1500, chosen: 'wasm' },
    };
    expect(describeBackend(r)).toBe('WASM (faster here than WebGPU on a software adapter)');
    expect(describeRace(r)).toMatch(/^Chose WASM, the faster: .*WebGPU not finished after 1.5 s, WASM 12 ms/);
    expect(describeRace({ ...r, race: undefined })).toBe('');
  });
});
