// Worker side of inspectProtocol.ts: reads a run's Trainer (through runs.ts) and returns plain arrays.
// Neither method takes the run's exclusive lock: both only read the weights, between training steps (every
// TF.js scope here is synchronous), so looking inside a run never stalls its training.
import type { Trainer } from '../engine/train/trainer';
import { detachMatrix, keyRealOf, taskMask, tokenLayout, type TokenLayout } from '../engine/model/mask';
import { resolveSwitches } from '../engine/model/switches';
import type { AttentionSnapshot, GradientFlow, InspectMethods } from './inspectProtocol';
import { withSettledRun } from './runMethods';
import { getTrainer } from './runs';

/** Readable item id of a vocabulary id ('i42'), or null for padding / when the data has no item names. */
function itemName(t: Trainer, id: number): string | null {
  if (id === 0) return null;
  return t.dataset.itemVocab?.[id] ?? null;
}

/** Axis labels with this request's item ids: 'hist 3: i42', 'cand 2: i7' (padding says so). */
function labelTokens(t: Trainer, layout: TokenLayout, request: number): string[] {
  const H = t.meta.historyLen;
  const N = t.meta.maxCandidates;
  return layout.tokens.map((tok, i) => {
    if (tok.kind === 'hist') {
      const id = t.dataset.history[request * H + (i - layout.numSD)];
      return id === 0 ? `${tok.label} (empty)` : `${tok.label}: ${itemName(t, id) ?? `#${id}`}`;
    }
    if (tok.kind === 'cand') {
      if (!t.dataset.candMask[request * N + tok.group]) return `${tok.label} (padding)`;
      const name = itemName(t, t.dataset.candItem[request * N + tok.group]);
      return name ? `${tok.label}: ${name}` : tok.label;
    }
    return tok.label;
  });
}

export const inspectMethods: InspectMethods = {
  async captureAttention({ runId, request }) {
    const t = getTrainer(runId);
    const raw = await t.captureAttention(request);
    const layout = tokenLayout(t.meta, t.config);
    const H = t.meta.historyLen;
    const history = t.dataset.history.subarray(raw.request * H, (raw.request + 1) * H);
    const switches = resolveSwitches(t.config, t.meta);
    const labels = labelTokens(t, layout, raw.request);
    const snapshot: AttentionSnapshot = {
      runId,
      step: t.step,
      model: t.config.model,
      request,
      numRequests: t.dataset.valIdx.length,
      tokens: labels,
      kinds: layout.tokens.map((k) => k.kind),
      mask: raw.mask,
      keyReal: keyRealOf(layout, history, raw.candMask),
      trunk: raw.trunk,
      tasks: [...t.tasks],
      candidates: layout.tokens.flatMap((tok, i) => (tok.kind === 'cand' ? [labels[i]] : [])),
      candMask: raw.candMask,
      ...(raw.candidate ? { candidate: raw.candidate } : {}),
      ...(raw.crossTask ? { crossTask: raw.crossTask, taskMask: raw.taskMask, crossTaskMask: switches.crossTaskMask } : {}),
    };
    return snapshot;
  },

  async gradientFlow({ runId }) {
    const t = getTrainer(runId);
    if (t.config.model !== 'onerank') throw new Error(`Gradient flow into task channels exists only for OneRank (this run is ${t.config.model})`);
    // A probe takes gradients: between two training turns (a step submitted ahead is read first).
    const probe = await withSettledRun(runId, () => t.probe());
    if (!probe.channelFlow) throw new Error('This model has no task channels to measure');
    const K = t.tasks.length;
    const s = resolveSwitches(t.config, t.meta);
    const flow: GradientFlow = {
      runId,
      step: probe.step,
      tasks: [...t.tasks],
      flow: probe.channelFlow,
      detach: detachMatrix(s.detach, s.detachEdges, K),
      taskMask: s.crossTaskAttention ? taskMask(s.crossTaskMask, K, s.customTaskMask) : taskMask('parallel', K),
    };
    return flow;
  },
};
