// Streaming CSV/TSV parsing: bytes (a File/Blob, or a ReadableStream of bytes) -> optional gunzip ->
// strict UTF-8 decoding -> papaparse's row parser -> a column-wise ParsedTable. Runs unchanged in a Web Worker
// and in Node (DecompressionStream and TextDecoder exist in both). Rows are interned into columns as they
// arrive, so memory grows with the data, not with JS objects per row.
import Papa from 'papaparse';
import { DataError } from './errors';
import { CellRanges, TableBuilder, type ParsedTable } from './table';

export const DELIMITERS = [',', '\t', ';', '|'] as const;
/** Default limit on decompressed text size. */
export const DEFAULT_MAX_BYTES = 1024 * 1024 * 1024;
const SAMPLE_CHARS = 64 * 1024;

export interface ParseProgress {
  /** Bytes read from the source (compressed bytes for .gz). */
  bytesRead: number;
  /** Source size when known (a Blob), else undefined. */
  totalBytes?: number;
  rows: number;
}

export interface ParseOptions {
  /** Name used in error messages (defaults to the File's name, else 'data.csv'). */
  fileName?: string;
  /** Decompressed text larger than this is refused (DataError 'file_too_large'). */
  maxBytes?: number;
  /** Rows whose field count differs from the header's are dropped instead of failing the load. */
  skipRaggedRows?: boolean;
  /** Force a delimiter instead of detecting one. */
  delimiter?: string;
  onProgress?: (p: ParseProgress) => void;
  signal?: AbortSignal;
}

export interface ParsedFile extends ParsedTable {
  delimiter: string;
  gzip: boolean;
  /** Decompressed text bytes. */
  textBytes: number;
  /** Ragged rows dropped (only with skipRaggedRows). */
  skippedRows: number;
  raggedExamples: string[];
}

export type ByteSource = Blob | ReadableStream<Uint8Array>;

export async function parseCsv(source: ByteSource, options: ParseOptions = {}): Promise<ParsedFile> {
  const file = options.fileName ?? (isFile(source) ? source.name : 'data.csv');
  const maxBytes = options.maxBytes ?? DEFAULT_MAX_BYTES;
  const totalBytes = source instanceof Blob ? source.size : undefined;
  const tooLarge = (size: string, limit = formatBytes(maxBytes)) =>
    new DataError({
      code: 'file_too_large',
      file,
      problem: `the file is ${size}, above the limit of ${limit}`,
      hint: 'Load a sample of the file (e.g. the first rows: `head -n 1000000 file.csv > sample.csv`), or raise the limit (maxBytes) if this machine has the memory.',
    });
  if (totalBytes !== undefined && totalBytes > maxBytes) {
    const { size, limit } = sizeAgainstLimit(totalBytes, maxBytes);
    throw tooLarge(size, limit);
  }
  if (totalBytes === 0) throw emptyFile(file);

  let bytesRead = 0;
  const raw = source instanceof Blob ? source.stream() : source;
  const { stream, gzip } = await maybeGunzip(
    countBytes(raw, (n) => {
      bytesRead += n;
    }),
  );

  const decoder = new TextDecoder('utf-8', { fatal: true });
  // The file's size (when it is not compressed) and the sample's line length give the expected row count.
  const state = new RowSink(file, options, gzip ? undefined : totalBytes);
  let textBytes = 0;
  let newlines = 0;
  let tail: Uint8Array = new Uint8Array(0);
  const reader = stream.getReader();
  try {
    for (;;) {
      if (options.signal?.aborted) throw cancelled(file);
      const { value, done } = await reader.read();
      if (done) break;
      textBytes += value.length;
      if (textBytes > maxBytes) throw tooLarge(`more than ${formatBytes(maxBytes)} of text${gzip ? ' after decompression' : ''}`);
      let text: string;
      try {
        text = decoder.decode(value, { stream: true });
      } catch {
        throw notUtf8(file, tail, value, textBytes - value.length, newlines);
      }
      newlines += countNewlines(value);
      tail = value.subarray(Math.max(0, value.length - 3));
      state.push(text);
      options.onProgress?.({ bytesRead, totalBytes, rows: state.rows });
    }
    let last: string;
    try {
      last = decoder.decode();
    } catch {
      throw notUtf8(file, tail, new Uint8Array(0), textBytes, newlines);
    }
    state.push(last);
  } finally {
    reader.releaseLock();
  }
  const table = state.finish();
  options.onProgress?.({ bytesRead, totalBytes, rows: table.numRows });
  return { ...table, gzip, textBytes };
}

