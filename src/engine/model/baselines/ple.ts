// PLE (Tang et al., RecSys 2020): Customized Gate Control stacked over pleLevels extraction levels.
// Level l has S shared experts and T experts per task. Task k's gate mixes its own T experts and the S shared
// ones; below the last level a shared gate mixes all K*T + S experts into the next level's shared input.
//   task_k^{l+1} = sum softmax(G_k^l task_k^l) [E_k^l(task_k^l) ; E_s^l(shared^l)]
//   shared^{l+1} = sum softmax(G_s^l shared^l) [E_1^l .. E_K^l ; E_s^l]
// Level 1 reads the candidate representation for every input. Towers read task_k^{L}.
import * as tf from '@tensorflow/tfjs';
import type { Config } from '../../config';
import type { DatasetMeta } from '../../data/types';
import { act, applyLinear, applyTaskLinear, dropout, linear, taskLinear, type Linear, type TaskLinear } from '../layers';
import { perTask, TowerModel, Towers, type Head, type HeadContext } from './common';

interface Level {
  taskExperts: TaskLinear; // [K, in, T * h]
  sharedExperts: Linear; // in -> S * h
  taskGates: TaskLinear; // [K, in, T + S]
  sharedGate: Linear | null; // in -> K * T + S (absent at the last level)
}

export class PLEHead implements Head {
  private readonly levels: Level[];
  private readonly towers: Towers;

  constructor(private readonly ctx: HeadContext) {
    const { cfg, K, p } = ctx;
    const S = cfg.pleSharedExperts;
    const T = cfg.pleTaskExperts;
    const h = cfg.expertHidden;
    this.levels = Array.from({ length: cfg.pleLevels }, (_, l) => {
      const inDim = l === 0 ? ctx.inDim : h;
      return {
        taskExperts: taskLinear(p, `head/l${l}/taskExperts`, K, inDim, T * h),
        sharedExperts: linear(p, `head/l${l}/sharedExperts`, inDim, S * h),
        taskGates: taskLinear(p, `head/l${l}/taskGates`, K, inDim, T + S),
        sharedGate: l < cfg.pleLevels - 1 ? linear(p, `head/l${l}/sharedGate`, inDim, K * T + S) : null,
      };
    });
    this.towers = new Towers(p, 'head/towers', h, ctx);
  }

  run(x: tf.Tensor2D, training: boolean): tf.Tensor2D {
    const { cfg, K } = this.ctx;
    const S = cfg.pleSharedExperts;
    const T = cfg.pleTaskExperts;
    const h = cfg.expertHidden;
    const R = x.shape[0];
    let taskIn = perTask(x, K); // [K, R, in]
    let sharedIn: tf.Tensor2D = x; // [R, in]
    for (const lv of this.levels) {
      const taskExp = act(applyTaskLinear(taskIn, lv.taskExperts)).reshape([K, R, T, h]);
      const sharedExp = act(applyLinear(sharedIn, lv.sharedExperts)).reshape([R, S, h]);
      // Task k mixes [its T experts ; the S shared experts]: [K, R, T + S, h].
      const pool = tf.concat([taskExp, tf.broadcastTo(sharedExp.expandDims(0), [K, R, S, h])], 2);
      const gate = tf.softmax(applyTaskLinear(taskIn, lv.taskGates)).expandDims(2); // [K, R, 1, T + S]
      const nextTask = tf.matMul(gate, pool).reshape([K, R, h]) as tf.Tensor3D;
      if (lv.sharedGate) {
        const all = tf.concat([taskExp.transpose([1, 0, 2, 3]).reshape([R, K * T, h]), sharedExp], 1); // [R, KT + S, h]
        const g = tf.softmax(applyLinear(sharedIn, lv.sharedGate)).expandDims(1); // [R, 1, KT + S]
        sharedIn = tf.matMul(g, all).reshape([R, h]) as tf.Tensor2D;
      }
      taskIn = nextTask;
    }
    return this.towers.run(dropout(taskIn, cfg.dropout, training, this.ctx.seed));
  }
}

export function buildPLE(cfg: Config, meta: DatasetMeta): TowerModel {
  return new TowerModel('ple', cfg, meta, (ctx) => new PLEHead(ctx));
}
