// 1. The token layout and attention mask of the selected run: its own config, its dataset's tasks and features.
// With no run selected it is a sketch, labelled so, whose controls edit the same URL config the Train tab uses
// (changing H, N or an ablation redraws it).
import { useMemo, useState } from 'react';
import { useApp } from '../../app/AppContext';
import { GlossaryLink } from '../../app/Glossary';
import { CONFIG_KEYS, ConfigError, parseConfigValue, type Config } from '../../engine/config';
import type { TokenKind } from '../../engine/model/mask';
import { architectureOf, describeRow, layoutSummary, SHOP_SPEC, SHOP_TASKS, type SketchSpec } from './architecture';
import type { Rgb } from './colors';
import { Heatmap } from './Heatmap';
import type { LabeledMap } from './maps';

const KIND_RGB: Record<TokenKind, Rgb> = { ctx: [31, 95, 209], hist: [42, 157, 143], cand: [217, 119, 6], task: [124, 58, 237] };

/** Task names for a sketch with K tasks: the shop's three, then t4, t5 ... */
export function sketchTasks(K: number): string[] {
  return Array.from({ length: K }, (_, k) => SHOP_TASKS[k] ?? `t${k + 1}`);
}

/** The run whose architecture is drawn: its config and its dataset's spec (tasks and features). */
export interface ArchitectureRun {
  name: string;
  config: Config;
  spec: SketchSpec;
  datasetName: string;
}

