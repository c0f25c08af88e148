// Looking inside a run: attention maps and gradient flow, as plain arrays (they cross the worker boundary and
// are drawn by src/panels/inspect). Snapshots over training are taken by the page, which calls
// captureAttention whenever a run passes a multiple of M steps; the worker keeps no history of its own.
import type { CrossTaskMaskPreset, ModelKind } from '../engine/config';

export interface AttentionSnapshot {
  runId: string;
  /** Training step of the weights the maps were computed with. */
  step: number;
  model: ModelKind;
  /** Index of the request in the validation split, and the split's size. */
  request: number;
  numRequests: number;
  /** Axis labels of the trunk maps, with item ids where the data has them ('hist 3: i42', 'cand 2: i7', 'task: order'). */
  tokens: string[];
  /** Token kinds along the axes ('ctx' | 'hist' | 'cand' | 'task'). */
  kinds: string[];
  /** The structured mask (or V6's) [T][T], 0/1, row = query. */
  mask: number[][];
  /** Which keys are real in this request (0 = padding: an empty history slot or a padded candidate) [T]. */
  keyReal: number[];
  /** trunk[layer][head] = [T][T] attention weights of this request. */
  trunk: number[][][][];
  /** Task names (K). */
  tasks: string[];
  /** Candidate labels [N] ('cand 1: i42') and which are real. */
  candidates: string[];
  candMask: number[];
  /** Candidate-aware attention: candidate[k][head] = [N] weights over this request's candidates (absent when off). */
  candidate?: number[][][];
  /** Cross-task attention: crossTask[head] = [K][K] (absent for the baselines and V3). */
  crossTask?: number[][][];
  /** The K x K task mask A in force, and the preset it came from. */
  taskMask?: number[][];
  crossTaskMask?: CrossTaskMaskPreset;
}

export interface GradientFlow {
  runId: string;
  step: number;
  tasks: string[];
  /** flow[k][j] = norm of the gradient of task k's loss reaching task channel h_j (one validation batch). */
  flow: number[][];
  /** The detachment matrix D in force (1 = edge k <- j detached), and the task mask A. */
  detach: number[][];
  taskMask: number[][];
}

export interface InspectMethods {
  /** The attention maps of one validation request under the run's current weights. */
  captureAttention(p: { runId: string; request: number }): Promise<AttentionSnapshot>;
  /** The gradient reaching each task channel h_j from each task's loss (OneRank only; rejects for baselines). */
  gradientFlow(p: { runId: string }): Promise<GradientFlow>;
}
