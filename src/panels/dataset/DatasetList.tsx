// The datasets this browser holds: the built-in shop world first, then uploads (newest first). Choosing one
// sets state.dataset; deleting the active one falls back to the shop world.
import { SHOP_DATASET_ID } from '../../app/datasets';
import type { StoredDatasetInfo } from '../../storage/db';
import { formatBytes, formatCount } from './format';

interface Props {
  active: string;
  datasets: StoredDatasetInfo[] | null;
  error: string | null;
  onChoose: (id: string) => void;
  onDelete: (info: StoredDatasetInfo) => void;
}

export function DatasetList({ active, datasets, error, onChoose, onDelete }: Props) {
  return (
    <table className="dataset-list" data-testid="dataset-list">
      <thead>
        <tr>
          <th>Dataset</th>
          <th>Rows</th>
          <th>Requests</th>
          <th>Tasks</th>
          <th>Stored size</th>
          <th />
        </tr>
      </thead>
      <tbody>
        <tr data-dataset-id={SHOP_DATASET_ID} data-active={active === SHOP_DATASET_ID} className={active === SHOP_DATASET_ID ? 'active' : ''}>
          <td>
            shop <span className="note">(built-in synthetic world)</span>
          </td>
          <td colSpan={3} className="note">
            generated from the knobs below
          </td>
          <td className="note">none</td>
          <td>
            <UseButton active={active === SHOP_DATASET_ID} onClick={() => onChoose(SHOP_DATASET_ID)} />
          </td>
        </tr>
        {(datasets ?? []).map((d) => (
          <tr key={d.id} data-dataset-id={d.id} data-dataset-name={d.name} data-active={active === d.id} className={active === d.id ? 'active' : ''}>
            <td title={`from ${d.fileName}, stored ${new Date(d.createdAt).toLocaleString()}`}>{d.name}</td>
            <td>{formatCount(d.rows)}</td>
            <td>{formatCount(d.requests)}</td>
            <td>{d.tasks.join(', ')}</td>
            <td>{formatBytes(d.sizeBytes)}</td>
            <td>
              <UseButton active={active === d.id} onClick={() => onChoose(d.id)} />{' '}
              <button data-testid="delete-dataset" aria-label={`delete ${d.name}`} onClick={() => onDelete(d)}>
                Delete
              </button>
            </td>
          </tr>
        ))}
        {datasets === null && !error && (
          <tr>
            <td colSpan={6} className="note">
              Reading stored datasets...
            </td>
          </tr>
        )}
        {error && (
          <tr>
            <td colSpan={6} className="error-box">
              {error}
            </td>
          </tr>
        )}
      </tbody>
    </table>
  );
}

function UseButton({ active, onClick }: { active: boolean; onClick: () => void }) {
  return active ? (
    <span className="active-mark" data-testid="active-dataset">
      in use
    </span>
  ) : (
    <button data-testid="use-dataset" onClick={onClick}>
      Use
    </button>
  );
}
