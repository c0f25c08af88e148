import { BACKENDS, describeBackend, describeFallbacks, describeRace, type BackendReport, type BackendRequest } from '../engine/backendReport';

interface Props {
  report: BackendReport | null;
  error: string | null;
  requested: BackendRequest;
  onRequest: (b: BackendRequest) => void;
}

/** Which backend is live, on which adapter, and why anything fell back; plus a way to force one. */
export function BackendBadge({ report, error, requested, onRequest }: Props) {
  const fallback = report ? describeFallbacks(report) : '';
  const why = report ? describeRace(report) : '';
  const status = error ? 'error' : report ? (report.backend === 'webgpu' && !report.adapter?.software ? 'gpu' : 'other') : 'pending';
  return (
    <div className="backend">
      <span className={`badge badge-${status}`} data-testid="backend-badge" data-backend={report?.backend ?? ''} title={fallback || why || undefined}>
        {error ? `No backend: ${error}` : report ? describeBackend(report) : 'Starting backend...'}
      </span>
      {fallback && (
        <span className="fallback" data-testid="backend-fallback">
          {fallback}
        </span>
      )}
      {why && (
        <span className="fallback" data-testid="backend-why" data-chosen={report?.race?.chosen}>
          {why}
        </span>
      )}
      <label className="backend-pick">
        backend
        <select data-testid="backend-select" value={requested} onChange={(e) => onRequest(e.target.value as BackendRequest)}>
          <option value="auto">auto</option>
          {BACKENDS.map((b) => (
            <option key={b} value={b}>
              {b}
            </option>
          ))}
        </select>
      </label>
    </div>
  );
}
