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
