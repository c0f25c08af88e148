// 2 + 3. Attention maps of one validation request: the trunk per layer and head (or the mean over heads, or
// every layer by head at once), the candidate-aware attention per task, and the K x K cross-task attention
// with its mask. Snapshots are taken every M steps while the run trains; the scrubber replays them.
import { useEffect, useMemo, useRef, useState } from 'react';
import { useApp } from '../../app/AppContext';
import { usePanelVisible } from '../../app/visibility';
import { applyKeyPadding } from '../../engine/model/mask';
import type { AttentionSnapshot } from '../../workers/inspectProtocol';
import { formatWeight, mapStats, meanOf, type LabeledMap } from './maps';
import { Heatmap } from './Heatmap';
import { rgbCss, viridis, MASKED_RGB } from './colors';
import { addSnapshot, snapshotDue } from './snapshots';

export interface InspectedRun {
  id: string;
  name: string;
  step: number;
  /** Snapshot period M suggested by the run (its eval period). */
  evalEvery: number;
}

type HeadPick = number | 'mean';

function headMap(maps: number[][][], head: HeadPick): number[][] {
  return head === 'mean' ? meanOf(maps) : maps[Math.min(head, maps.length - 1)];
}

function headLabel(head: HeadPick): string {
  return head === 'mean' ? 'mean over heads' : `head ${head + 1}`;
}

/** The trunk map of one layer and head, labeled and masked for this request. */
export function trunkMap(s: AttentionSnapshot, layer: number, head: HeadPick): LabeledMap {
  return {
    title: `Trunk layer ${layer + 1}, ${headLabel(head)} (step ${s.step}, request ${s.request + 1})`,
    rowAxis: 'query',
    colAxis: 'key',
    rows: s.tokens,
    cols: s.tokens,
    values: headMap(s.trunk[layer], head),
    mask: applyKeyPadding(s.mask, s.keyReal),
  };
}

export function candidateMap(s: AttentionSnapshot, head: HeadPick): LabeledMap | null {
  if (!s.candidate) return null;
  return {
    title: `Candidate-aware attention, ${headLabel(head)} (step ${s.step})`,
    rowAxis: 'task',
    colAxis: 'candidate',
    rows: s.tasks.map((t) => `task: ${t}`),
    cols: s.candidates,
    values: s.candidate.map((perHead) => (head === 'mean' ? meanOf(perHead.map((w) => [w]))[0] : perHead[Math.min(head, perHead.length - 1)])),
    mask: s.tasks.map(() => s.candMask),
  };
}

export function crossTaskMap(s: AttentionSnapshot, head: HeadPick): LabeledMap | null {
  if (!s.crossTask) return null;
  return {
    title: `Cross-task attention, ${headLabel(head)}, mask '${s.crossTaskMask ?? 'custom'}' (step ${s.step})`,
    rowAxis: 'task',
    colAxis: 'reads task',
    rows: s.tasks,
    cols: s.tasks,
    values: headMap(s.crossTask, head),
    mask: s.taskMask,
  };
}

/** The colour scale: 0 to the map's largest weight (perMap: each small map is scaled to its own largest). */
function Legend({ max, perMap = false }: { max: number; perMap?: boolean }) {
  const stops = Array.from({ length: 9 }, (_, i) => rgbCss(viridis(i / 8))).join(', ');
  return (
    <div className="heatmap-legend" data-testid="attention-legend">
      <span>attention weight: 0</span>
      <span className="bar" style={{ background: `linear-gradient(to right, ${stops})` }} />
      <span>{perMap ? "the map's largest weight (each small map has its own)" : formatWeight(max)}</span>
      <span className="swatch" style={{ background: rgbCss(MASKED_RGB) }} /> masked
    </div>
  );
}

