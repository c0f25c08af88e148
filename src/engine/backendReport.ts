// What a backend choice is and how to say it in words: pure, so the page can import it without TF.js.

export const BACKENDS = ['webgpu', 'webgl', 'wasm', 'cpu'] as const;
export type BackendName = (typeof BACKENDS)[number];
export type BackendRequest = BackendName | 'auto';

export interface Fallback {
  backend: BackendName;
  reason: string;
}

export interface AdapterDescription {
  vendor: string;
  architecture: string;
  description: string;
  /** A software implementation (SwiftShader and the like): timings mean nothing. */
  software: boolean;
}

export interface BackendReport {
  requested: BackendRequest;
  backend: BackendName;
  adapter: AdapterDescription | null;
  /** Backends tried before the live one, each with the reason it was passed over. */
  fallbacks: Fallback[];
  /** On a software WebGPU adapter under 'auto': the timed race between WebGPU and wasm that chose the backend. */
  race?: BackendRace;
}

/** One backend's time for a tiny training step: cold (first, shaders compile) and warm; null = not done in time. */
export interface StepTiming {
  backend: BackendName;
  coldMs: number | null;
  warmMs: number | null;
}

export interface BackendRace {
  webgpu: StepTiming;
  wasm: StepTiming;
  /** How long WebGPU's first step was given before wasm won by default. */
  deadlineMs: number;
  chosen: 'webgpu' | 'wasm';
}

/**
 * How long a software WebGPU adapter may take for its first tiny step: 10x wasm's, at least 1.5 s. Past that it
 * loses (SwiftShader compiles every shader on the CPU: a real model's first step took ~67 s where wasm's took 0.1 s).
 */
export function raceDeadlineMs(wasmColdMs: number): number {
  return Math.max(1500, 10 * wasmColdMs);
}

/** The faster backend by warm step time; WebGPU loses when it did not finish its first step by the deadline. */
export function pickFaster(webgpu: StepTiming, wasm: StepTiming): 'webgpu' | 'wasm' {
  if (webgpu.coldMs === null || webgpu.warmMs === null) return 'wasm';
  if (wasm.warmMs === null) return 'webgpu';
  return wasm.warmMs < webgpu.warmMs ? 'wasm' : 'webgpu';
}

const ms = (v: number) => (v >= 1000 ? `${(v / 1000).toFixed(1)} s` : `${Math.round(v)} ms`);

/** Why the race chose what it chose, in words for the badge; '' without a race. */
export function describeRace(r: BackendReport): string {
  const race = r.race;
  if (!race) return '';
  const gpu = race.webgpu.warmMs === null ? `not finished after ${ms(race.deadlineMs)}` : `${ms(race.webgpu.warmMs)}`;
  const wasm = race.wasm.warmMs === null ? 'failed' : ms(race.wasm.warmMs);
  const why = `WebGPU runs on a software adapter here, so both were timed on one tiny training step: WebGPU ${gpu}, WASM ${wasm}.`;
  return race.chosen === 'wasm'
    ? `Chose WASM, the faster: ${why} Pick webgpu beside the badge to force it.`
    : `Kept WebGPU, the faster: ${why}`;
}

export function isBackendRequest(s: string | null | undefined): s is BackendRequest {
  return s === 'auto' || (BACKENDS as readonly string[]).includes(s ?? '');
}

/** The ladder from a request: 'auto' tries all; a forced backend is tried first, then the rest as fallbacks. */
export function ladderFor(requested: BackendRequest): BackendName[] {
  return requested === 'auto' ? [...BACKENDS] : [requested, ...BACKENDS.filter((b) => b !== requested)];
}

/** The badge text: "WebGPU - swiftshader (software)", "WASM (fallback: ...)" */
export function describeBackend(r: BackendReport): string {
  const names: Record<BackendName, string> = { webgpu: 'WebGPU', webgl: 'WebGL', wasm: 'WASM', cpu: 'CPU' };
  let s = names[r.backend];
  if (r.race?.chosen === 'wasm') return `${s} (faster here than WebGPU on a software adapter)`;
  if (r.adapter) {
    const what = [r.adapter.vendor, r.adapter.architecture].filter(Boolean).join(' ') || r.adapter.description || 'unknown adapter';
    s += ` - ${what}${r.adapter.software ? ' (software)' : ''}`;
  }
  return s;
}

/** Why the live backend is not the one asked for, in words; '' when nothing fell back. */
export function describeFallbacks(r: BackendReport): string {
  if (r.fallbacks.length === 0) return '';
  return r.fallbacks.map((f) => `${f.backend} unavailable: ${f.reason}`).join('; ');
}