export function ArchitectureView({ run }: { run?: ArchitectureRun }) {
  const { state, setState } = useApp();
  // With a run selected, its own architecture; a sketch of other settings only when asked for.
  const [sketchWanted, setSketchWanted] = useState(false);
  const shownRun = sketchWanted ? undefined : run;
  const sketch = !shownRun;
  const cfg = shownRun?.config ?? state.config;
  const [K, setK] = useState(SHOP_TASKS.length);
  const [error, setError] = useState<string | null>(null);
  const [row, setRow] = useState<number | null>(null);
  const spec: SketchSpec = shownRun ? shownRun.spec : { ...SHOP_SPEC, tasks: sketchTasks(K) };
  const specKey = JSON.stringify(spec);
  const arch = useMemo(() => architectureOf(cfg, JSON.parse(specKey) as SketchSpec), [cfg, specKey]);
  const { layout, mask } = arch;
  const map: LabeledMap = useMemo(
    () => ({
      title: `Attention mask (${arch.maskKind}${cfg.model === 'onerank' && cfg.ablation !== 'none' ? `, ablation ${cfg.ablation}` : ''})`,
      rowAxis: 'query',
      colAxis: 'key',
      rows: layout.tokens.map((t) => t.label),
      cols: layout.tokens.map((t) => t.label),
      values: mask,
      mask,
    }),
    [layout, mask, arch.maskKind, cfg.model, cfg.ablation],
  );

  const set = <K extends keyof Config>(key: K, raw: string) => {
    try {
      const v = parseConfigValue(key, raw);
      setError(null);
      setState((s) => ({ ...s, config: { ...s.config, [key]: v } }));
    } catch (e) {
      setError(e instanceof ConfigError ? e.message : String(e));
    }
  };
  const cell = layout.T > 90 ? 6 : layout.T > 60 ? 8 : 12;

  return (
    <div className="panel" data-testid="architecture-view" data-mode={sketch ? 'sketch' : 'run'} data-tasks={spec.tasks.join(',')}>
      <h2>
        {shownRun ? `Architecture of ${shownRun.name}: the token sequence and who may read whom` : `Architecture sketch (${run ? 'not a run' : 'no run selected'}): the token sequence and who may read whom`}
        <GlossaryLink term="mask" />
        <GlossaryLink term="task token" />
      </h2>
      {run && (
        <button type="button" data-testid="arch-sketch-toggle" onClick={() => setSketchWanted((v) => !v)}>
          {sketchWanted ? `Back to the architecture of ${run.name}` : 'Sketch other settings instead'}
        </button>
      )}
      {shownRun ? (
        <div className="note" data-testid="arch-run-facts">
          Data: <strong>{shownRun.datasetName}</strong>, {spec.tasks.length} task{spec.tasks.length === 1 ? '' : 's'} ({spec.tasks.join(', ')}). Context token:{' '}
          {spec.contextFeatures.join(', ') || 'none'}. Candidate token: {spec.candidateFeatures?.join(', ') || 'none'}. Model {cfg.model}
          {cfg.model === 'onerank' && cfg.ablation !== 'none' ? ` (${cfg.ablation})` : ''}, width d = {cfg.d}, {cfg.layers} layer(s) x {cfg.heads} head(s), H = {arch.layout.historyLen},
          N = {cfg.maxCandidates}.
        </div>
      ) : (
        <div className="note">
          A sketch on the built-in shop world with the settings of the next run; select a run (Train tab, or below) to see its own architecture.
        </div>
      )}
      <div className="inspect-controls" hidden={!sketch}>
        <label>
          model
          <select data-testid="arch-model" value={cfg.model} onChange={(e) => set('model', e.target.value)}>
            {(CONFIG_KEYS.model as { options: readonly string[] }).options.map((o) => (
              <option key={o}>{o}</option>
            ))}
          </select>
        </label>
        <label>
          ablation <GlossaryLink term="ablation" />
          <select data-testid="arch-ablation" value={cfg.ablation} onChange={(e) => set('ablation', e.target.value)} disabled={cfg.model !== 'onerank'}>
            {(CONFIG_KEYS.ablation as { options: readonly string[] }).options.map((o) => (
              <option key={o}>{o}</option>
            ))}
          </select>
        </label>
        <label>
          history H
          <input data-testid="arch-history" type="number" min={0} max={64} value={cfg.historyLen} onChange={(e) => set('historyLen', e.target.value)} />
        </label>
        <label>
          candidates N
          <input data-testid="arch-candidates" type="number" min={1} max={32} value={cfg.maxCandidates} onChange={(e) => set('maxCandidates', e.target.value)} />
        </label>
        <label title="The number of tasks comes from the dataset; change it here to see how the sequence grows.">
          tasks K (sketch)
          <input data-testid="arch-tasks" type="number" min={1} max={8} value={K} onChange={(e) => setK(Math.max(1, Math.min(8, Number(e.target.value) || 1)))} />
        </label>
      </div>
      {error && <div className="error-box">{error}</div>}
      <div className="note" data-testid="layout-summary">
        {layoutSummary(layout)}
      </div>
      <div className="layout-strip" data-testid="layout-strip" data-tokens={layout.T}>
        {layout.tokens.map((t, i) => (
          <span key={i} className={`tok-${t.kind}${row === i ? ' hot' : ''}`} title={t.label} onMouseEnter={() => setRow(i)}>
            {t.kind === 'hist' ? t.label.replace('hist ', 'h') : t.label.replace('task: ', 't:')}
          </span>
        ))}
      </div>
      <div className="row-reading" data-testid="mask-row-reading">
        {row !== null && row < layout.T ? describeRow(layout, mask, row).sentence : 'Hover a row of the mask (or a token above) to read, in words, what that token may attend to.'}
      </div>
      <Heatmap
        map={map}
        testId="mask-grid"
        cell={cell}
        color={(v, _max, _r, c) => (v ? KIND_RGB[layout.tokens[c].kind] : [255, 255, 255])}
        data={{ tokens: layout.T, 'mask-kind': arch.maskKind }}
        describe={(r, c) => `${layout.tokens[r].label} \u2192 ${layout.tokens[c].label}: ${mask[r][c] ? 'may attend' : 'masked'}`}
        onHover={(h) => h && setRow(h.r)}
      />
      <div className="note">Rows are queries, columns keys. Colored cells may attend (colored by the key's kind: situation, history, candidate, task); hatched cells are masked.</div>
    </div>
  );
}
