// The ranking loss (train/loss.ts: masked BCE + list-wise InfoNCE over each request's candidates) as fused
// webgpu kernels with their own gradient. One program computes, per task k (a workgroup each),
//   out_k = w[0][k] * BCE_k + w[1][k] * InfoNCE_k
// over the whole batch; w picks what is asked: the total (task weights and alpha, summed over k in the same
// program), BCE alone or InfoNCE alone. Its gradient is two programs: d logits [B, N, K] and d temperature.
// The plain path ran about 45 programs forward and 90 backward for the same numbers.
//   BCE_k    = sum over real candidates of max(x,0) - x y + log(1 + exp(-|x|)), / (number of real candidates)
//   InfoNCE_k: per request, s_n = x_n / T (padded: -1e9), -sum_n pos_n log softmax(s)_n / P (P = positives),
//              averaged over the requests with 0 < P < real candidates.
//   d InfoNCE / d x_n = (P softmax_n - pos_n) / (P T) per usable request / usable count;  d / d T = -sum x d/dx / T
import * as tf from '@tensorflow/tfjs';
import { customOp, program, registerWebGPUKernel, runKernel, runProgram, WG_SUM } from './webgpu';

const FORWARD = 'OneRankRankingLoss';
const GRAD = 'OneRankRankingLossGrad';
const WG = 64;
const MASKED_SCORE = -1e9;

// Shapes from the uniforms: logits [B, N, K]; mask [B, N]; w [2, K]; t [1].
const COMMON = `
var<workgroup> buf : array<f32, WG>;
${WG_SUM}
fn dims() -> vec3<i32> { return uniforms.logitsShape; }
fn at(b : i32, n : i32, k : i32) -> i32 { let s = dims(); return (b * s.y + n) * s.z + k; }
fn real(b : i32, n : i32) -> f32 { return mask[b * dims().y + n]; }
fn score(b : i32, n : i32, k : i32) -> f32 { return logits[at(b, n, k)] / t[0] + (1.0 - real(b, n)) * ${MASKED_SCORE}; }
// (log-sum-exp of the scores, positives P, real candidates, usable 0/1) of request b for task k.
fn request(b : i32, k : i32) -> vec4<f32> {
  let N = dims().y;
  var m = -3.4e38;
  var P = 0.0;
  var reals = 0.0;
  for (var n = 0; n < N; n++) {
    m = max(m, score(b, n, k));
    P += labels[at(b, n, k)] * real(b, n);
    reals += real(b, n);
  }
  var z = 0.0;
  for (var n = 0; n < N; n++) { z += exp(score(b, n, k) - m); }
  return vec4<f32>(m + log(z), P, reals, select(0.0, 1.0, P > 0.0 && P < reals));
}
// (real candidates of the batch, usable requests of task k), in every thread.
fn counts(k : i32) -> vec2<f32> {
  let B = dims().x;
  var reals = 0.0;
  var usable = 0.0;
  for (var b = i32(localIndex); b < B; b += WG) {
    let r = request(b, k);
    reals += r.z;
    usable += r.w;
  }
  return vec2<f32>(max(wgSum(reals), 1.0), max(wgSum(usable), 1.0));
}`;

const forwardCode = (total: boolean) => `${COMMON}
fn taskLoss(k : i32) -> f32 {
  let B = dims().x;
  let N = dims().y;
  let K = dims().z;
  var bce = 0.0;
  var nce = 0.0;
  for (var b = i32(localIndex); b < B; b += WG) {
    let r = request(b, k);
    var logp = 0.0;
    for (var n = 0; n < N; n++) {
      let x = logits[at(b, n, k)];
      let y = labels[at(b, n, k)];
      bce += real(b, n) * (max(x, 0.0) - x * y + log(1.0 + exp(-abs(x))));
      logp += y * real(b, n) * (score(b, n, k) - r.x);
    }
    nce += r.w * -logp / max(r.y, 1.0);
  }
  let c = counts(k);
  return w[k] * wgSum(bce) / c.x + w[K + k] * wgSum(nce) / c.y;
}
fn main(index : i32) {
  ${
    total
      ? `var sum = 0.0;
  for (var k = 0; k < dims().z; k++) { sum += taskLoss(k); }
  if (localIndex == 0u) { result[0] = sum; }`
      : `let k = i32(workgroupId.x);
  let v = taskLoss(k);
  if (localIndex == 0u) { result[k] = v; }`
  }
}`;

