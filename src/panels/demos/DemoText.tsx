// A demo's words: the question, what to watch, what it means, what usually happens (claims checked against
// demoResults.json), the live figures of the runs on the page, and a collapsible "How we measured" note whose
// every figure comes from the results file. No figure is typed here.
import type { RunView } from '../../app/runs';
import { DEFAULT_CONFIG, type Config } from '../../engine/config';
import { DEMO_RESULTS, runsOf, type DemoMeasurement } from './demoResults';
import type { Demo } from './demos';

const f3 = (x: number | undefined) => (x === undefined || !Number.isFinite(x) ? '-' : x.toFixed(3));

/** "your Shared-Bottom: click <AUC>, order <AUC> (step 300); your MMoE: ..." from each run's latest evaluation. */
export function liveSentence(runs: RunView[], tasks: string[], prefix: string): string {
  const parts = runs.flatMap((r) => {
    const last = r.history.evals.at(-1);
    if (!last) return [];
    const figures = tasks.map((t) => `${t} ${f3(last.tasks.find((x) => x.task === t)?.auc)}`).join(', ');
    return [`your ${r.name.slice(prefix.length)}: ${figures} (step ${last.step})`];
  });
  return parts.length ? `${parts.join('; ')}.` : 'No evaluation yet.';
}

function MeasuredTable({ m, demo }: { m: DemoMeasurement; demo: Demo }) {
  const groups = [{ id: null as string | null, label: 'The demo\u2019s runs' }, ...demo.contrasts.map((c) => ({ id: c.id as string | null, label: `Contrast: ${c.label}` }))];
  const tasks = m.runs[0]?.tasks ?? [];
  return (
    <table className="demo-measured" data-testid="demo-measured">
      <thead>
        <tr>
          <th>run</th>
          <th>world / model seed</th>
          {tasks.map((t) => (
            <th key={t}>final AUC {t}</th>
          ))}
        </tr>
      </thead>
      {groups.map((g) => (
        <tbody key={g.id ?? 'own'}>
          <tr>
            <th colSpan={tasks.length + 2}>{g.label}</th>
          </tr>
          {[...new Set(m.plans.filter((p) => p.contrast === g.id).map((p) => p.label))].flatMap((label) =>
            runsOf(m, label, g.id).map((r) => (
              <tr key={`${label}-${r.worldSeed}-${r.modelSeed}`}>
                <td>{label}</td>
                <td>
                  {r.worldSeed} / {r.modelSeed}
                </td>
                {r.evals.at(-1)!.auc.map((v, k) => (
                  <td key={k}>{f3(v)}</td>
                ))}
              </tr>
            )),
          )}
        </tbody>
      ))}
    </table>
  );
}

/** The size and budget every demo sets (shown whether or not they differ from the app's defaults). */
const SHOWN_KEYS = ['d', 'layers', 'heads', 'batchSize', 'lr', 'steps', 'evalEvery', 'probeEvery', 'historyLen', 'maxCandidates'] as const;

/** The settings the demo's own runs share, as measured: the sizes above, then any other key they all changed. */
function settingsOf(m: DemoMeasurement): string {
  const own = m.plans.filter((p) => p.contrast === null);
  const value = (p: (typeof own)[number], k: keyof Config) => p.config[k] ?? DEFAULT_CONFIG[k];
  const shared = (Object.keys(DEFAULT_CONFIG) as (keyof Config)[]).filter(
    (k) => own.every((p) => value(p, k) === value(own[0], k)) && ((SHOWN_KEYS as readonly string[]).includes(k) || own[0]?.config[k] !== undefined),
  );
  const world = Object.entries(own[0]?.shop ?? {});
  return `${shared.map((k) => `${k} ${String(value(own[0], k))}`).join(', ')}; shop world: ${world.length ? world.map(([k, v]) => `${k} ${v}`).join(', ') : 'defaults'}`;
}

export function HowWeMeasured({ demo }: { demo: Demo }) {
  const m = DEMO_RESULTS[demo.id];
  return (
    <details className="note" data-testid="demo-how-measured">
      <summary>How we measured</summary>
      {demo.exact && <p>{demo.exact}</p>}
      {m ? (
        <>
          <p>
            The claims above were checked against runs trained outside the page, exactly as the page sets them up, with <code>{m.command}</code> ({m.backend}{' '}
            backend in Node, {m.date.slice(0, 10)}), at world seed{m.worldSeeds.length > 1 ? 's' : ''} {m.worldSeeds.join(', ')} and model seed
            {m.modelSeeds.length > 1 ? 's' : ''} {m.modelSeeds.join(', ')} (the page trains world seed {m.worldSeeds[0]} and model seed {m.modelSeeds[0]}).
            Between evaluations, AUC moves by about one or two hundredths from noise alone, the rarest task (order) most.
          </p>
          <p>Settings shared by the runs: {settingsOf(m)}.</p>
          <MeasuredTable m={m} demo={demo} />
        </>
      ) : (
        <p>Not measured yet: run <code>npm run measure-demo -- --demo {demo.id} --write</code>.</p>
      )}
    </details>
  );
}

export function DemoWords({ demo, mine, prefix }: { demo: Demo; mine: RunView[]; prefix: string }) {
  return (
    <>
      <p>{demo.goal}</p>
      <b>What to watch</b>
      <ol>
        {demo.steps.map((s, i) => (
          <li key={i}>{s}</li>
        ))}
      </ol>
      <p className="demo-means">
        <b>What it means:</b> {demo.means}
      </p>
      <b>What usually happens</b>
      <ul data-testid="demo-claims">
        {demo.claims.map((c, i) => (
          <li key={i}>{c.text}</li>
        ))}
      </ul>
      {mine.length > 0 && (
        <p className="demo-live" data-testid="demo-live">
          <b>Your runs now:</b> {liveSentence(mine, demo.chartTasks, prefix)}
        </p>
      )}
      <HowWeMeasured demo={demo} />
    </>
  );
}
