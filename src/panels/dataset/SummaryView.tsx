// The summary of a dataset as the model will see it (after encoding): sizes, request shape, positive rate
// per task and every feature with its cardinality.
import type { DatasetSummary } from '../../engine/data';
import { formatCount, formatRate } from './format';

export function SummaryView({ summary, title }: { summary: DatasetSummary; title: string }) {
  const c = summary.candidatesPerRequest;
  return (
    <div className="summary" data-testid="dataset-summary" data-dataset={summary.name}>
      <h3>{title}</h3>
      <dl className="facts">
        <dt>Rows</dt>
        <dd data-testid="summary-rows">{formatCount(summary.rows)}</dd>
        <dt>Requests</dt>
        <dd data-testid="summary-requests">
          {formatCount(summary.requests)} ({formatCount(summary.trainRequests)} train / {formatCount(summary.valRequests)} validation)
        </dd>
        <dt>Candidates per request</dt>
        <dd data-testid="summary-candidates">
          {c.mean.toFixed(2)} on average, {c.max} at most (N = {c.capacity})
        </dd>
        <dt>History</dt>
        <dd>{summary.historyLen > 0 ? `${summary.meanHistory.toFixed(1)} items on average (H = ${summary.historyLen})` : 'none'}</dd>
        <dt>Users / items</dt>
        <dd>
          {summary.users > 0 ? formatCount(summary.users) : 'no user column'} / {summary.itemVocabSize > 0 ? `${formatCount(summary.itemVocabSize)} ids (incl. pad, unknown)` : 'no item column'}
        </dd>
      </dl>
      <table className="tasks" data-testid="summary-tasks">
        <thead>
          <tr>
            <th>Task (in cascade order)</th>
            <th>Positives</th>
            <th>Positive rate</th>
          </tr>
        </thead>
        <tbody>
          {summary.tasks.map((t) => (
            <tr key={t.name} data-task={t.name}>
              <td>{t.name}</td>
              <td>{formatCount(t.positives)}</td>
              <td data-testid={`positive-rate-${t.name}`}>{formatRate(t.positiveRate)}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <table className="features" data-testid="summary-features">
        <thead>
          <tr>
            <th>Feature</th>
            <th>Kind</th>
            <th>Side</th>
            <th>Cardinality</th>
          </tr>
        </thead>
        <tbody>
          {summary.features.map((f) => (
            <tr key={f.name} data-feature={f.name}>
              <td>{f.name}</td>
              <td>{f.kind}</td>
              <td>{f.side}</td>
              <td>{f.kind === 'numeric' ? 'numeric' : formatCount(f.cardinality)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
