// Number formatting for the dataset panel (pure, unit-tested).
import { formatBytes } from '../../engine/data';

export { formatBytes };

export function formatCount(n: number): string {
  return Math.round(n).toLocaleString('en-US');
}

/** 0.1234 -> "12.3%"; tiny non-zero rates keep two significant digits so they never read as 0. */
export function formatRate(r: number): string {
  if (r > 0 && r < 0.001) return `${(r * 100).toPrecision(2)}%`;
  return `${(r * 100).toFixed(1)}%`;
}

/** Share of the file read so far, 0..1 (null when the size is unknown). */
export function progressFraction(bytesRead: number, totalBytes: number | undefined): number | null {
  if (!totalBytes) return null;
  return Math.max(0, Math.min(1, bytesRead / totalBytes));
}

const DELIMITER_NAMES: Record<string, string> = { ',': 'comma', '\t': 'tab', ';': 'semicolon', '|': 'pipe' };

export function delimiterName(d: string): string {
  return DELIMITER_NAMES[d] ?? JSON.stringify(d);
}

/** A dataset name from a file name: "ali_ccp_train.csv.gz" -> "ali_ccp_train". */
export function datasetNameFromFile(fileName: string): string {
  return fileName.replace(/\.gz$/i, '').replace(/\.(csv|tsv|txt)$/i, '') || fileName;
}