/** Turns text chunks into rows: detects delimiter and line ending, reads the header, checks row widths. */
class RowSink {
  private pending = '';
  private parser: Papa.Parser | null = null;
  private builder: TableBuilder | null = null;
  private header: string[] = [];
  private delimiter = ',';
  private newline = '\n';
  rows = 0;
  private dataRows = 0;
  private ragged = 0;
  private raggedExamples: string[] = [];
  /** The first text read (to detect the delimiter and guess the row count). */
  private sample = '';
  /** Cell ranges of the row being read (linesOf), reused from row to row. */
  private cells = new CellRanges(0);

  constructor(
    private readonly file: string,
    private readonly options: ParseOptions,
    private readonly sizeBytes?: number,
  ) {}

  /** Rows the whole file should hold, from the sample's mean line length (1024 when the size is unknown). */
  private expectedRows(sample: string): number {
    if (!this.sizeBytes) return 1024;
    let lines = 0;
    for (let i = sample.indexOf('\n'); i >= 0; i = sample.indexOf('\n', i + 1)) lines++;
    // Bytes, not characters: a file of Chinese text has 3 bytes per character.
    return lines === 0 ? 1024 : Math.ceil((this.sizeBytes / (new TextEncoder().encode(sample).length / lines)) * 1.02);
  }

  push(text: string): void {
    if (!this.parser) {
      this.pending += text;
      // Wait for enough text to see the header and a few rows (or the end of the file, see finish()).
      if (this.pending.length >= SAMPLE_CHARS) this.start();
      return;
    }
    this.feed(text, false);
  }

  private start(): void {
    const sample = this.pending;
    this.sample = sample;
    this.pending = '';
    if (sample.replace(/^\uFEFF/, '').trim() === '') throw emptyFile(this.file);
    this.newline = sample.includes('\r\n') ? '\r\n' : sample.includes('\n') ? '\n' : sample.includes('\r') ? '\r' : '\n';
    this.delimiter = this.options.delimiter ?? detectDelimiter(sample, this.newline, this.file);
    // No step callback: papaparse then returns a chunk's rows in one array instead of building a result object
    // per row, and parses a chunk without quotes with plain splits (its fast mode, decided per chunk).
    this.parser = new Papa.Parser({ delimiter: this.delimiter, newline: this.newline as '\n' });
    this.feed(sample, false);
  }

  private feed(text: string, final: boolean): void {
    // Text without quotes (most large files) takes the one-pass path; quoted text goes through papaparse.
    if (this.delimiter.length === 1 && text.indexOf('"') < 0 && this.pending.indexOf('"') < 0) {
      this.feedUnquoted(text, final);
      return;
    }
    const parser = this.parser as Papa.Parser;
    const input = this.pending + text;
    const res = parser.parse(input, 0, !final) as { data: string[][]; meta: { cursor: number } };
    for (const row of res.data) this.onRow(row);
    // The parser stops before an incomplete last row; keep it for the next chunk.
    this.pending = final ? '' : input.substring(res.meta.cursor);
  }

  /**
   * One pass over text that holds no quotes: finds each line and its delimiters with indexOf and hands the
   * cells to the table as ranges of the decoded chunk itself, so known values are never cut out as strings
   * (table.ts). Only the line that straddles two chunks is joined into a string of its own. Rows whose width
   * is off, blank lines and a stray '\r' get exactly the treatment onRow() gives them.
   */
  private feedUnquoted(text: string, final: boolean): void {
    let from = 0;
    if (this.pending !== '') {
      const nl = text.indexOf(this.newline);
      if (nl < 0 && !final) {
        this.pending += text; // a line longer than a chunk
        return;
      }
      from = nl < 0 ? text.length : nl + this.newline.length;
      const head = this.pending + text.substring(0, from);
      this.pending = '';
      this.linesOf(head, 0, true);
    }
    const rest = this.linesOf(text, from, final);
    this.pending = rest < text.length ? text.substring(rest) : '';
  }

