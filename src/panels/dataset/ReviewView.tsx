// An upload waiting for the user: what was read, the problem (if any) with its fixes, the editable schema,
// the task order, the encoding knobs, and "Use this dataset".
import { delimiterName, formatBytes, formatCount } from './format';
import { ErrorBox } from './ErrorBox';
import { labelChoices } from './errorActions';
import { EncodeKnobs } from './EncodeKnobs';
import { LeakWarnings } from './LeakWarnings';
import { SchemaTable, TaskOrder } from './SchemaTable';
import { setRole, setThreshold } from './schemaEdit';
import type { UploadControls, Review } from './useUpload';

export function ReviewView({ review, upload, onUse }: { review: Review; upload: UploadControls; onUse: () => void }) {
  const u = review.upload;
  const busy = review.saving;
  const fixes = {
    threshold: (column: string, t: number) => upload.editSchema(setThreshold(review.schema, column, t), column),
    notLabel: (column: string) => upload.editSchema(setRole(review.schema, column, 'ignore'), column),
    pickLabel: (column: string) => upload.editSchema(setRole(review.schema, column, 'label'), column),
    labelChoices: labelChoices(u.profiles, review.schema.taskOrder),
  };
  return (
    <div className="review" data-testid="upload-review">
      <p className="facts-line" data-testid="upload-facts">
        <b>{u.fileName}</b>: {formatCount(u.numRows)} rows, {u.schema.columns.length} columns, {delimiterName(u.delimiter)}-separated
        {u.gzip ? ', gzip-compressed' : ''}, {formatBytes(u.textBytes)} of text, read in {(u.parseMs / 1000).toFixed(1)} s.
        {u.skippedRows > 0 && (
          <span data-testid="skipped-rows">
            {' '}
            {formatCount(u.skippedRows)} ragged row{u.skippedRows === 1 ? ' was' : 's were'} skipped.
          </span>
        )}
      </p>
      {review.problem && <ErrorBox error={review.problem} fixes={fixes} title="This dataset cannot be used yet:" />}
      <h3>Columns</h3>
      <p className="note">Check what each column is. Labels are the tasks; features are context (the same for every candidate of a request) or candidate (varies per candidate).</p>
      <LeakWarnings warnings={review.warnings} schema={review.schema} profiles={u.profiles} onChange={upload.editSchema} disabled={busy} />
      <SchemaTable schema={review.schema} profiles={u.profiles} examples={u.examples} onChange={upload.editSchema} disabled={busy} />
      <h3>Task order</h3>
      <p className="note">The cascade mask lets each task look at the tasks before it (e.g. click before purchase).</p>
      <TaskOrder schema={review.schema} funnel={u.funnel} onChange={(s) => upload.editSchema(s)} disabled={busy} />
      <h3>Encoding</h3>
      <EncodeKnobs key={u.token} options={review.options} onChange={(options) => upload.editReview({ options })} disabled={busy} />
      <div className="save-row">
        <label>
          Name{' '}
          <input data-testid="dataset-name" value={review.name} disabled={busy} onChange={(e) => upload.editReview({ name: e.target.value })} />
        </label>
        <button className="primary" data-testid="use-upload" disabled={busy || review.problem !== null} onClick={onUse}>
          {busy ? 'Encoding and storing...' : 'Use this dataset'}
        </button>
        <button data-testid="discard-upload" disabled={busy} onClick={upload.discard}>
          Discard
        </button>
      </div>
    </div>
  );
}
