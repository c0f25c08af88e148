// The ablation switch (ONERANK.md "Ablations") resolved into the effective model switches, in this ONE place.
// Everything else reads Switches, never cfg.ablation.
import type { Config, CrossTaskMaskPreset } from '../config';
import type { DatasetMeta } from '../data/types';

export type TaskTokenMode =
  /** K learned task tokens (the full model). */
  | 'perTask'
  /** V2 / V3: one shared learned task token; every task reads the same trunk output r[i]. */
  | 'shared'
  /** V1: t_k of group i = a per-task linear projection of the candidate token c_i. */
  | 'projection';

export interface Switches {
  taskTokens: TaskTokenMode;
  /** Section 4's attention sub-layer; V3 turns it off (the FFN sub-layer stays, see crossTask.ts). */
  crossTaskAttention: boolean;
  crossTaskMask: CrossTaskMaskPreset;
  customTaskMask: string;
  /** Section 5; V4 turns it off (per-edge overrides included). */
  detach: boolean;
  detachEdges: string;
  /** Section 3; V5 (or N = 1, or the config switch) falls back to the mean over candidates. */
  candidateContext: boolean;
  /** Section 2's structured mask, or V6's full bidirectional attention. */
  attentionMask: 'structured' | 'bidirectional';
}

/** Pure: the effective switches of a config (and, when given, a dataset: N = 1 disables section 3). */
export function resolveSwitches(cfg: Config, meta?: Pick<DatasetMeta, 'maxCandidates'>): Switches {
  const v = cfg.ablation;
  return {
    taskTokens: v === 'V1' ? 'projection' : v === 'V2' || v === 'V3' ? 'shared' : 'perTask',
    crossTaskAttention: v !== 'V3',
    crossTaskMask: cfg.crossTaskMask,
    customTaskMask: cfg.customTaskMask,
    detach: v === 'V4' ? false : cfg.detach,
    detachEdges: v === 'V4' ? '' : cfg.detachEdges,
    candidateContext: cfg.candidateContext && v !== 'V5' && (meta === undefined || meta.maxCandidates > 1),
    attentionMask: v === 'V6' ? 'bidirectional' : 'structured',
  };
}