  /** Reads the complete lines of text[from..] (and the last one too when final); returns where it stopped. */
  private linesOf(text: string, from: number, final: boolean): number {
    const nl = this.newline;
    const d = this.delimiter;
    let pos = from;
    // The header (and any blank lines before it) as rows: onRow makes the table.
    while (!this.builder && pos < text.length) {
      let end = text.indexOf(nl, pos);
      if (end < 0) {
        if (!final) return pos;
        end = text.length;
      }
      this.onRow(text.substring(pos, end).split(this.delimiter));
      pos = end + nl.length;
    }
    if (!this.builder) return Math.min(pos, text.length);
    const builder = this.builder;
    const width = this.header.length;
    if (this.cells.width !== width) this.cells = new CellRanges(width);
    const cells = this.cells;
    while (pos < text.length) {
      let end = text.indexOf(nl, pos);
      if (end < 0) {
        if (!final) break;
        end = text.length;
      }
      let lineEnd = end;
      if (lineEnd > pos && text.charCodeAt(lineEnd - 1) === 13) lineEnd--;
      // Cell ends by indexOf (native, fast over long cells); the table hashes only the cells it has to look up.
      let n = 0;
      let a = pos;
      for (;;) {
        let e = text.indexOf(d, a);
        if (e < 0 || e > lineEnd) e = lineEnd;
        if (n < width) cells.set(n, a, e);
        n++;
        if (e === lineEnd) break;
        a = e + 1;
      }
      if (n === width) {
        this.rows++;
        this.dataRows++;
        builder.pushRowRanges(text, cells);
      } else this.onRow(text.substring(pos, lineEnd).split(this.delimiter));
      pos = end + nl.length;
    }
    return Math.min(pos, text.length);
  }

  private onRow(row: string[]): void {
    if (row.length === 1 && row[0].trim() === '') return; // blank line
    // A stray '\r' from mixed line endings.
    const lastCell = row[row.length - 1];
    if (lastCell.endsWith('\r')) row[row.length - 1] = lastCell.slice(0, -1);
    if (!this.builder) {
      this.header = checkHeader(row, this.file);
      this.builder = new TableBuilder(this.file, this.header, this.delimiter === '|' ? ';' : '|', this.expectedRows(this.sample));
      this.sample = '';
      return;
    }
    this.rows++;
    if (row.length !== this.header.length) {
      this.ragged++;
      if (this.raggedExamples.length < 5) {
        const shown = row.join(this.delimiter);
        this.raggedExamples.push(`row ${this.rows}: ${row.length} fields (expected ${this.header.length}): ${shown.length > 80 ? shown.slice(0, 80) + '...' : shown}`);
      }
      return;
    }
    this.dataRows++;
    this.builder.pushRow(row);
  }

  finish(): Omit<ParsedFile, 'gzip' | 'textBytes'> {
    if (!this.parser) {
      // A file shorter than the sample size: detect on all of it.
      this.start();
    }
    this.feed('', true);
    if (!this.builder) throw emptyFile(this.file);
    if (this.ragged > 0 && !this.options.skipRaggedRows) {
      throw new DataError({
        code: 'ragged_rows',
        file: this.file,
        row: Number(/^row (\d+)/.exec(this.raggedExamples[0])?.[1]),
        problem: `${this.ragged} row${this.ragged > 1 ? 's have' : ' has'} a different number of fields than the header (${this.header.length})`,
        hint: "Fix those rows (an unquoted delimiter inside a value is the usual cause: wrap such values in double quotes), or load with 'skip ragged rows' (CLI: --skip-ragged) to drop them.",
        examples: this.raggedExamples,
      });
    }
    return { ...this.builder.finish(), delimiter: this.delimiter, skippedRows: this.ragged, raggedExamples: this.raggedExamples };
  }
}