// d out / d logits for task k, request b, candidate n: (BCE part, InfoNCE part), with dy_k and w applied.
const GRAD_TERMS = `
fn terms(b : i32, n : i32, k : i32, r : vec4<f32>, c : vec2<f32>) -> vec2<f32> {
  let K = dims().z;
  let g = dy[k % uniforms.dyShape];
  let x = logits[at(b, n, k)];
  let y = labels[at(b, n, k)];
  let bce = real(b, n) * (1.0 / (1.0 + exp(-x)) - y) / c.x;
  let pos = y * real(b, n);
  let nce = r.w * (r.y * exp(score(b, n, k) - r.x) - pos) / (max(r.y, 1.0) * t[0] * c.y);
  return vec2<f32>(g * w[k] * bce, g * w[K + k] * nce);
}`;

const gradLogitsCode = `${COMMON}${GRAD_TERMS}
fn main(index : i32) {
  let k = i32(workgroupId.x);
  let c = counts(k);
  for (var b = i32(localIndex); b < dims().x; b += WG) {
    let r = request(b, k);
    for (var n = 0; n < dims().y; n++) {
      let g = terms(b, n, k, r, c);
      result[at(b, n, k)] = g.x + g.y;
    }
  }
}`;

const gradTemperatureCode = `${COMMON}${GRAD_TERMS}
fn main(index : i32) {
  var acc = 0.0;
  for (var k = 0; k < dims().z; k++) {
    let c = counts(k);
    for (var b = i32(localIndex); b < dims().x; b += WG) {
      let r = request(b, k);
      // Less a constant per request (T * log-sum-exp ~ its largest logit): the terms sum to 0 over the request,
      // so the value is the same, without the cancellation of a large shared logit (the scorer's bias).
      for (var n = 0; n < dims().y; n++) { acc -= terms(b, n, k, r, c).y * (logits[at(b, n, k)] - r.x * t[0]) / t[0]; }
    }
  }
  let total = wgSum(acc);
  if (localIndex == 0u) { result[0] = total; }
}`;

type Infos = Record<string, tf.TensorInfo>;

let installed = false;
function install(): void {
  if (installed) return;
  installed = true;
  registerWebGPUKernel(FORWARD, ({ inputs: { logits, labels, mask, t, w }, attrs, backend }: { inputs: Infos; attrs: Record<string, unknown>; backend: unknown }) => {
    const total = attrs.total as boolean;
    const K = logits.shape[2];
    const p = program(total ? 'oneRankLossTotal' : 'oneRankLossTasks', ['logits', 'labels', 'mask', 't', 'w'], [total ? 1 : K], total ? 1 : K, WG, forwardCode(total));
    return runProgram(backend, p, [logits, labels, mask, t, w]);
  });
  registerWebGPUKernel(GRAD, ({ inputs: { dy, logits, labels, mask, t, w }, attrs, backend }) => {
    const temperature = attrs.temperature as boolean;
    const K = logits.shape[2];
    const names = ['dy', 'logits', 'labels', 'mask', 't', 'w'];
    const p = temperature
      ? program('oneRankLossGradT', names, [1], 1, WG, gradTemperatureCode)
      : program('oneRankLossGradX', names, logits.shape, K, WG, gradLogitsCode);
    return runProgram(backend, p, [dy, logits, labels, mask, t, w]);
  });
}

/**
 * out = sum_k w[0][k] BCE_k + w[1][k] InfoNCE_k (a scalar, `total`) or its K terms ([K]), on webgpu.
 * logits, labels [B, N, K]; candMask [B, N]; temperature a scalar; w [2, K] (constants, no gradient).
 */
export function fusedRankingLoss(logits: tf.Tensor3D, labels: tf.Tensor3D, candMask: tf.Tensor2D, temperature: tf.Scalar, w: tf.Tensor2D, total: boolean): tf.Tensor {
  install();
  const loss = customOp(([x, T], save) => {
    const t = T.reshape([1]);
    // Saved, constants too: what f made (w, here) is disposed before the backward pass runs.
    save([x, t, labels, candMask, w]);
    return {
      value: runKernel(FORWARD, { logits: x, t, labels, mask: candMask, w }, { total }),
      gradFunc: (dy, [xs, ts, ys, ms, ws]) => {
        const inputs = { dy: dy.reshape([-1]), logits: xs, t: ts, labels: ys, mask: ms, w: ws };
        return [runKernel(GRAD, inputs, { temperature: false }), runKernel(GRAD, inputs, { temperature: true }).reshape([])];
      },
    };
  });
  return loss(logits, temperature);
}
