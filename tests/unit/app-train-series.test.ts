import { describe, expect, it } from 'vitest';
import Papa from 'papaparse';
import { DEFAULT_CONFIG } from '../../src/engine/config';
import { CSV_HEADER, metricsCsv, metricsJson, type ExportableRun } from '../../src/panels/train/exportMetrics';
import { evalPoints, flowPoints, formatDuration, pairCosinePoints, planePoints, taskPairs, throughput, trainLossPoints } from '../../src/panels/train/series';
import type { EvalRecord, ProbeRecord, StepRecord } from '../../src/workers/runProtocol';
import { datasetKey, parseDatasetKey } from '../../src/workers/runProtocol';

const steps: StepRecord[] = Array.from({ length: 10 }, (_, i) => ({ step: i + 1, loss: 1 / (i + 1), taskLoss: [0.5 - i * 0.01, 0.3, 0.1], infoNce: [1, 1, 1], gradNorm: 1, temperature: 0.07, samplesPerSec: 100, samples: 8, time: 1000 + i * 500 }));
const evals: EvalRecord[] = [0, 5, 10].map((step) => ({
  step,
  tasks: ['click', 'cart', 'order'].map((task, k) => ({ task, auc: 0.5 + step / 100 + k / 100, gauc: 0.5, logloss: 0.6, positiveRate: 0.1 * (k + 1), constantLogloss: 0.7, count: 40 })),
  valLoss: [0.7, 0.7, 0.7],
  valInfoNce: [1, 1, 1],
  requests: 10,
}));
const probes: ProbeRecord[] = [
  { step: 5, cosine: [[1, 0.2, -0.3], [0.2, 1, 0.5], [-0.3, 0.5, 1]], gradNorm: [1, 2, 3], flow: [[1, 0, 0], [0.5, 2, 0], [0.25, 0.1, 3]] },
];
const run: ExportableRun = { id: 'r1', name: 'base, "quoted"', config: { ...DEFAULT_CONFIG }, datasetKey: 'shop?x=1', seed: 42, step: 10, tasks: ['click', 'cart', 'order'], history: { steps, evals, probes } };

describe('series builders', () => {
  it('train loss, eval metric and plane points follow the records', () => {
    expect(trainLossPoints(steps, 0).map((p) => p.x)).toEqual(steps.map((s) => s.step));
    expect(trainLossPoints(steps, 0)[3].y).toBeCloseTo(0.47);
    expect(evalPoints(evals, 2, 'auc').map((p) => p.y)).toEqual(evals.map((e) => e.tasks[2].auc));
    expect(planePoints(evals, 0, 2, 'auc')[1]).toEqual({ x: evals[1].tasks[0].auc, y: evals[1].tasks[2].auc, step: 5 });
  });
  it('cosine per pair and flow into h_j (own vs from other tasks)', () => {
    expect(taskPairs(3)).toEqual([[0, 1], [0, 2], [1, 2]]);
    expect(pairCosinePoints(probes, 0, 2)).toEqual([{ x: 5, y: -0.3 }]);
    expect(flowPoints(probes, 0, 'own')).toEqual([{ x: 5, y: 1 }]);
    expect(flowPoints(probes, 0, 'others')[0].y).toBeCloseTo(0.75);
    expect(flowPoints(probes, 2, 'others')[0].y).toBe(0);
    expect(flowPoints([{ ...probes[0], flow: null }], 0, 'own')).toEqual([]);
  });
  it('throughput over the recent window and the ETA to the budget', () => {
    const t = throughput(steps, 10, 30, 0);
    // 9 intervals of 500 ms, 8 requests each
    expect(t.stepsPerSec).toBeCloseTo(2);
    expect(t.samplesPerSec).toBeCloseTo(16);
    expect(t.etaSec).toBeCloseTo(10);
    expect(throughput(steps, 30, 30, 0).etaSec).toBe(0);
    expect(throughput(steps.slice(0, 1), 1, 30, 0)).toEqual({ samplesPerSec: null, stepsPerSec: null, etaSec: null });
    expect(formatDuration(75)).toBe('1 min 15 s');
    expect(formatDuration(null)).toBe('-');
  });
});

describe('metric export', () => {
  it('CSV parses back to one value per row with every record present', () => {
    const csv = metricsCsv([run]);
    const parsed = Papa.parse<string[]>(csv.trim());
    expect(parsed.errors).toEqual([]);
    const [header, ...rows] = parsed.data;
    expect(header).toEqual([...CSV_HEADER]);
    expect(rows.every((r) => r[1] === 'base, "quoted"')).toBe(true);
    const trainBce = rows.filter((r) => r[3] === 'train' && r[5] === 'bce');
    expect(trainBce.length).toBe(steps.length * 3);
    const valAuc = rows.filter((r) => r[3] === 'val' && r[5] === 'auc' && r[4] === 'order');
    expect(valAuc.map((r) => Number(r[6]))).toEqual(evals.map((e) => e.tasks[2].auc));
    expect(rows.filter((r) => r[5] === 'grad_cosine').length).toBe(3);
    expect(rows.find((r) => r[5] === 'grad_flow_h' && r[4] === 'cart>click')?.[6]).toBe('0.5');
  });
  it('JSON holds config, seed, dataset and history, with NaN as null', () => {
    const withNaN = { ...run, history: { ...run.history, evals: [{ ...evals[0], tasks: [{ ...evals[0].tasks[0], gauc: NaN }] }] } };
    const back = JSON.parse(metricsJson([withNaN]));
    expect(back.runs[0].config.detach).toBe(DEFAULT_CONFIG.detach);
    expect(back.runs[0].seed).toBe(42);
    expect(back.runs[0].datasetKey).toBe('shop?x=1');
    expect(back.runs[0].history.evals[0].tasks[0].gauc).toBeNull();
    expect(back.runs[0].history.steps.length).toBe(10);
  });
});

describe('dataset keys', () => {
  it('name the data fully and parse back', () => {
    const k = datasetKey('shop', { requests: '200', conflict: '0.8' }, { ...DEFAULT_CONFIG, historyLen: 4 });
    expect(k).toBe(datasetKey('shop', { conflict: '0.8', requests: '200' }, { ...DEFAULT_CONFIG, historyLen: 4 }));
    expect(k).not.toBe(datasetKey('shop', { requests: '200', conflict: '0.8' }, { ...DEFAULT_CONFIG }));
    const p = parseDatasetKey(k);
    expect(p.dataset).toBe('shop');
    expect(p.shop).toEqual({ requests: '200', conflict: '0.8' });
    expect(p.encoding.historyLen).toBe(4);
    expect(p.encoding.split).toBe(DEFAULT_CONFIG.split);
    // an uploaded dataset ignores shop knobs
    expect(parseDatasetKey(datasetKey('u:abc', { requests: '200' }, DEFAULT_CONFIG)).shop).toEqual({});
  });
});