function checkHeader(row: string[], file: string): string[] {
  const cells = row.map((c, i) => (i === 0 ? c.replace(/^\uFEFF/, '') : c).trim());
  if (cells.length > 1 && cells.every((c) => c !== '' && Number.isFinite(Number(c)))) {
    throw new DataError({
      code: 'no_header',
      file,
      row: 0,
      problem: `the first line looks like data, not a header (${cells.slice(0, 4).join(', ')}${cells.length > 4 ? ', ...' : ''})`,
      hint: 'Add a header: a first line with a name for each column (e.g. user_id,item_id,click).',
    });
  }
  // Unnamed columns (a pandas index, say) get a name so they can still be shown and ignored.
  const named = cells.map((c, i) => (c === '' ? `unnamed_${i + 1}` : c));
  const seen = new Map<string, number>();
  for (const [i, n] of named.entries()) {
    if (seen.has(n)) {
      throw new DataError({
        code: 'duplicate_column',
        file,
        row: 0,
        column: n,
        problem: `the header names '${n}' twice (columns ${(seen.get(n) as number) + 1} and ${i + 1})`,
        hint: 'Give every column a distinct name in the header line.',
      });
    }
    seen.set(n, i);
  }
  return named;
}

/** Picks the delimiter (among , tab ; |) that splits the header into the most columns consistently. */
export function detectDelimiter(sample: string, newline: string, file: string): string {
  let best: { d: string; n: number } | null = null;
  for (const d of DELIMITERS) {
    const rows: string[][] = [];
    const p = new Papa.Parser({ delimiter: d, newline: newline as '\n', preview: 20, step: (r: { data: string[][] }) => rows.push(r.data[0]) });
    p.parse(sample, 0, true);
    const lines = rows.filter((r) => !(r.length === 1 && r[0].trim() === ''));
    if (lines.length === 0) continue;
    const width = lines[0].length;
    if (width < 2) continue;
    const consistent = lines.filter((r) => r.length === width).length / lines.length;
    // A majority, not all: ragged rows are reported later, with their row numbers.
    if (consistent <= 0.5) continue;
    if (!best || width > best.n) best = { d, n: width };
  }
  if (!best) {
    const firstLine = sample.split(/\r?\n|\r/)[0];
    throw new DataError({
      code: 'unknown_delimiter',
      file,
      row: 0,
      problem: 'could not find the column delimiter (tried comma, tab, semicolon and |): the header splits into one column',
      hint: 'Save the file as CSV (comma-separated) or TSV (tab-separated) with a header line naming at least two columns (a label and a feature).',
      examples: [firstLine.length > 100 ? firstLine.slice(0, 100) + '...' : firstLine],
    });
  }
  return best.d;
}

// ---------- bytes ----------

function isFile(s: ByteSource): s is File {
  return typeof File !== 'undefined' && s instanceof File;
}

function countBytes(stream: ReadableStream<Uint8Array>, onBytes: (n: number) => void): ReadableStream<Uint8Array> {
  return stream.pipeThrough(
    new TransformStream<Uint8Array, Uint8Array>({
      transform(chunk, ctl) {
        onBytes(chunk.length);
        ctl.enqueue(chunk);
      },
    }),
  );
}

/** Looks at the first two bytes (gzip magic 1f 8b) and inserts a DecompressionStream when they match. */
async function maybeGunzip(stream: ReadableStream<Uint8Array>): Promise<{ stream: ReadableStream<Uint8Array>; gzip: boolean }> {
  const reader = stream.getReader();
  const head: Uint8Array[] = [];
  let headLen = 0;
  let done = false;
  while (headLen < 2) {
    const r = await reader.read();
    if (r.done) {
      done = true;
      break;
    }
    head.push(r.value);
    headLen += r.value.length;
  }
  const first = concat(head);
  const replay = new ReadableStream<Uint8Array>({
    start(ctl) {
      if (first.length) ctl.enqueue(first);
      if (done) ctl.close();
    },
    async pull(ctl) {
      const r = await reader.read();
      if (r.done) ctl.close();
      else ctl.enqueue(r.value);
    },
    cancel(reason) {
      return reader.cancel(reason);
    },
  });
  const gzip = first.length >= 2 && first[0] === 0x1f && first[1] === 0x8b;
  if (!gzip) return { stream: replay, gzip };
  return { stream: replay.pipeThrough(new DecompressionStream('gzip') as unknown as TransformStream<Uint8Array, Uint8Array>), gzip };
}

