// When the trainer replays a recorded step (kernels/recordedStep.ts) and when it records one: the policy.
// - Only on webgpu with the fused kernels and the in-place update (a recording needs buffers that keep their
//   identity), and only with the `recordStep` switch on.
// - The first step of a run goes through TF.js as usual (it uploads the model's weights and constants); the next
//   two are recorded, and their signatures compared: equal means the step takes nothing per step from the CPU
//   but its inputs, and the second recording is kept. Unequal (dropout masks drawn on the CPU, or anything else
//   the step computes in JavaScript) keeps TF.js's path for the run, with the reason in `refusal`.
// - A recording goes stale when a buffer it reads but does not own is released (new weights from a checkpoint or
//   an import): the next steps record again.
import type * as tf from '@tensorflow/tfjs';
import { canRecordSteps, Recording } from '../kernels/recordedStep';

/** Recordings whose signatures differ this many times in a row: the step is not recordable. */
const ATTEMPTS = 3;

export class StepRecorder {
  private current: Recording | null = null;
  private candidate: Recording | null = null;
  private plainSteps = 0;
  private mismatches = 0;
  /** Why steps are not replayed in this run ('' while they are, or may be). */
  refusal = '';

  /** `eligible`: the switch is on and the optimizer updates in place on the fused webgpu path (asked every step). */
  constructor(private readonly eligible: () => boolean) {}

  /** The recording that can run this step's inputs, or null (the step then goes through TF.js). */
  ready(inputs: ArrayBufferView[]): Recording | null {
    if (this.current?.stale) this.reset();
    return this.current && this.eligible() && this.current.usable(inputs) ? this.current : null;
  }

  /** True when this TF.js step should be recorded. */
  wants(): boolean {
    if (this.refusal || this.current || !this.eligible() || !canRecordSteps()) return false;
    return this.plainSteps++ >= 1;
  }

  /** Runs `step` through TF.js while recording it; returns its scalars (the recorder owns inputs and output). */
  async capture(inputs: tf.Tensor[], step: () => tf.Tensor): Promise<Float32Array> {
    const { recording, scalars } = Recording.capture(inputs, step);
    const values = (await scalars.data()) as Float32Array;
    this.offer(recording);
    return values;
  }

  private offer(r: Recording): void {
    if (r.refusal) {
      this.refusal = r.refusal;
      r.dispose();
      return;
    }
    const before = this.candidate;
    this.candidate = null;
    if (!before) {
      this.candidate = r;
      return;
    }
    const same = before.signature.length === r.signature.length && before.signature.every((s, i) => s === r.signature[i]);
    before.dispose();
    if (same) {
      this.current = r;
      this.mismatches = 0;
    } else if (++this.mismatches >= ATTEMPTS) {
      this.refusal = 'two consecutive steps differ in their GPU work or CPU data (e.g. dropout draws its masks on the CPU)';
      r.dispose();
    } else {
      this.candidate = r;
    }
  }

  /** Dispatches per replayed step (0 while none is recorded). */
  get dispatches(): number {
    return this.current?.dispatches.length ?? 0;
  }

  private reset(): void {
    this.current?.dispose();
    this.candidate?.dispose();
    this.current = this.candidate = null;
    this.plainSteps = 0; // one TF.js step first: it uploads what is new (restored weights) outside any recording
  }

  dispose(): void {
    this.reset();
  }
}
