// Every knob of the next run, generated from CONFIG_KEYS and written to the URL hash (state.config), grouped as
// a user thinks of them: training, model, the OneRank switches, sizes, baselines, data split.
import { memo } from 'react';
import { configProblems, type Config } from '../../engine/config';
import { ConfigField } from './ConfigField';
import { MatrixField } from './MatrixField';

interface Props {
  config: Config;
  tasks: string[];
  onChange: (next: Config) => void;
}

const SIZES = ['d', 'layers', 'heads', 'ffnRatio', 'historyLen', 'maxCandidates', 'multiLen', 'dropout'] as const;
const TRAINING = ['lr', 'batchSize', 'alpha', 'temperature', 'weightDecay', 'clipNorm', 'steps', 'evalEvery', 'probeEvery', 'seed'] as const;
const BASELINE = ['experts', 'expertHidden', 'towerHidden', 'pleSharedExperts', 'pleTaskExperts', 'pleLevels'] as const;

/**
 * Why `config` with k set to v would not build, when it would not and the current one does: a setting that
 * breaks another (heads 3 with d 32) is refused at the field that was typed in, not at Play.
 */
export function refusal<K extends keyof Config>(config: Config, k: K, v: Config[K]): string | null {
  const before = configProblems(config);
  const after = configProblems({ ...config, [k]: v });
  const fresh = (Object.keys(after) as (keyof Config)[]).filter((key) => !before[key]);
  return fresh.length ? (after[fresh[0]] ?? null) : null;
}

function presetMask(preset: Config['crossTaskMask'], K: number): number[][] {
  return Array.from({ length: K }, (_, k) => Array.from({ length: K }, (_, j) => (preset === 'full' || k === j || (preset === 'cascade' && j <= k) ? 1 : 0)));
}

export const ConfigControls = memo(function ConfigControls({ config, tasks, onChange }: Props) {
  const set = <K extends keyof Config>(k: K) => (v: Config[K]) => onChange({ ...config, [k]: v });
  const problems = configProblems(config);
  const field = (k: keyof Config) => (
    <ConfigField key={k} k={k} value={config[k]} onChange={set(k)} refuse={(v) => refusal(config, k, v)} problem={problems[k]} />
  );
  const K = tasks.length;
  const weights = config.taskWeights === '' ? tasks.map(() => 1) : config.taskWeights.split(',').map(Number);
  const setWeight = (k: number, v: number) => {
    const next = tasks.map((_, i) => (i === k ? v : (weights[i] ?? 1)));
    onChange({ ...config, taskWeights: next.every((w) => w === 1) ? '' : next.join(',') });
  };
  const isOneRank = config.model === 'onerank';
  return (
    <div className="config-controls">
      <fieldset>
        <legend>Training</legend>
        {TRAINING.map(field)}
        <div className="task-weights" data-testid="task-weights">
          <span title="per-task BCE weights w_k">loss weight per task</span>
          {tasks.map((t, k) => (
            <label key={t}>
              {t}
              <input
                type="number"
                min={0}
                step="any"
                data-testid={`task-weight-${t}`}
                value={weights[k] ?? 1}
                onChange={(e) => {
                  const v = Number(e.target.value);
                  if (e.target.value !== '' && Number.isFinite(v) && v >= 0) setWeight(k, v);
                }}
              />
            </label>
          ))}
          {weights.length !== K && <span className="cfg-error">taskWeights has {weights.length} values for {K} tasks</span>}
        </div>
      </fieldset>
      <fieldset>
        <legend>Model</legend>
        {field('model')}
      </fieldset>
      <fieldset disabled={!isOneRank} title={isOneRank ? undefined : 'OneRank only'}>
        <legend>OneRank switches</legend>
        {field('ablation')}
        {field('detach')}
        <div className="sub">
          <span className="note">detachment per edge (checked = task in the row reads the column's channel read-only)</span>
          <MatrixField
            testId="detach-edges"
            tasks={tasks}
            value={config.detachEdges}
            fallback={presetMask('full', K).map((row, k) => row.map((_, j) => (k !== j && config.detach ? 1 : 0)))}
            diagonal={0}
            onChange={set('detachEdges')}
            onClear={() => onChange({ ...config, detachEdges: '' })}
            clearLabel="follow the global switch"
          />
        </div>
        {field('crossTaskMask')}
        {config.crossTaskMask === 'custom' && (
          <div className="sub">
            <span className="note">custom task mask A (checked = the row's task may attend to the column's)</span>
            <MatrixField testId="custom-mask" tasks={tasks} value={config.customTaskMask} fallback={presetMask('cascade', K)} diagonal={1} onChange={set('customTaskMask')} />
          </div>
        )}
        {field('candidateContext')}
        {field('scorer')}
      </fieldset>
      <fieldset>
        <legend>Sizes</legend>
        {SIZES.map(field)}
      </fieldset>
      {!isOneRank && (
        <fieldset>
          <legend>Baseline heads</legend>
          {BASELINE.map(field)}
        </fieldset>
      )}
      <fieldset>
        <legend>Validation</legend>
        {field('valFraction')}
        {field('split')}
      </fieldset>
    </div>
  );
});