function concat(parts: Uint8Array[]): Uint8Array {
  if (parts.length === 1) return parts[0];
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

function countNewlines(bytes: Uint8Array): number {
  let n = 0;
  for (let i = bytes.indexOf(10); i >= 0; i = bytes.indexOf(10, i + 1)) n++;
  return n;
}

/** Index of the first byte that breaks UTF-8 in `bytes` (leading continuation bytes are let through). */
export function invalidUtf8Offset(bytes: Uint8Array): number {
  let i = 0;
  while (i < bytes.length && i < 3 && (bytes[i] & 0xc0) === 0x80) i++;
  while (i < bytes.length) {
    const b = bytes[i];
    const len = b < 0x80 ? 1 : (b & 0xe0) === 0xc0 && b >= 0xc2 ? 2 : (b & 0xf0) === 0xe0 ? 3 : (b & 0xf8) === 0xf0 && b <= 0xf4 ? 4 : 0;
    if (len === 0) return i;
    if (i + len > bytes.length) return i;
    for (let k = 1; k < len; k++) if ((bytes[i + k] & 0xc0) !== 0x80) return i;
    i += len;
  }
  return bytes.length;
}

function notUtf8(file: string, tail: Uint8Array, chunk: Uint8Array, chunkStart: number, newlinesBefore: number): DataError {
  const joined = concat([tail, chunk].filter((p) => p.length));
  const at = Math.min(invalidUtf8Offset(joined), Math.max(0, joined.length - 1));
  const offset = chunkStart - tail.length + at;
  const line = newlinesBefore - countNewlines(tail) + countNewlines(joined.subarray(0, at)) + 1;
  const bad = Array.from(joined.subarray(at, at + 4), (b) => b.toString(16).padStart(2, '0')).join(' ');
  return new DataError({
    code: 'not_utf8',
    file,
    row: Math.max(0, line - 1),
    problem: `the text is not UTF-8: invalid bytes (${bad}) at byte ${offset}, line ${line}`,
    hint: 'Re-save the file as UTF-8 (in Excel: "CSV UTF-8"; or `iconv -f latin1 -t utf-8 in.csv > out.csv`).',
  });
}

function emptyFile(file: string): DataError {
  return new DataError({ code: 'empty_file', file, problem: 'the file is empty', hint: 'Choose a CSV file with a header line and at least one data row.' });
}

function cancelled(file: string): DataError {
  return new DataError({ code: 'cancelled', file, problem: 'loading was cancelled', hint: 'Load the file again when you are ready.' });
}

/** A size and its limit for a message: rounded, unless rounding makes them read the same ("1.0 GiB, above 1 GiB"). */
export function sizeAgainstLimit(bytes: number, limitBytes: number): { size: string; limit: string } {
  const size = formatBytes(bytes);
  const limit = formatBytes(limitBytes);
  if (parseFloat(size) !== parseFloat(limit) || size.split(' ')[1] !== limit.split(' ')[1]) return { size, limit };
  const exact = (n: number) => `${n.toLocaleString('en-US')} bytes`;
  return { size: exact(bytes), limit: `${limit} (${exact(limitBytes)})` };
}

export function formatBytes(n: number): string {
  if (n >= 1024 ** 3) return `${(n / 1024 ** 3).toFixed(n % 1024 ** 3 === 0 ? 0 : 1)} GiB`;
  if (n >= 1024 ** 2) return `${(n / 1024 ** 2).toFixed(n % 1024 ** 2 === 0 ? 0 : 1)} MiB`;
  if (n >= 1024) return `${(n / 1024).toFixed(1)} KiB`;
  return `${n} bytes`;
}
