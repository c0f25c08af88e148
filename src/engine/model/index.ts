// The model package's front door: build any model kind from a config and a dataset, and move a Batch to tensors.
import * as tf from '@tensorflow/tfjs';
import type { Config } from '../config';
import type { Batch, DatasetMeta } from '../data/types';
import { buildMMoE } from './baselines/mmoe';
import { buildPLE } from './baselines/ple';
import { buildSharedBottom } from './baselines/sharedBottom';
import { buildOneRank } from './onerank';
import type { BatchTensors, RankingModel } from './types';

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

/** A Batch (flat typed arrays) -> tensors shaped by the dataset's widths; ids are int32. Dispose with disposeBatch. */
export function batchToTensors(batch: Batch, meta: DatasetMeta): BatchTensors {
  const B = batch.numRequests;
  const f = meta.features;
  const N = meta.maxCandidates;
  const M = meta.multiLen;
  const H = meta.historyLen;
  const K = meta.tasks.length;
  return {
    B,
    ctxCat: tf.tensor2d(batch.ctxCat, [B, f.ctxCat.length], 'int32'),
    ctxNum: tf.tensor2d(batch.ctxNum, [B, f.ctxNum.length], 'float32'),
    ctxMulti: tf.tensor3d(batch.ctxMulti, [B, f.ctxMulti.length, M], 'int32'),
    history: tf.tensor2d(batch.history, [B, H], 'int32'),
    candItem: tf.tensor2d(batch.candItem, [B, N], 'int32'),
    candCat: tf.tensor3d(batch.candCat, [B, N, f.candCat.length], 'int32'),
    candNum: tf.tensor3d(batch.candNum, [B, N, f.candNum.length], 'float32'),
    candMulti: tf.tensor4d(batch.candMulti, [B, N, f.candMulti.length, M], 'int32'),
    candMask: tf.tensor2d(batch.candMask, [B, N], 'float32'),
    labels: tf.tensor3d(batch.labels, [B, N, K], 'float32'),
  };
}

/** Disposes every tensor of a BatchTensors. */
export function disposeBatch(bt: BatchTensors): void {
  for (const v of Object.values(bt)) if (v instanceof tf.Tensor) v.dispose();
}
