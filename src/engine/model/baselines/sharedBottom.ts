// Shared-Bottom: one shared MLP, then one tower per task.  logit_k = tower_k(silu(W x + b))
import * as tf from '@tensorflow/tfjs';
import type { Config } from '../../config';
import type { DatasetMeta } from '../../data/types';
import { act, applyLinear, dropout, linear, type Linear } from '../layers';
import { perTask, TowerModel, Towers, type Head, type HeadContext } from './common';

export class SharedBottomHead implements Head {
  private readonly bottom: Linear; // in -> expertHidden
  private readonly towers: Towers;

  constructor(private readonly ctx: HeadContext) {
    this.bottom = linear(ctx.p, 'head/bottom', ctx.inDim, ctx.cfg.expertHidden);
    this.towers = new Towers(ctx.p, 'head/towers', ctx.cfg.expertHidden, ctx);
  }

  run(x: tf.Tensor2D, training: boolean): tf.Tensor2D {
    const shared = dropout(act(applyLinear(x, this.bottom)) as tf.Tensor2D, this.ctx.cfg.dropout, training, this.ctx.seed);
    return this.towers.run(perTask(shared, this.ctx.K));
  }
}

export function buildSharedBottom(cfg: Config, meta: DatasetMeta): TowerModel {
  return new TowerModel('sharedbottom', cfg, meta, (ctx) => new SharedBottomHead(ctx));
}
