// 4. Gradient flow, live: per task loss k, the norm of the gradient reaching each task channel h_j. With
// detachment on, every off-diagonal cell is exactly 0 (task k reads h_j but cannot update it); with it off, the
// edges the task mask allows light up.
import { useEffect, useRef, useState } from 'react';
import { useApp } from '../../app/AppContext';
import { usePanelVisible } from '../../app/visibility';
import type { GradientFlow } from '../../workers/inspectProtocol';
import { flowColor, inkOn, rgbCss } from './colors';
import { formatWeight } from './maps';

/** How often, at most, the view asks for a fresh measurement while a run trains (it costs one backward pass). */
const REFRESH_MS = 1500;

export function cellNote(flow: GradientFlow, k: number, j: number): string {
  if (k === j) return 'its own channel';
  if (!flow.taskMask[k][j]) return 'not read (task mask)';
  return flow.detach[k][j] ? 'read, detached' : 'read, not detached';
}

export function GradFlowTable({ flow }: { flow: GradientFlow }) {
  const max = Math.max(0, ...flow.flow.flat().map(Math.abs));
  const anyDetached = flow.detach.some((row, k) => row.some((v, j) => v && flow.taskMask[k][j]));
  const offDiagonal = flow.flow.flatMap((row, k) => row.filter((_, j) => j !== k));
  return (
    <table
      className="grad-flow"
      data-testid="grad-flow"
      data-step={flow.step}
      data-detach={anyDetached ? 'on' : 'off'}
      data-offdiag-max={Math.max(0, ...offDiagonal.map(Math.abs))}
    >
      <thead>
        <tr>
          <th>loss of \ reaches</th>
          {flow.tasks.map((t) => (
            <th key={t}>h: {t}</th>
          ))}
        </tr>
      </thead>
      <tbody>
        {flow.flow.map((row, k) => (
          <tr key={k}>
            <th>{flow.tasks[k]}</th>
            {row.map((v, j) => {
              const bg = flowColor(v, max);
              return (
                <td
                  key={j}
                  data-testid="grad-flow-cell"
                  data-k={k}
                  data-j={j}
                  data-value={String(v)}
                  className={k === j ? 'diag' : 'off'}
                  title={`${flow.tasks[k]}'s loss -> h_${flow.tasks[j]}: ${v} (${cellNote(flow, k, j)})`}
                  style={{ background: rgbCss(bg), color: inkOn(bg) }}
                >
                  {formatWeight(v)}
                  <div style={{ fontSize: 10, opacity: 0.75 }}>{cellNote(flow, k, j)}</div>
                </td>
              );
            })}
          </tr>
        ))}
      </tbody>
    </table>
  );
}

/** Keeps a GradientFlow measurement of `runId` fresh as `step` moves (at most one request in flight). */
export function useGradientFlow(runId: string | null, step: number): { flow: GradientFlow | null; error: string | null } {
  const { worker, workerGeneration } = useApp();
  const visible = usePanelVisible();
  const [flow, setFlow] = useState<GradientFlow | null>(null);
  const [error, setError] = useState<string | null>(null);
  const busy = useRef(false);
  const lastAt = useRef(0);
  const [tick, setTick] = useState(0);
  const key = `${runId}|${workerGeneration}`;
  const keyRef = useRef(key);

  useEffect(() => {
    keyRef.current = key;
    setFlow(null);
    setError(null);
  }, [key]);

  useEffect(() => {
    if (!visible || !worker || !runId || busy.current) return;
    if (flow && flow.step === step) return;
    const wait = lastAt.current + REFRESH_MS - Date.now();
    if (wait > 0) {
      const t = setTimeout(() => setTick((x) => x + 1), wait);
      return () => clearTimeout(t);
    }
    busy.current = true;
    lastAt.current = Date.now();
    const asked = key;
    worker.client.call('gradientFlow', { runId }).then(
      (f) => {
        busy.current = false;
        if (keyRef.current !== asked) return;
        setError(null);
        setFlow(f);
      },
      (e: Error) => {
        busy.current = false;
        if (keyRef.current === asked) setError(e.message);
      },
    );
  }, [visible, worker, runId, step, flow, key, tick]);

  return { flow, error };
}

export function GradFlowView({ runId, runName, step, detach, onFlip }: { runId: string; runName: string; step: number; detach: boolean; onFlip?: () => void }) {
  const { flow, error } = useGradientFlow(runId, step);
  return (
    <div className="panel" data-testid="grad-flow-view">
      <h2>Gradient flow into the task channels: {runName}</h2>
      <div className="note">
        Cell (k, j): how strongly task k&apos;s loss pushes on task j&apos;s channel h_j (norm of the gradient, one validation batch). Detachment is{' '}
        <b>{detach ? 'on' : 'off'}</b> in this run
        {detach ? ': off-diagonal cells read exactly 0 (task k may read h_j, never update it).' : ': every edge the task mask allows carries gradient.'}
      </div>
      {error && <div className="error-box">{error}</div>}
      {flow ? <GradFlowTable flow={flow} /> : !error && <div className="note">Measuring...</div>}
      {onFlip && (
        <div style={{ marginTop: 8 }}>
          <button data-testid="flip-detach" onClick={onFlip}>
            Flip the switch: a copy of this run with detachment {detach ? 'off' : 'on'}
          </button>
        </div>
      )}
    </div>
  );
}