export function AttentionView({ run }: { run: InspectedRun }) {
  const { worker, workerGeneration } = useApp();
  const visible = usePanelVisible();
  const [request, setRequest] = useState(0);
  const [every, setEvery] = useState(run.evalEvery);
  const [snapshots, setSnapshots] = useState<AttentionSnapshot[]>([]);
  const [picked, setPicked] = useState<number | null>(null); // index into snapshots; null = follow the newest
  const [layer, setLayer] = useState(0);
  const [head, setHead] = useState<HeadPick>(0);
  const [grid, setGrid] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const busy = useRef(false);
  // Bumped when a capture for a run or request no longer shown comes back: the one now shown is then asked for
  // (it was skipped while that capture was busy, and an idle run's step never changes to ask again).
  const [staleDone, setStaleDone] = useState(0);
  const key = `${run.id}|${request}|${workerGeneration}`;
  const keyRef = useRef(key);

  // A new run, request or worker starts a new history.
  useEffect(() => {
    keyRef.current = key;
    setSnapshots([]);
    setPicked(null);
    setError(null);
  }, [key]);

  // A reset shows as the page's own step going back; remembered until a capture starts.
  const lastStep = useRef(run.step);
  const resetSeen = useRef(false);
  useEffect(() => {
    if (run.step < lastStep.current) resetSeen.current = true;
    lastStep.current = run.step;
    if (!worker || busy.current) return;
    const steps = snapshots.map((s) => s.step);
    if (!snapshotDue(steps, run.step, every, resetSeen.current)) return;
    resetSeen.current = false;
    busy.current = true;
    const asked = key;
    worker.client.call('captureAttention', { runId: run.id, request }).then(
      (s) => {
        busy.current = false;
        if (keyRef.current !== asked) return setStaleDone((n) => n + 1);
        setError(null);
        setSnapshots((list) => addSnapshot(list, s));
      },
      (e: Error) => {
        busy.current = false;
        if (keyRef.current === asked) setError(e.message);
        else setStaleDone((n) => n + 1);
      },
    );
  }, [worker, run.id, run.step, request, every, snapshots, key, staleDone]);

  const shown = snapshots.length ? snapshots[picked === null ? snapshots.length - 1 : Math.min(picked, snapshots.length - 1)] : null;
  const L = shown?.trunk.length ?? 0;
  const H = shown?.trunk[0]?.length ?? 0;
  const safeLayer = Math.min(layer, Math.max(0, L - 1));
  const safeHead: HeadPick = head === 'mean' ? 'mean' : Math.min(head, Math.max(0, H - 1));
  const main = useMemo(() => (shown ? trunkMap(shown, safeLayer, safeHead) : null), [shown, safeLayer, safeHead]);
  const cand = useMemo(() => (shown ? candidateMap(shown, safeHead) : null), [shown, safeHead]);
  const cross = useMemo(() => (shown ? crossTaskMap(shown, safeHead) : null), [shown, safeHead]);
  const T = shown?.tokens.length ?? 0;
  const cell = T > 90 ? 7 : T > 50 ? 9 : 14;

  // Snapshots keep being taken while hidden (the scrubber covers the whole run); only drawing waits.
  if (!visible) return <div className="panel" data-testid="attention-view" />;
  return (
    <div className="panel" data-testid="attention-view">
      <h2>Attention maps: {run.name}</h2>
      <div className="inspect-controls">
        <label>
          validation request
          <input
            data-testid="attention-request"
            type="number"
            min={1}
            max={shown?.numRequests ?? 1}
            value={request + 1}
            onChange={(e) => setRequest(Math.max(0, Math.min((shown?.numRequests ?? 1e9) - 1, (Number(e.target.value) || 1) - 1)))}
          />
          {shown && <span>of {shown.numRequests}</span>}
        </label>
        <label>
          layer
          <select data-testid="attention-layer" value={safeLayer} onChange={(e) => setLayer(Number(e.target.value))}>
            {Array.from({ length: L }, (_, l) => (
              <option key={l} value={l}>
                {l + 1}
              </option>
            ))}
          </select>
        </label>
        <label>
          head
          <select data-testid="attention-head" value={String(safeHead)} onChange={(e) => setHead(e.target.value === 'mean' ? 'mean' : Number(e.target.value))}>
            {Array.from({ length: H }, (_, h) => (
              <option key={h} value={h}>
                {h + 1}
              </option>
            ))}
            <option value="mean">mean over heads</option>
          </select>
        </label>
        <label>
          <input data-testid="attention-grid-toggle" type="checkbox" checked={grid} onChange={(e) => setGrid(e.target.checked)} />
          every layer x head
        </label>
        <label title="Take an attention snapshot every M training steps">
          snapshot every M =
          <input data-testid="snapshot-every" type="number" min={1} value={every} onChange={(e) => setEvery(Math.max(1, Number(e.target.value) || 1))} />
          steps
        </label>
      </div>
      <div className="scrubber">
        <span>step</span>
        <input
          data-testid="snapshot-scrubber"
          type="range"
          min={0}
          max={Math.max(0, snapshots.length - 1)}
          value={picked === null ? snapshots.length - 1 : picked}
          disabled={snapshots.length < 2}
          onChange={(e) => {
            const i = Number(e.target.value);
            setPicked(i >= snapshots.length - 1 ? null : i);
          }}
        />
        <span data-testid="snapshot-step" data-snapshots={snapshots.length}>
          {shown ? `${shown.step} (${snapshots.length} snapshot${snapshots.length === 1 ? '' : 's'}${picked === null ? ', following the newest' : ''})` : 'no snapshot yet'}
        </span>
      </div>
      {error && <div className="error-box">{error}</div>}
      {!shown && !error && <div className="note">Capturing the maps of validation request {request + 1}...</div>}
      {shown && main && (
        <>
          {grid ? (
            <>
            <div className="note">
              Every layer (rows) by head (columns), the last column the mean over heads. In each small map, rows are the query tokens and columns
              the keys, in the order of the large map; click one to open it large.
            </div>
            <div className="small-multiples attention-grid" style={{ gridTemplateColumns: `auto repeat(${H + 1}, auto)` }} data-testid="attention-grid">
              <span />
              {Array.from({ length: H + 1 }, (_, h) => (
                <span key={`ch${h}`} className="grid-head" data-testid="attention-grid-col">
                  {h < H ? `head ${h + 1}` : 'mean over heads'}
                </span>
              ))}
              {Array.from({ length: L }, (_, l) => [
                <span key={`rh${l}`} className="grid-head grid-row-head" data-testid="attention-grid-row">
                  layer {l + 1}
                </span>,
                ...[...Array.from({ length: H }, (_, h) => h as HeadPick), 'mean' as HeadPick].map((h) => (
                  <Heatmap
                    key={`${l}-${h}`}
                    map={{ ...trunkMap(shown, l, h), title: `L${l + 1} ${h === 'mean' ? 'mean' : `H${h + 1}`}` }}
                    testId="attention-grid-map"
                    cell={Math.max(2, Math.floor(220 / T))}
                    labels={false}
                    exportable={false}
                    data={{ layer: l, head: String(h) }}
                    onClick={() => {
                      setLayer(l);
                      setHead(h);
                      setGrid(false);
                    }}
                  />
                )),
              ])}
            </div>
            <Legend max={1} perMap />
            </>
          ) : (
            <>
              <Heatmap map={main} testId="attention-heatmap" cell={cell} data={{ layer: safeLayer, head: String(safeHead), step: shown.step, request: shown.request }} />
              <Legend max={mapStats(main).maxValue} />
            </>
          )}
          <div className="inspect-grid" style={{ marginTop: 12 }}>
            {cand ? (
              <Heatmap map={cand} testId="candidate-attention" cell={Math.max(14, Math.min(28, Math.floor(420 / cand.cols.length)))} data={{ head: String(safeHead) }} />
            ) : (
              <div className="note">No candidate-aware attention in this run (the block is off, the model is a baseline, or N = 1): h_k is the mean over candidates.</div>
            )}
            {cross ? (
              <div>
                <Heatmap map={cross} testId="cross-task-attention" cell={36} data={{ head: String(safeHead), preset: shown.crossTaskMask ?? '' }} />
                <div className="note">Rows read columns; hatched cells are cut by the task mask A.</div>
              </div>
            ) : (
              <div className="note">No cross-task attention in this run (a baseline, or ablation V3).</div>
            )}
          </div>
          <div className="note">
            A task token's row shows where it looks: watch the rows labeled "task: ..." change as the run trains (drag the scrubber). Hatched cells are
            masked by the structured mask or are padding; every weight there is exactly 0.
          </div>
        </>
      )}
    </div>
  );
}
