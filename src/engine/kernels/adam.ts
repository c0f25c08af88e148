// Adam's update written into the buffers it changes, four variables per GPU program: each thread takes one element
// of one of the four, updates its two moments (m, v: slices of two flat buffers) and the element itself.
// Why in place: with the plain ops the update made new tensors and `assign`ed them, so every step moved the
// weights and moments to new GPU buffers (and a recorded step, recordedStep.ts, could not replay it: its dispatches
// would read the old buffers). Why four at a time: a program may bind 8 storage buffers (WebGPU's default limit,
// the one TF.js asks for): the gradient, m, v, the step's scalars and four variables. A 65-variable OneRank then
// takes 17 programs for its whole update, where one per variable (and one per moment) took 67.
// TF.js's own programs declare their inputs read-only, so this one is a WGSL module of our own (ownModule.ts),
// compiled once per group size.
// Safe only when nothing else shares a variable's data (refCount 1: no clone of it is alive), so the caller checks
// canUpdateInPlace first; a CPU copy of the values cached by an earlier read is dropped after each write.
import type * as tf from '@tensorflow/tfjs';
import { runOwnModule } from './ownModule';
import type { Uniform } from './webgpu';

const WG = 64;
/** Variables per program: 8 storage bindings minus the gradient, m, v and the scalars. */
export const ADAM_GROUP = 4;

/** The WGSL of a group of `n` variables: x0 is TF.js's output binding, x1.. ride as (writable) inputs. */
function groupCode(n: number): string {
  const branches = Array.from(
    { length: n },
    (_, i) => `  if (i < u.n${i}) { x${i}[i] = adam(u.o${i} + i, x${i}[i]) * u.k${i}; return; }\n  i = i - u.n${i};`,
  ).join('\n');
  return `// From aux[u.auxAt]: [clip factor, ok (1 or 0), c1 = lr / (1 - b1^t), c2 = 1 / (1 - b2^t)]; j indexes the flat gradient.
fn adam(j : i32, x : f32) -> f32 {
  let g = grad[j] * aux[u.auxAt];
  let mj = m[j] * u.beta1 + g * (1.0 - u.beta1);
  let vj = v[j] * u.beta2 + (g * g) * (1.0 - u.beta2);
  m[j] = mj;
  v[j] = vj;
  return x - (mj * aux[u.auxAt + 2]) / (sqrt(vj * aux[u.auxAt + 3]) + u.eps);
}

@compute @workgroup_size(${WG})
fn main(@builtin(global_invocation_id) gid : vec3<u32>, @builtin(num_workgroups) groups : vec3<u32>) {
  if (aux[u.auxAt + 1] == 0.0) { return; } // a step with a non-finite scalar changes nothing
  var i = i32(gid.y * groups.x * ${WG}u + gid.x);
${branches}
}`;
}

/** True when x can be updated in place on this backend (webgpu, float32, its data not shared). */
export function canUpdateInPlace(backend: unknown, x: tf.Tensor): boolean {
  const b = backend as { refCount?(dataId: object): number; runWebGPUProgram?: unknown; recordAndSubmit?: unknown };
  return typeof b.runWebGPUProgram === 'function' && typeof b.recordAndSubmit === 'function' && x.dtype === 'float32' && b.refCount!(x.dataId) === 1;
}

/**
 * One Adam step for up to ADAM_GROUP variables (check canUpdateInPlace first): each x <- (x - m_hat / (sqrt(v_hat)
 * + eps)) * keep with its moments updated in m and v at its offset into the flat gradient. `aux` holds [clip factor,
 * ok, c1, c2] from index `auxAt` on the device; nothing changes where ok is 0.
 */
export function adamGroupInPlace(
  backend: unknown,
  group: { x: tf.Tensor; offset: number; keep: number }[],
  grad: tf.Tensor1D,
  m: tf.Tensor1D,
  v: tf.Tensor1D,
  aux: tf.Tensor1D,
  consts: { beta1: number; beta2: number; eps: number },
  auxAt = 0,
): void {
  const n = group.length;
  const total = group.reduce((s, g) => s + g.x.size, 0);
  const workgroups = Math.ceil(total / WG);
  const x = Math.min(workgroups, 65535);
  const uniforms: Uniform[] = [];
  for (const g of group) uniforms.push({ type: 'int32', data: [g.x.size] }, { type: 'int32', data: [g.offset] }, { type: 'float32', data: [g.keep] });
  uniforms.push({ type: 'int32', data: [auxAt] }, { type: 'float32', data: [consts.beta1] }, { type: 'float32', data: [consts.beta2] }, { type: 'float32', data: [consts.eps] });
  runOwnModule(backend, {
    key: `oneRankAdamGroup${n}`,
    output: { name: 'x0', t: group[0].x },
    inputs: [
      { name: 'grad', t: grad },
      { name: 'm', t: m, writable: true },
      { name: 'v', t: v, writable: true },
      { name: 'aux', t: aux },
      ...group.slice(1).map((g, i) => ({ name: `x${i + 1}`, t: g.x, writable: true })),
    ],
    uniformFields: `${Array.from({ length: n }, (_, i) => `n${i} : i32, o${i} : i32, k${i} : f32,`).join(' ')} auxAt : i32, beta1 : f32, beta2 : f32, eps : f32,`,
    uniforms,
    code: groupCode(n),
    dispatch: [x, Math.ceil(workgroups / x), 1],
  });
}
