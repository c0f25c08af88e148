// The glossary: every setting and term in one plain line, opened from the header or from the "?" beside any
// control (which scrolls to that entry). Opening goes through a window event so any control can call it without
// threading a callback through every panel.
import { useEffect, useRef, useState } from 'react';
import { SETTING_WORDS, TERMS, termId, type Term } from './glossary';

const OPEN_EVENT = 'onerank:glossary';

/** Opens the glossary, at `key` (a config key or a term) when given. */
export function openGlossary(key?: string): void {
  window.dispatchEvent(new CustomEvent(OPEN_EVENT, { detail: key ?? null }));
}

/** A small "?" that opens the glossary at `term`. */
export function GlossaryLink({ term }: { term: string }) {
  return (
    <button type="button" className="glossary-link" data-testid={`glossary-link-${term}`} aria-label={`what is ${term}?`} title="open the glossary here" onClick={(e) => (e.preventDefault(), openGlossary(term))}>
      ?
    </button>
  );
}

function Entry({ id, term, code }: { id: string; term: Term; code?: string }) {
  return (
    <div className="glossary-entry" id={termId(id)} data-term={id}>
      <dt>
        {term.label}
        {code && code !== term.label && <code> {code}</code>}
      </dt>
      <dd>{term.text}</dd>
    </div>
  );
}

export function Glossary() {
  const [open, setOpen] = useState(false);
  const [at, setAt] = useState<string | null>(null);
  const box = useRef<HTMLDivElement>(null);
  useEffect(() => {
    const on = (e: Event) => {
      setAt((e as CustomEvent<string | null>).detail);
      setOpen(true);
    };
    window.addEventListener(OPEN_EVENT, on);
    return () => window.removeEventListener(OPEN_EVENT, on);
  }, []);
  useEffect(() => {
    if (!open || !at) return;
    const el = box.current?.querySelector<HTMLElement>(`#${termId(at)}`);
    el?.scrollIntoView({ block: 'center' });
    el?.classList.add('hot');
    return () => el?.classList.remove('hot');
  }, [open, at]);
  return (
    <>
      <button type="button" className="glossary-open" data-testid="glossary-open" onClick={() => openGlossary()}>
        Glossary
      </button>
      {open && (
        <div className="glossary" role="dialog" aria-label="Glossary" data-testid="glossary" data-at={at ?? ''} ref={box}>
          <div className="glossary-head">
            <h2>Glossary</h2>
            <button type="button" data-testid="glossary-close" onClick={() => setOpen(false)}>
              Close
            </button>
          </div>
          <h3>Terms</h3>
          <dl>
            {Object.entries(TERMS).map(([k, t]) => (
              <Entry key={k} id={k} term={t} />
            ))}
          </dl>
          <h3>Settings (the config key, as in links and on the command line, in grey)</h3>
          <dl>
            {Object.entries(SETTING_WORDS).map(([k, t]) => (
              <Entry key={k} id={k} term={t} code={k} />
            ))}
          </dl>
        </div>
      )}
    </>
  );
}
