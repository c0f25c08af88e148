// The built-in shop world's knobs. They live in the URL (see shopState.ts for where each one goes), so a
// link reproduces the world; the training worker regenerates it from the same knobs.
import { useState } from 'react';
import type { ShopOptions } from '../../engine/data';
import { SHOP_KNOBS, type ShopKnob } from '../../engine/data/shopKnobs';

function valid(k: ShopKnob, raw: string): boolean {
  const v = Number(raw);
  return raw.trim() !== '' && Number.isFinite(v) && v >= k.min && v <= k.max && (!k.integer || Number.isInteger(v));
}

interface Props {
  options: ShopOptions;
  onKnob: (key: keyof ShopOptions, value: number) => void;
  onReset: () => void;
}

export function ShopKnobsForm({ options, onKnob, onReset }: Props) {
  // Drafts keep what the user is typing even while it is not (yet) a valid value.
  const [drafts, setDrafts] = useState<Record<string, string>>({});
  return (
    <div className="knobs" data-testid="shop-knobs">
      {SHOP_KNOBS.map((k) => {
        const draft = drafts[k.key] ?? String(options[k.key]);
        const ok = valid(k, draft) && !(k.key === 'candidates' && Number(draft) > options.items) && !(k.key === 'items' && Number(draft) < options.candidates);
        return (
          <label key={k.key} title={k.help}>
            <span>{k.label}</span>
            <input
              data-testid={`shop-${k.key}`}
              type="number"
              min={k.min}
              max={k.max}
              step={k.step}
              value={draft}
              aria-invalid={!ok}
              onChange={(e) => {
                const raw = e.target.value;
                setDrafts((d) => ({ ...d, [k.key]: raw }));
                const candidate = { ...options, [k.key]: Number(raw) };
                if (valid(k, raw) && candidate.candidates <= candidate.items) onKnob(k.key, Number(raw));
              }}
              onBlur={() => setDrafts((d) => Object.fromEntries(Object.entries(d).filter(([key]) => key !== k.key)))}
            />
          </label>
        );
      })}
      <button data-testid="shop-reset" onClick={() => (setDrafts({}), onReset())}>
        Reset to defaults
      </button>
    </div>
  );
}
