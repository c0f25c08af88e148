// The encoding knobs of an upload: how rare a value may be before it becomes "unknown", how much history
// and how many candidates per request the arrays hold, and how requests split into train and validation.
import type { EncodeOptions } from '../../engine/data';
import { CONFIG_KEYS } from '../../engine/config';

interface NumberKnob {
  key: 'minCount' | 'historyLen' | 'maxCandidates' | 'valFraction' | 'seed';
  label: string;
  min: number;
  max: number;
  step: number;
  help: string;
}

const bounds = (k: 'historyLen' | 'maxCandidates' | 'valFraction' | 'seed') => CONFIG_KEYS[k] as unknown as { min: number; max: number };

const KNOBS: NumberKnob[] = [
  { key: 'minCount', label: 'Min count', min: 1, max: 1000, step: 1, help: 'values seen fewer times in training become "unknown" (OOV)' },
  { key: 'historyLen', label: 'Max history length', ...bounds('historyLen'), step: 1, help: 'most recent items kept from a sequence column' },
  { key: 'maxCandidates', label: 'Candidates per request (N)', ...bounds('maxCandidates'), step: 1, help: 'larger requests are split, never dropped' },
  { key: 'valFraction', label: 'Validation share', ...bounds('valFraction'), step: 0.05, help: 'share of requests held out' },
  { key: 'seed', label: 'Split seed', ...bounds('seed'), step: 1, help: 'seeds the random split' },
];

export function EncodeKnobs({ options, onChange, disabled }: { options: EncodeOptions; onChange: (o: EncodeOptions) => void; disabled?: boolean }) {
  return (
    <div className="knobs" data-testid="encode-knobs">
      {KNOBS.map((k) => (
        <label key={k.key} title={k.help}>
          <span>{k.label}</span>
          <input
            data-testid={`encode-${k.key}`}
            type="number"
            min={k.min}
            max={k.max}
            step={k.step}
            disabled={disabled || (k.key === 'seed' && options.split !== 'random')}
            defaultValue={options[k.key]}
            onChange={(e) => {
              const v = Number(e.target.value);
              const ok = e.target.value.trim() !== '' && Number.isFinite(v) && v >= k.min && v <= k.max && (k.step < 1 || Number.isInteger(v));
              e.target.setAttribute('aria-invalid', String(!ok));
              if (ok) onChange({ ...options, [k.key]: v });
            }}
          />
        </label>
      ))}
      <label title="random: a seeded shuffle of requests; time: the latest requests validate (by the time column, else file order)">
        <span>Split</span>
        <select data-testid="encode-split" value={options.split} disabled={disabled} onChange={(e) => onChange({ ...options, split: e.target.value as EncodeOptions['split'] })}>
          <option value="random">random (seeded)</option>
          <option value="time">by time order</option>
        </select>
      </label>
    </div>
  );
}
