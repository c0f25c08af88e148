// The Data tab: which dataset is in use (the built-in shop world or an upload), loading a new file, and the
// summary of the active dataset. The parsing worker does all the reading and encoding; this panel draws.
import { useCallback, useEffect, useMemo, useState } from 'react';
import { useApp } from '../../app/AppContext';
import { SHOP_DATASET_ID, datasetsChanged, useDatasets } from '../../app/datasets';
import { encodeOptionsFrom, type DatasetSummary, type EncodeOptions } from '../../engine/data';
import { shopOptionsFromKnobs } from '../../engine/data/shopKnobs';
import { summaryOf } from '../../storage/datasetStore';
import type { StoredDatasetInfo } from '../../storage/db';
import type { DataErrorInfo } from '../../workers/parseProtocol';
import { datasetKey } from '../../workers/runProtocol';
import { DatasetList } from './DatasetList';
import { ErrorBox } from './ErrorBox';
import { startParseWorker, type ParseWorker } from './parseClient';
import { ReviewView } from './ReviewView';
import { ShopKnobsForm } from './ShopKnobsForm';
import { SummaryView } from './SummaryView';
import { UploadBox } from './UploadBox';
import { shopKnobValues, withDefaultShop, withShopKnob } from './shopState';
import { useUpload } from './useUpload';
import './dataset.css';

/** Shop knobs settle for this long before the world is regenerated for the summary. */
const SHOP_SUMMARY_DELAY_MS = 250;

function useParseWorker(): { worker: ParseWorker | null; error: string | null; restart: () => void } {
  const [worker, setWorker] = useState<ParseWorker | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [generation, setGeneration] = useState(0);
  useEffect(() => {
    let live = true;
    const w = startParseWorker((why) => {
      if (!live) return;
      setError(why);
      setWorker(null);
    });
    setWorker(w);
    setError(null);
    return () => {
      live = false;
      w.terminate();
    };
  }, [generation]);
  return { worker, error, restart: useCallback(() => setGeneration((g) => g + 1), []) };
}

/** The shop world's summary, encoded exactly as training will encode it (same dataset key). */
function useShopSummary(worker: ParseWorker | null, key: string, wanted: boolean) {
  const [result, setResult] = useState<{ key: string; summary?: DatasetSummary; error?: DataErrorInfo } | null>(null);
  useEffect(() => {
    if (!worker || !wanted) return;
    let live = true;
    const timer = setTimeout(() => {
      worker.client.call('shopSummary', { datasetKey: key }).then(
        (r) => live && setResult(r.ok ? { key, summary: r.value } : { key, error: r.error }),
        () => {},
      );
    }, SHOP_SUMMARY_DELAY_MS);
    return () => {
      live = false;
      clearTimeout(timer);
    };
  }, [worker, key, wanted]);
  return result;
}

