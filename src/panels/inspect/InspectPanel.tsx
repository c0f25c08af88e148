// "Look inside": the architecture of the current config, then the attention maps and the gradient flow of a run.
import { useEffect, useMemo, useState } from 'react';
import { useDatasets } from '../../app/datasets';
import { usePanelVisible } from '../../app/visibility';
import { datasetLabel } from '../../app/runGroups';
import { useRuns, type RunView } from '../../app/runs';
import type { StoredLoadRecipe } from '../../storage/datasetStore';
import { SHOP_SPEC, specOfSchema, type SketchSpec } from './architecture';
import { ArchitectureView, type ArchitectureRun } from './ArchitectureView';
import { AttentionView } from './AttentionView';
import { GradFlowView } from './GradFlowView';
import './inspect.css';

export function InspectPanel() {
  const { runs, activeRunId, compareRun, ensureLoaded } = useRuns();
  const { datasets } = useDatasets();
  const [picked, setPicked] = useState<string | null>(null);
  const run: RunView | undefined = runs.find((r) => r.id === (picked ?? activeRunId)) ?? runs.at(-1);
  const runId = run?.id ?? null;
  const [loadError, setLoadError] = useState<string | null>(null);

  // The maps need the run's model in the current worker (after a reload it may only exist in IndexedDB). Only once
  // the panel is seen: opening a run that was cut off by a reload restores its last saved weights, which takes the
  // run (and its history) back to their step; that should happen when someone looks, not behind the Train tab.
  const visible = usePanelVisible();
  useEffect(() => {
    if (!runId || !visible) return;
    setLoadError(null);
    ensureLoaded(runId).catch((e: Error) => setLoadError(e.message));
  }, [runId, ensureLoaded, visible]);

  // The selected run's architecture: its config, its dataset's tasks (as the model reported them) and features.
  const recipe = datasets?.find((d) => d.id === run?.dataset)?.schema as StoredLoadRecipe | undefined;
  const archRun: ArchitectureRun | undefined = useMemo(() => {
    if (!run) return undefined;
    const base: SketchSpec = run.dataset === 'shop' ? SHOP_SPEC : recipe ? specOfSchema(recipe.schema) : { tasks: [], contextFeatures: [] };
    const tasks = run.tasks.length ? run.tasks : base.tasks;
    return { name: run.name, config: run.config, spec: { ...base, tasks }, datasetName: datasetLabel(run.dataset, datasets) };
  }, [run, recipe, datasets]);
  const byDataset = [...new Set(runs.map((r) => r.dataset))];

  return (
    <div data-testid="inspect-panel">
      <ArchitectureView run={archRun} />
      {!run ? (
        <div className="panel note" data-testid="inspect-no-run">
          Create a run in the Train tab (or start a guided demo) to see its attention maps and gradient flow.
        </div>
      ) : (
        <>
          <div className="panel inspect-controls">
            <label>
              look inside run
              <select data-testid="inspect-run" value={run.id} onChange={(e) => setPicked(e.target.value)}>
                {byDataset.map((d) => (
                  <optgroup key={d} label={datasetLabel(d, datasets)}>
                    {runs
                      .filter((r) => r.dataset === d)
                      .map((r) => (
                        <option key={r.id} value={r.id}>
                          {r.name} (step {r.step})
                        </option>
                      ))}
                  </optgroup>
                ))}
              </select>
            </label>
            <span className="note">
              {run.config.model}, d={run.config.d}, {run.config.layers} layer(s) x {run.config.heads} head(s), status {run.status}
            </span>
          </div>
          {loadError && <div className="error-box">{loadError}</div>}
          <AttentionView run={{ id: run.id, name: run.name, step: run.step, evalEvery: run.config.evalEvery }} />
          {run.config.model === 'onerank' ? (
            <GradFlowView
              runId={run.id}
              runName={run.name}
              step={run.step}
              detach={run.config.ablation !== 'V4' && run.config.detach}
              onFlip={() => compareRun(run.id, { detach: !run.config.detach }).then((id) => setPicked(id))}
            />
          ) : (
            <div className="panel note">Gradient flow into task channels h_j exists only for OneRank (the baselines have towers, not channels).</div>
          )}
        </>
      )}
    </div>
  );
}
