// A comparison run: the active run copied with exactly one change (same seed, same data), so the curves
// differ only because of that change. One button for the paper's key switch, a form for any other key.
import { useState } from 'react';
import { GlossaryLink } from '../../app/Glossary';
import { SETTING_WORDS } from '../../app/glossary';
import { compareRefusal } from '../../app/runGroups';
import { CONFIG_KEYS, ConfigError, parseConfigValue, type Config } from '../../engine/config';
import type { RunView } from '../../app/runs';

const COMPARABLE = (Object.keys(CONFIG_KEYS) as (keyof Config)[]).filter((k) => k !== 'seed');

/** dataset: the dataset the page shows now (a comparison across datasets is refused, with why). */
export function CompareForm({ base, dataset, onCompare: compareRaw }: { base: RunView | null; dataset: string; onCompare: (change: Partial<Config>) => void }) {
  const [key, setKey] = useState<keyof Config>('ablation');
  const [raw, setRaw] = useState('');
  const [error, setError] = useState<string | null>(null);
  const spec = CONFIG_KEYS[key];
  const onCompare = (change: Partial<Config>) => {
    const why = base ? compareRefusal(base, change, dataset) : null;
    setError(why);
    if (!why) compareRaw(change);
  };
  const submit = () => {
    if (!base) return;
    try {
      const v = parseConfigValue(key, raw === '' && spec.type === 'boolean' ? String(!base.config[key]) : raw);
      if (v === base.config[key]) throw new ConfigError(`${key} is already ${String(v)} in this run: pick another value`);
      onCompare({ [key]: v } as Partial<Config>);
    } catch (e) {
      setError(e instanceof Error ? e.message : String(e));
    }
  };
  const detachOn = base ? base.config.detach : true;
  return (
    <div className="compare-form">
      <button type="button" data-testid="compare-detach" disabled={!base} onClick={() => onCompare({ detach: !detachOn })} title="a copy of the active run with cross-task detachment switched, same seed and data">
        Compare with detachment {detachOn ? 'off' : 'on'}
      </button>
      <GlossaryLink term="comparison" />
      <span className="note">or change one setting:</span>
      <select data-testid="compare-key" value={key} onChange={(e) => (setKey(e.target.value as keyof Config), setRaw(''), setError(null))} title={`config key: ${key}`}>
        {COMPARABLE.map((k) => (
          <option key={k} value={k}>
            {SETTING_WORDS[k].label}
          </option>
        ))}
      </select>
      <GlossaryLink term={key} />
      {spec.type === 'enum' ? (
        <select data-testid="compare-value" value={raw} onChange={(e) => setRaw(e.target.value)}>
          <option value="">choose</option>
          {spec.options.map((o) => (
            <option key={o} value={o} disabled={base?.config[key] === o}>
              {o}
            </option>
          ))}
        </select>
      ) : spec.type === 'boolean' ? (
        <select data-testid="compare-value" value={raw} onChange={(e) => setRaw(e.target.value)}>
          <option value="">flip ({base ? String(!base.config[key]) : ''})</option>
          <option value="true">true</option>
          <option value="false">false</option>
        </select>
      ) : (
        <input data-testid="compare-value" value={raw} placeholder={base ? String(base.config[key]) : ''} onChange={(e) => setRaw(e.target.value)} title={spec.help} />
      )}
      <button type="button" data-testid="compare-run" disabled={!base} onClick={submit}>
        Compare
      </button>
      {error && (
        <span className="cfg-error" data-testid="compare-error">
          {error}
        </span>
      )}
    </div>
  );
}
