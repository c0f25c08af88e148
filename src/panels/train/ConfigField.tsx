// One config key as a control, generated from its CONFIG_KEYS descriptor (type, range, options, help), so the
// panel, the URL and the CLI accept exactly the same values.
import { useState } from 'react';
import { GlossaryLink } from '../../app/Glossary';
import { SETTING_WORDS, settingTooltip } from '../../app/glossary';
import { CONFIG_KEYS, ConfigError, parseConfigValue, type Config } from '../../engine/config';

interface Props<K extends keyof Config> {
  k: K;
  value: Config[K];
  onChange: (v: Config[K]) => void;
  label?: string;
  disabled?: boolean;
  /**
   * Checks the value against the other settings (e.g. heads must divide d): a reason refuses it at the field (the
   * config keeps its last good value), null accepts.
   */
  refuse?: (v: Config[K]) => string | null;
  /** A problem the current value has with the other settings (shown under the field). */
  problem?: string;
}

export function ConfigField<K extends keyof Config>({ k, value, onChange, label, disabled, refuse, problem }: Props<K>) {
  const spec = CONFIG_KEYS[k];
  // What the user is typing, kept even while it is not (yet) a valid value; dropped on blur.
  const [draft, setDraft] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const id = `cfg-${String(k)}`;
  const title = settingTooltip(k);
  const commit = (raw: string) => {
    setDraft(raw);
    try {
      const v = parseConfigValue(k, raw);
      const why = refuse?.(v) ?? null;
      if (why) throw new ConfigError(why);
      onChange(v);
      setError(null);
    } catch (e) {
      setError(e instanceof ConfigError ? e.message : String(e));
    }
  };
  let control;
  if (spec.type === 'boolean') {
    control = <input id={id} data-testid={id} type="checkbox" checked={value as boolean} disabled={disabled} onChange={(e) => onChange(e.target.checked as Config[K])} />;
  } else if (spec.type === 'enum') {
    control = (
      <select id={id} data-testid={id} value={String(value)} disabled={disabled} onChange={(e) => commit(e.target.value)}>
        {spec.options.map((o) => (
          <option key={o} value={o}>
            {o}
          </option>
        ))}
      </select>
    );
  } else {
    const numeric = spec.type === 'int' || spec.type === 'number';
    control = (
      <input
        id={id}
        data-testid={id}
        type={numeric ? 'number' : 'text'}
        min={numeric ? spec.min : undefined}
        max={numeric ? spec.max : undefined}
        step={spec.type === 'int' ? 1 : spec.type === 'number' ? 'any' : undefined}
        value={draft ?? String(value)}
        aria-invalid={error !== null}
        disabled={disabled}
        onChange={(e) => commit(e.target.value)}
        onBlur={() => {
          setDraft(null);
          setError(null);
        }}
      />
    );
  }
  const shown = error ?? problem ?? null;
  return (
    <label className={`cfg-field cfg-${spec.type}`} title={title} data-key={String(k)}>
      <span>
        {label ?? SETTING_WORDS[k].label}
        <GlossaryLink term={String(k)} />
      </span>
      {control}
      {shown && (
        <span className="cfg-error" data-testid={`${id}-error`}>
          {shown}
        </span>
      )}
    </label>
  );
}
