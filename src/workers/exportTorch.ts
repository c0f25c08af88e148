// Worker side of "Export as PyTorch": the run's weights, its dataset's vocabularies and schema, and its metrics,
// packed by the engine (export/torchExport.ts) into one .tar for the page to download.
import { shopSchema } from '../engine/data';
import { shopOptionsFromKnobs } from '../engine/data/shopKnobs';
import { TORCH_TEMPLATES } from '../engine/export/templates';
import { buildTorchExport } from '../engine/export/torchExport';
import { tarFiles } from '../engine/export/tar';
import { getDatasetInfo, recipeOf } from '../storage/datasetStore';
import { parseDatasetKey } from './runProtocol';
import type { RunEntry } from './runs';

/** The run as a PyTorch project, one .tar whose top folder is `folder`. */
export async function torchExportTar(entry: RunEntry, folder: string): Promise<Blob> {
  const { trainer, spec } = entry;
  const { dataset, shop } = parseDatasetKey(spec.datasetKey);
  const info = dataset === 'shop' ? null : await getDatasetInfo(dataset);
  if (dataset !== 'shop' && !info) throw new Error(`Dataset '${dataset}' is no longer stored in this browser, so its schema cannot be exported`);
  const schema = info ? recipeOf(info).schema : shopSchema();
  // The metrics the export states, without noting them: an export must not move the best checkpoint or early stopping.
  const evaluation = await trainer.evaluateOn(trainer.dataset.valIdx);
  const files = buildTorchExport(
    {
      weights: await trainer.exportWeights(),
      meta: trainer.dataset,
      schema,
      metrics: { step: evaluation.step, tasks: evaluation.tasks },
      shop: dataset === 'shop' ? { ...shopOptionsFromKnobs(shop).options } : null,
    },
    TORCH_TEMPLATES,
  );
  return tarFiles(folder, files);
}
