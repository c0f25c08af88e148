// MMoE (Ma et al., KDD 2018): E shared experts, one softmax gate per task over them, one tower per task.
//   e_m = silu(W_m x),  g_k = softmax(G_k x),  logit_k = tower_k(sum_m g_k[m] e_m)
import * as tf from '@tensorflow/tfjs';
import type { Config } from '../../config';
import type { DatasetMeta } from '../../data/types';
import { act, applyLinear, dropout, linear, type Linear } from '../layers';
import { TowerModel, Towers, type Head, type HeadContext } from './common';

export class MMoEHead implements Head {
  private readonly experts: Linear; // in -> E * expertHidden (all experts in one matMul)
  private readonly gates: Linear; // in -> K * E
  private readonly towers: Towers;

  constructor(private readonly ctx: HeadContext) {
    const { cfg, K, inDim, p } = ctx;
    this.experts = linear(p, 'head/experts', inDim, cfg.experts * cfg.expertHidden);
    this.gates = linear(p, 'head/gates', inDim, K * cfg.experts);
    this.towers = new Towers(p, 'head/towers', cfg.expertHidden, ctx);
  }

  run(x: tf.Tensor2D, training: boolean): tf.Tensor2D {
    const { cfg, K } = this.ctx;
    const R = x.shape[0];
    const experts = act(applyLinear(x, this.experts)).reshape([R, cfg.experts, cfg.expertHidden]); // [R, E, h]
    const gates = tf.softmax(applyLinear(x, this.gates).reshape([R, K, cfg.experts])); // [R, K, E]
    const mixed = tf.matMul(gates, experts).transpose([1, 0, 2]) as tf.Tensor3D; // [K, R, h]
    return this.towers.run(dropout(mixed, cfg.dropout, training, this.ctx.seed));
  }
}

export function buildMMoE(cfg: Config, meta: DatasetMeta): TowerModel {
  return new TowerModel('mmoe', cfg, meta, (ctx) => new MMoEHead(ctx));
}
