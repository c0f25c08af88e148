// Rows -> requests. A request is the set of rows sharing a request id (in first-appearance order, rows in
// file order); with no request column every row is its own request.
import { cellKeys, type ParsedColumn } from './table';

export interface RowGroups {
  /** Row indices grouped by request. */
  order: Int32Array;
  /** Group g holds order[starts[g] .. starts[g + 1]). */
  starts: Int32Array;
}

export function groupRows(numRows: number, requestCol: ParsedColumn | undefined): RowGroups {
  if (!requestCol) {
    const order = new Int32Array(numRows);
    const starts = new Int32Array(numRows + 1);
    for (let i = 0; i < numRows; i++) order[i] = i;
    for (let i = 0; i <= numRows; i++) starts[i] = i;
    return { order, starts };
  }
  const keys = cellKeys(requestCol);
  // Group index per token, by first appearance; missing request ids each get a group of their own.
  const groupOfKey = new Int32Array(requestCol.dict.length).fill(-1);
  const groupOfRow = new Int32Array(numRows);
  let numGroups = 0;
  for (let r = 0; r < numRows; r++) {
    const k = keys[r];
    if (k < 0) groupOfRow[r] = numGroups++;
    else {
      if (groupOfKey[k] < 0) groupOfKey[k] = numGroups++;
      groupOfRow[r] = groupOfKey[k];
    }
  }
  // Counting sort keeps file order inside a group.
  const starts = new Int32Array(numGroups + 1);
  for (let r = 0; r < numRows; r++) starts[groupOfRow[r] + 1]++;
  for (let g = 0; g < numGroups; g++) starts[g + 1] += starts[g];
  const fill = starts.slice(0, numGroups);
  const order = new Int32Array(numRows);
  for (let r = 0; r < numRows; r++) order[fill[groupOfRow[r]]++] = r;
  return { order, starts };
}

export function numGroups(g: RowGroups): number {
  return g.starts.length - 1;
}

/** Requests larger than maxCandidates are cut into consecutive chunks (never dropped). Returns chunk starts. */
export function chunkGroups(g: RowGroups, maxCandidates: number): { starts: Int32Array; groupOfChunk: Int32Array } {
  const starts: number[] = [];
  const groupOfChunk: number[] = [];
  for (let q = 0; q < numGroups(g); q++) {
    for (let s = g.starts[q]; s < g.starts[q + 1]; s += maxCandidates) {
      starts.push(s);
      groupOfChunk.push(q);
    }
  }
  starts.push(g.starts[numGroups(g)]);
  return { starts: Int32Array.from(starts), groupOfChunk: Int32Array.from(groupOfChunk) };
}
