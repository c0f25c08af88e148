// Where a file comes in: a drop zone with a file picker inside, and while parsing, a progress bar and a
// cancel button. The file is read in the parsing worker; nothing is sent anywhere.
import { useRef, useState } from 'react';
import { formatBytes, formatCount, progressFraction } from './format';
import type { Progress } from './useUpload';

interface Props {
  parsing: { fileName: string; progress: Progress } | null;
  disabled: boolean;
  onFile: (file: File) => void;
  onCancel: () => void;
}

export function UploadBox({ parsing, disabled, onFile, onCancel }: Props) {
  const input = useRef<HTMLInputElement>(null);
  const [over, setOver] = useState(false);
  const frac = parsing ? progressFraction(parsing.progress.bytesRead, parsing.progress.totalBytes) : null;
  return (
    <div
      className={`dropzone${over ? ' over' : ''}`}
      data-testid="dataset-drop"
      onDragOver={(e) => {
        e.preventDefault();
        setOver(true);
      }}
      onDragLeave={() => setOver(false)}
      onDrop={(e) => {
        e.preventDefault();
        setOver(false);
        const f = e.dataTransfer.files[0];
        if (f && !disabled) onFile(f);
      }}
    >
      <p>
        Drop a CSV or TSV file here (also <code>.csv.gz</code>), or{' '}
        <button disabled={disabled} onClick={() => input.current?.click()}>
          choose a file
        </button>
        <input
          ref={input}
          data-testid="dataset-file-input"
          type="file"
          accept=".csv,.tsv,.txt,.gz,text/csv,text/tab-separated-values,application/gzip"
          hidden
          disabled={disabled}
          onChange={(e) => {
            const f = e.target.files?.[0];
            // Reset so choosing the same file again (after fixing it) fires another change.
            e.target.value = '';
            if (f) onFile(f);
          }}
        />
      </p>
      <p className="note">The file stays on this computer: it is read here, in your browser, and stored in its local database.</p>
      {parsing && (
        <div className="parsing" data-testid="parse-status">
          <progress data-testid="parse-progress" max={1} value={frac ?? undefined} />
          <span>
            Reading {parsing.fileName}: {formatBytes(parsing.progress.bytesRead)}
            {parsing.progress.totalBytes ? ` of ${formatBytes(parsing.progress.totalBytes)}` : ''}, {formatCount(parsing.progress.rows)} rows
          </span>
          <button data-testid="parse-cancel" onClick={onCancel}>
            Cancel
          </button>
        </div>
      )}
    </div>
  );
}
