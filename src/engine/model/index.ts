// The model package's front door: build any model kind from a config and a dataset, and move a Batch to tensors.
import * as tf from '@tensorflow/tfjs';
import type { Config } from '../config';
import type { Batch, DatasetMeta } from '../data/types';
import { buildMMoE } from './baselines/mmoe';
import { buildPLE } from './baselines/ple';
import { buildSharedBottom } from './baselines/sharedBottom';
import { buildOneRank } from './onerank';
import type { BatchTensors, RankingModel } from './types';
import { offsetIds, slotCounts, slotPresent, tableOffsets } from './embeddingIds';

export { buildOneRank, OneRank, type OneRankParts } from './onerank';
export { TowerModel } from './baselines/common';
export { resolveSwitches, type Switches, type TaskTokenMode } from './switches';
export {
  tokenLayout,
  makeLayout,
  structuredMask,
  bidirectionalMask,
  attentionMask,
  keyRealOf,
  applyKeyPadding,
  taskMask,
  detachMatrix,
  type TokenLayout,
  type TokenInfo,
  type TokenKind,
} from './mask';
export { stableName } from './params';
export { stopGradient } from './detach';

export function buildModel(cfg: Config, meta: DatasetMeta): RankingModel {
  switch (cfg.model) {
    case 'onerank':
      return buildOneRank(cfg, meta);
    case 'sharedbottom':
      return buildSharedBottom(cfg, meta);
    case 'mmoe':
      return buildMMoE(cfg, meta);
    case 'ple':
      return buildPLE(cfg, meta);
  }
}

/** The batch's arrays in BatchTensors' key order, with the shape each tensor takes (ids int32, the rest float32). */
export function batchArrays(batch: Batch, meta: DatasetMeta): { key: Exclude<keyof BatchTensors, 'B'>; values: Int32Array | Float32Array; shape: number[] }[] {
  const B = batch.numRequests;
  const f = meta.features;
  const N = meta.maxCandidates;
  const M = meta.multiLen;
  // Categorical ids go in shifted into their group's concatenated table, and multi-valued slots with their weights
  // in the mean: which slots hold an id and how many (model/embeddingIds.ts says why).
  return [
    { key: 'ctxCat', values: offsetIds(batch.ctxCat, tableOffsets(f.ctxCat), 1), shape: [B, f.ctxCat.length] },
    { key: 'ctxNum', values: batch.ctxNum, shape: [B, f.ctxNum.length] },
    { key: 'ctxMulti', values: offsetIds(batch.ctxMulti, tableOffsets(f.ctxMulti), M), shape: [B, f.ctxMulti.length, M] },
    { key: 'ctxMultiPresent', values: slotPresent(batch.ctxMulti), shape: [B, f.ctxMulti.length, M] },
    { key: 'ctxMultiCount', values: slotCounts(batch.ctxMulti, M), shape: [B, f.ctxMulti.length, 1] },
    { key: 'history', values: batch.history, shape: [B, meta.historyLen] },
    { key: 'candItem', values: batch.candItem, shape: [B, N] },
    { key: 'candCat', values: offsetIds(batch.candCat, tableOffsets(f.candCat), 1), shape: [B, N, f.candCat.length] },
    { key: 'candNum', values: batch.candNum, shape: [B, N, f.candNum.length] },
    { key: 'candMulti', values: offsetIds(batch.candMulti, tableOffsets(f.candMulti), M), shape: [B, N, f.candMulti.length, M] },
    { key: 'candMultiPresent', values: slotPresent(batch.candMulti), shape: [B, N, f.candMulti.length, M] },
    { key: 'candMultiCount', values: slotCounts(batch.candMulti, M), shape: [B, N, f.candMulti.length, 1] },
    { key: 'candMask', values: batch.candMask, shape: [B, N] },
    { key: 'labels', values: batch.labels, shape: [B, N, meta.tasks.length] },
  ];
}

/** A Batch (flat typed arrays) -> tensors shaped by the dataset's widths; ids are int32. Dispose with disposeBatch. */
export function batchToTensors(batch: Batch, meta: DatasetMeta): BatchTensors {
  const bt: Record<string, unknown> = { B: batch.numRequests };
  for (const a of batchArrays(batch, meta)) bt[a.key] = tf.tensor(a.values, a.shape, a.values instanceof Int32Array ? 'int32' : 'float32');
  return bt as unknown as BatchTensors;
}

/** BatchTensors' tensors in batchArrays' order. */
export function batchTensorList(bt: BatchTensors): tf.Tensor[] {
  return BATCH_KEYS.map((k) => bt[k]);
}
const BATCH_KEYS = ['ctxCat', 'ctxNum', 'ctxMulti', 'ctxMultiPresent', 'ctxMultiCount', 'history', 'candItem', 'candCat', 'candNum', 'candMulti', 'candMultiPresent', 'candMultiCount', 'candMask', 'labels'] as const;

/** Disposes every tensor of a BatchTensors. */
export function disposeBatch(bt: BatchTensors): void {
  for (const v of Object.values(bt)) if (v instanceof tf.Tensor) v.dispose();
}