export function DatasetPanel() {
  const { state, setState } = useApp();
  const { worker, error: workerError, restart } = useParseWorker();
  const { datasets, error: listError, remove } = useDatasets();
  const cfg = state.config;
  const defaults: EncodeOptions = useMemo(
    () => encodeOptionsFrom({ historyLen: cfg.historyLen, maxCandidates: cfg.maxCandidates, multiLen: cfg.multiLen, valFraction: cfg.valFraction, split: cfg.split, seed: cfg.seed }),
    [cfg.historyLen, cfg.maxCandidates, cfg.multiLen, cfg.valFraction, cfg.split, cfg.seed],
  );
  const upload = useUpload(worker, defaults);
  const [stored, setStored] = useState<StoredDatasetInfo | null>(null);
  const [pendingDelete, setPendingDelete] = useState<string | null>(null);

  const active = state.dataset;
  const isShop = active === SHOP_DATASET_ID;
  const activeInfo = isShop ? undefined : datasets?.find((d) => d.id === active);
  const shop = useMemo(() => shopOptionsFromKnobs(state.shop), [state.shop]);
  const shopSummary = useShopSummary(worker, datasetKey(SHOP_DATASET_ID, state.shop, cfg), isShop);

  const choose = useCallback((id: string) => setState((s) => ({ ...s, dataset: id })), [setState]);

  const onSave = async () => {
    const info = await upload.save();
    if (!info) return;
    datasetsChanged();
    setStored(info);
    choose(info.id);
  };

  const onDelete = async (info: StoredDatasetInfo) => {
    if (pendingDelete !== info.id) {
      setPendingDelete(info.id);
      return;
    }
    setPendingDelete(null);
    await remove(info.id);
    if (stored?.id === info.id) setStored(null);
    setState((s) => (s.dataset === info.id ? { ...s, dataset: SHOP_DATASET_ID } : s));
  };

  const phase = upload.phase;
  return (
    <div className="dataset-panel">
      <div className="panel">
        <h2>Datasets</h2>
        <DatasetList
          active={active}
          datasets={datasets}
          error={listError}
          onChoose={choose}
          onDelete={(d) => void onDelete(d)}
        />
        {pendingDelete && (
          <p className="confirm" data-testid="confirm-delete-note">
            Click Delete again to remove {datasets?.find((d) => d.id === pendingDelete)?.name ?? 'it'} from this browser (runs trained on it keep their results).{' '}
            <button onClick={() => setPendingDelete(null)}>Keep it</button>
          </p>
        )}
        {!isShop && datasets !== null && !activeInfo && (
          <div className="error-box" data-testid="dataset-missing">
            The dataset in this link ({active}) is not stored in this browser: it was deleted, or the link came from another computer. Upload its file again, or{' '}
            <button onClick={() => choose(SHOP_DATASET_ID)}>use the shop world</button>.
          </div>
        )}
      </div>

      <div className="panel">
        <h2>Load a file</h2>
        {workerError && (
          <div className="error-box" data-testid="parse-worker-error">
            {workerError}. <button onClick={restart}>Start it again</button>
          </div>
        )}
        <UploadBox
          parsing={phase.kind === 'parsing' ? { fileName: phase.file.name, progress: phase.progress } : null}
          disabled={!worker}
          onFile={(f) => {
            setStored(null);
            upload.choose(f);
          }}
          onCancel={upload.cancel}
        />
        {phase.kind === 'cancelled' && (
          <p className="note" data-testid="parse-cancelled">
            Loading {phase.fileName} was cancelled. The dataset in use did not change.
          </p>
        )}
        {phase.kind === 'failed' && (
          <>
            <ErrorBox
              error={phase.error}
              title="This file was not loaded:"
              fixes={{ skipRagged: () => upload.choose(phase.file, { skipRaggedRows: true }) }}
            />
            <p className="note" data-testid="still-active">
              The dataset in use did not change ({isShop ? 'shop' : (activeInfo?.name ?? active)}).
            </p>
          </>
        )}
        {phase.kind === 'review' && <ReviewView review={phase.review} upload={upload} onUse={() => void onSave()} />}
        {stored && phase.kind === 'idle' && (
          <p className="ok" data-testid="upload-stored">
            Stored {stored.name} in this browser; it is now the dataset in use.
          </p>
        )}
      </div>

      <div className="panel">
        <h2>Dataset in use</h2>
        {isShop && (
          <>
            <p className="note">
              The built-in shop world: users with tastes see requests of candidate items and click, add to cart and order. Change its knobs; the link keeps them, and
              training regenerates the same world from them.
            </p>
            {shop.problems.length > 0 && <div className="error-box">{shop.problems.join('; ')}</div>}
            <ShopKnobsForm
              options={shopKnobValues(state)}
              onKnob={(key, value) => setState((s) => withShopKnob(s, key, value))}
              onReset={() => setState(withDefaultShop)}
            />
            {shopSummary?.summary && <SummaryView summary={shopSummary.summary} title="shop" />}
            {shopSummary?.error && <ErrorBox error={shopSummary.error} fixes={{}} />}
            {!shopSummary && <p className="note">Generating the shop world...</p>}
          </>
        )}
        {activeInfo && <SummaryView summary={summaryOf(activeInfo)} title={activeInfo.name} />}
      </div>
    </div>
  );
}
