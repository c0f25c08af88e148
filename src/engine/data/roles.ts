// What each column is, read from the data's structure first and its name second (names.ts).
//
//  - time: numbers in the Unix-time range that rise down the file, or ISO dates (or a time-like name);
//  - request id: a column whose groups of rows are contiguous in the file (logs are written request by request)
//    or whose name says so, inside which other columns split into constant (context) and varying (candidate),
//    and where 0/1 columns vary; among several, the one with the most constant columns (the finest grouping
//    that still holds the user's context) wins, and one whose values fill the history lists is an item, not a
//    request;
//  - user id: constant within requests, many distinct values, repeating across requests;
//  - candidate item id: varies within requests (distinct inside each one), many distinct values, fills the
//    history lists;
//  - labels: 0/1 columns that vary within requests (a request with a 1 also has 0s), whatever their names,
//    unless fixed per item (then they describe the item);
//  - the funnel: a label whose 1s all fall on another label's 1s sits inside it; tasks go broadest first.
// In a file with no request structure (one row per request) only names can tell a label from a 0/1 feature.
// Every column gets a short evidence phrase saying why it got its role.
import { isLabelNamed, isNamedAs } from './names';
import { groupRows, numGroups, type RowGroups } from './requests';
import type { DatasetSchema, SchemaColumn } from './schema';
import { cellKeys, distinctCount, type ParsedColumn, type ParsedTable } from './table';
import type { FeatureSide } from './types';

/** What inference measured about a column; shown in the app's schema table beside the role picker. */
export interface ColumnProfile {
  name: string;
  /** Distinct non-missing values (a lower bound above 50,000 for numeric columns). */
  distinct: number;
  missing: number;
  numeric: boolean;
  integer: boolean;
  /** Only the values 0 and 1 (both present). */
  binary: boolean;
  /** No values other than 0 and 1 (perhaps only one of them). */
  zeroOne: boolean;
  /** Cells hold delimited lists. */
  list: boolean;
  /** May be used as a label (0/1 values, or numeric with a threshold). */
  canBeLabel: boolean;
  /** Same value on every row of each request (true when there is no request column). */
  constantInRequest: boolean;
  /** For list columns: share of distinct tokens that are also candidate item ids. */
  itemOverlap?: number;
  /** Why the column got its role, in a short phrase ("0/1, varies within requests: a task"). */
  evidence: string;
}

export type BaseProfile = Omit<ColumnProfile, 'constantInRequest' | 'evidence'>;

export function profileColumn(col: ParsedColumn): BaseProfile {
  const list = col.listCells > 0;
  const numeric = !list && col.nonNumericTokens === 0 && col.missing < rowsOf(col);
  const integer = numeric && col.nonIntegerTokens === 0;
  let binary = false;
  let zeroOne = false;
  if (numeric && col.mode === 'dict') {
    const vals = new Set(Array.from(col.dictNum));
    zeroOne = [...vals].every((v) => v === 0 || v === 1);
    binary = zeroOne && vals.size === 2;
  }
  return { name: col.name, distinct: distinctCount(col), missing: col.missing, numeric, integer, binary, list, zeroOne, canBeLabel: binary || numeric };
}

function rowsOf(col: ParsedColumn): number {
  return col.mode === 'dict' ? col.ids.length : col.mode === 'list' ? col.offsets.length - 1 : col.nums.length;
}

/** A nested pair of labels: every (or almost every) 1 of `inner` is a 1 of `outer`. */
export interface FunnelLink {
  inner: string;
  outer: string;
  /** Share of inner's 1s that are outer's 1s. */
  share: number;
}

export interface RoleInference {
  schema: DatasetSchema;
  profiles: ColumnProfile[];
  /** Nested label pairs (the funnel), broadest outer first. */
  funnel: FunnelLink[];
}

/** A label's 1s inside another's: at least this share of them. */
export const NESTED_SHARE = 0.99;
/** Rows of a request written together: at least this share of multi-row requests. */
const CONTIGUOUS = 0.9;
/** A 0/1 column varies within requests when at least this share of requests holding a 1 also hold a 0. */
const MIXED = 0.5;
/** Candidate request columns scored in full (the rest are ranked out by name and contiguity). */
const MAX_REQUEST_CANDIDATES = 6;

interface Col {
  col: ParsedColumn;
  prof: BaseProfile;
  /** A scalar column that could hold ids: integers or text, not 0/1. */
  keyLike: boolean;
}

/** How a column behaves inside the request groups (multi-row groups only). */
interface InGroups {
  /** Share of groups where the column is constant. */
  constant: number;
  /** Constant in every group. */
  allConstant: boolean;
  /** Share of groups whose values are all distinct (scalar columns). */
  unique: number;
  /** 0/1 columns: share of the groups holding a 1 that also hold a 0. */
  mixed: number;
}

const fmt = (n: number) => n.toLocaleString('en-US');
const pct = (x: number) => `${Math.round(x * 100)}%`;

export function inferRoles(table: ParsedTable): RoleInference {
  const cols: Col[] = table.columns.map((col) => {
    const prof = profileColumn(col);
    const keyLike = !prof.list && !prof.zeroOne && (!prof.numeric || prof.integer) && prof.missing < table.numRows;
    return { col, prof, keyLike };
  });
  const evidence = new Map<Col, string>();

  const time = pickTime(cols, table.numRows, evidence);
  const picked = pickRequest(cols, table, time, evidence);
  const request = picked?.c;
  const groups = picked?.groups ?? groupRows(table.numRows, undefined);
  const multiRow = numGroups(groups) < table.numRows;
  const inGroups = picked?.inGroups ?? new Map<Col, InGroups>();

  const user = request ? pickUser(cols, inGroups, numGroups(groups), [request, time], evidence) : pickByName(cols, 'user', [request, time], evidence);
  const item = request ? pickItem(cols, inGroups, [request, time, user], evidence) : pickByName(cols, 'item', [request, time, user], evidence);
  const itemKeys = item ? itemKeySet(item.col) : undefined;
  const itemGroups = item && multiRow ? groupRows(table.numRows, item.col) : undefined;

  const columns: SchemaColumn[] = [];
  const profiles: ColumnProfile[] = [];
  for (const c of cols) {
    const g = inGroups.get(c);
    const constant = !multiRow || (g?.allConstant ?? true);
    const profile: ColumnProfile = { ...c.prof, constantInRequest: constant, evidence: '' };
    const side: FeatureSide = constant ? 'context' : 'candidate';
    const sideWords = !multiRow ? '' : constant ? 'constant within requests: context' : `varies within requests (${pct(1 - (g?.constant ?? 0))} of them): candidate`;
    const name = c.col.name;
    let col: SchemaColumn;
    let why = evidence.get(c) ?? '';
    if (c === request) col = { name, role: 'request' };
    else if (c === user) col = { name, role: 'user' };
    else if (c === item) col = { name, role: 'item' };
    else if (c === time) col = { name, role: 'time' };
    else if (c.prof.missing === table.numRows) [col, why] = [{ name, role: 'ignore' }, 'every cell is empty: ignored'];
    else if (c.prof.zeroOne) [col, why] = zeroOneRole(c, g, side, itemGroups);
    else if (c.prof.list) {
      profile.itemOverlap = itemKeys ? listOverlap(c.col, itemKeys) : 0;
      // History: a per-request list drawn from the item id space.
      if (profile.itemOverlap >= 0.5) [col, why] = [{ name, role: 'sequence' }, `lists of item ids (${pct(profile.itemOverlap)} of its values are candidate items): history`];
      else [col, why] = [{ name, role: 'multi', side }, joinWhy('lists of values', sideWords)];
    } else if (c.prof.numeric && !c.prof.integer) [col, why] = [{ name, role: 'numeric', side }, joinWhy('decimal numbers', sideWords)];
    else if (isIdLike(c.prof, table.numRows)) [col, why] = [{ name, role: 'ignore' }, `a distinct value on ${pct(c.prof.distinct / Math.max(1, table.numRows - c.prof.missing))} of rows: an id, ignored`];
    else [col, why] = [{ name, role: 'categorical', side }, joinWhy(`${fmt(c.prof.distinct)} distinct values`, sideWords)];
    profile.evidence = why;
    columns.push(col);
    profiles.push(profile);
  }
  const labels = columns.filter((c) => c.role === 'label').map((c) => c.name);
  const { order, funnel } = funnelOrder(table, labels);
  for (const link of funnel) {
    const p = profiles.find((x) => x.name === link.inner) as ColumnProfile;
    p.evidence += `; inside ${link.outer} (${pct(link.share)} of its 1s are ${link.outer} 1s)`;
  }
  return { schema: { columns, taskOrder: order }, profiles, funnel };
}

function joinWhy(what: string, side: string): string {
  return side ? `${what}, ${side}` : what;
}

/** A 0/1 column: a task when it varies within requests (or, with no requests, when its name says so). */
function zeroOneRole(c: Col, g: InGroups | undefined, side: FeatureSide, itemGroups: RowGroups | undefined): [SchemaColumn, string] {
  const name = c.col.name;
  const named = isLabelNamed(name);
  if (!g || !c.prof.binary) {
    // No request structure to read: the name decides (a constant 0/1 label-named column stays a label, so that
    // encode() says "only one class", which helps more than a silent feature).
    if (named) return [{ name, role: 'label' }, c.prof.binary ? '0/1, named like an outcome (no requests to read it from): a task' : 'a single value, named like an outcome: a task (it needs both 0s and 1s)'];
    return [{ name, role: 'categorical', side }, c.prof.binary ? '0/1, no requests to tell an outcome from a flag: a feature (offered as a task)' : 'a single value: a feature'];
  }
  if (g.mixed >= MIXED) {
    // An item attribute (is_discounted) is fixed per item across requests; an outcome is not. Only read so when
    // items come back often enough to tell, and never against an outcome's name.
    if (!named && itemGroups && multiRowGroups(itemGroups) >= 20 && behaviourInGroups(c.col, c.prof, itemGroups).allConstant) {
      return [{ name, role: 'categorical', side }, '0/1, fixed per item: an item attribute, a candidate feature'];
    }
    return [{ name, role: 'label' }, `0/1, varies within requests (${pct(g.mixed)} of requests with a 1 also have 0s)${named ? ', named like an outcome' : ''}: a task`];
  }
  return [{ name, role: 'categorical', side }, `0/1, ${g.allConstant ? 'constant' : 'mostly constant'} within requests: a ${side} flag, not a task`];
}

function isIdLike(p: BaseProfile, numRows: number): boolean {
  return numRows >= 1000 && p.distinct >= 0.9 * (numRows - p.missing);
}

// ---------- time ----------

const UNIX_SECONDS: [number, number] = [946_684_800, 4_102_444_800]; // 2000 .. 2100
const ISO_DATE = /^\d{4}-\d{2}-\d{2}([ T]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?)?$/;

function pickTime(cols: Col[], numRows: number, evidence: Map<Col, string>): Col | undefined {
  let best: { c: Col; score: number; why: string } | undefined;
  for (const c of cols) {
    if (c.prof.list || c.prof.zeroOne || c.prof.missing === numRows) continue;
    const named = isNamedAs(c.col.name, 'time');
    const how = timeLike(c);
    if (!named && !how) continue;
    const score = (named ? 2 : 0) + (how ? 1 : 0);
    const why = how ? `${how}${named ? ', named like a time' : ''}: time` : 'named like a time: time';
    if (!best || score > best.score) best = { c, score, why };
  }
  if (best) evidence.set(best.c, best.why);
  return best?.c;
}

/** Unix times (seconds or milliseconds) that mostly rise down the file, or ISO dates; else null. */
function timeLike(c: Col): string | null {
  const col = c.col;
  if (!c.prof.numeric) {
    if (col.mode !== 'dict' || col.dict.length === 0) return null;
    const sample = col.dict.slice(0, 200);
    const dates = sample.filter((v) => ISO_DATE.test(v.trim()) && Number.isFinite(Date.parse(v))).length;
    return dates >= 0.9 * sample.length ? 'dates' : null;
  }
  if (!c.prof.integer) return null;
  let lo = Infinity;
  let hi = -Infinity;
  let rising = 0;
  let steps = 0;
  let prev = NaN;
  const n = rowsOf(col);
  for (let r = 0; r < n; r++) {
    const v = col.mode === 'numeric' ? col.nums[r] : col.ids[r] < 0 ? NaN : col.dictNum[col.ids[r]];
    if (Number.isNaN(v)) continue;
    if (v < lo) lo = v;
    if (v > hi) hi = v;
    if (!Number.isNaN(prev)) {
      steps++;
      if (v >= prev) rising++;
    }
    prev = v;
  }
  if (lo === hi || steps === 0 || rising < 0.9 * steps) return null;
  const inRange = (k: number) => lo >= UNIX_SECONDS[0] * k && hi <= UNIX_SECONDS[1] * k;
  if (inRange(1)) return 'Unix times in seconds, rising down the file';
  if (inRange(1000)) return 'Unix times in milliseconds, rising down the file';
  return null;
}

// ---------- request ----------

/** The request column, its groups, and how every other column behaves in them (null: no request structure). */
interface PickedRequest {
  c: Col;
  groups: RowGroups;
  inGroups: Map<Col, InGroups>;
}

function pickRequest(cols: Col[], table: ParsedTable, time: Col | undefined, evidence: Map<Col, string>): PickedRequest | undefined {
  const lists = cols.filter((c) => c.prof.list);
  const zeroOnes = cols.filter((c) => c.prof.binary);
  const candidates: { c: Col; named: boolean; contiguity: number; groups: number }[] = [];
  for (const c of cols) {
    if (!c.keyLike || c === time) continue;
    const named = isNamedAs(c.col.name, 'request');
    // A request id groups rows: fewer distinct values than rows (named) or groups of 1.5+ rows on average.
    if (c.prof.distinct >= table.numRows || (!named && c.prof.distinct * 1.5 > table.numRows)) continue;
    const { contiguity, multiRowGroups } = contiguityOf(c.col);
    if (!named && (contiguity < CONTIGUOUS || multiRowGroups < 3)) continue;
    candidates.push({ c, named, contiguity, groups: c.prof.distinct });
  }
  candidates.sort((a, b) => Number(b.named) - Number(a.named) || b.contiguity - a.contiguity || b.groups - a.groups);
  let best: (PickedRequest & { score: number; why: string }) | undefined;
  for (const cand of candidates.slice(0, MAX_REQUEST_CANDIDATES)) {
    const groups = groupRows(table.numRows, cand.c.col);
    const inGroups = new Map<Col, InGroups>();
    let context = 0;
    let varying = 0;
    let mixedLabels = 0;
    for (const o of cols) {
      if (o === cand.c) continue;
      const g = behaviourInGroups(o.col, o.prof, groups);
      inGroups.set(o, g);
      if (o.prof.distinct <= 1) continue;
      if (g.constant >= 0.95) context++;
      else varying++;
      if (o.prof.binary && g.mixed >= MIXED) mixedLabels++;
    }
    // Values that fill the history lists make a column the item, not the request.
    const keys = itemKeySet(cand.c.col);
    const inHistory = lists.some((l) => listOverlap(l.col, keys) >= 0.5);
    if (inHistory && !cand.named) continue;
    if (!cand.named && (mixedLabels === 0 || context === 0)) continue;
    const score = context + 3 * Number(cand.named) + mixedLabels * 0.5 - 5 * Number(inHistory) + numGroups(groups) / table.numRows;
    const size = table.numRows / numGroups(groups);
    const why =
      `groups rows into ${fmt(numGroups(groups))} requests of ~${size.toFixed(size < 10 ? 1 : 0)}` +
      (cand.contiguity >= CONTIGUOUS ? ', each written together' : '') +
      `; ${context} columns constant within them, ${varying} vary` +
      (zeroOnes.length ? `, ${mixedLabels} of them 0/1` : '') +
      (cand.named ? '; named like a request' : '') +
      ': request id';
    if (!best || score > best.score) best = { c: cand.c, groups, inGroups, score, why };
  }
  if (best) evidence.set(best.c, best.why);
  return best;
}

function multiRowGroups(groups: RowGroups): number {
  let n = 0;
  for (let g = 0; g < numGroups(groups); g++) if (groups.starts[g + 1] - groups.starts[g] > 1) n++;
  return n;
}

/** Share of multi-row key values whose rows form one contiguous run. */
function contiguityOf(col: ParsedColumn): { contiguity: number; multiRowGroups: number } {
  const keys = cellKeys(col);
  const rows = new Int32Array(col.dict.length);
  const runs = new Int32Array(col.dict.length);
  let prev = -2;
  for (let r = 0; r < keys.length; r++) {
    const k = keys[r];
    if (k < 0) {
      prev = -2;
      continue;
    }
    rows[k]++;
    if (k !== prev) runs[k]++;
    prev = k;
  }
  let multi = 0;
  let contiguous = 0;
  for (let k = 0; k < rows.length; k++) {
    if (rows[k] < 2) continue;
    multi++;
    if (runs[k] === 1) contiguous++;
  }
  return { contiguity: multi ? contiguous / multi : 0, multiRowGroups: multi };
}

/** Per-row values to compare within groups: token ids (dict), numbers (numeric), or null for lists. */
function scalarValues(col: ParsedColumn): ArrayLike<number> | null {
  return col.mode === 'dict' ? col.ids : col.mode === 'numeric' ? col.nums : null;
}

function sameListCell(col: ParsedColumn, a: number, b: number): boolean {
  const a0 = col.offsets[a];
  const n = col.offsets[a + 1] - a0;
  const b0 = col.offsets[b];
  if (col.offsets[b + 1] - b0 !== n) return false;
  for (let t = 0; t < n; t++) if (col.tokens[a0 + t] !== col.tokens[b0 + t]) return false;
  return true;
}

export function behaviourInGroups(col: ParsedColumn, prof: BaseProfile, groups: RowGroups): InGroups {
  const vals = scalarValues(col);
  const dictSize = col.mode === 'dict' ? col.dict.length : 0;
  const lastGroup = dictSize ? new Int32Array(dictSize).fill(-1) : null;
  let multi = 0;
  let constant = 0;
  let unique = 0;
  let withOne = 0;
  let mixed = 0;
  const isOne = prof.zeroOne && col.mode === 'dict' ? col.dictNum : null;
  for (let g = 0; g < numGroups(groups); g++) {
    const a = groups.starts[g];
    const b = groups.starts[g + 1];
    if (b - a < 2) continue;
    multi++;
    const r0 = groups.order[a];
    let same = true;
    let distinct = lastGroup !== null;
    let ones = 0;
    for (let i = a; i < b; i++) {
      const r = groups.order[i];
      if (vals) {
        const v = vals[r];
        if (i > a && v !== vals[r0] && !(Number.isNaN(v) && Number.isNaN(vals[r0]))) same = false;
        if (lastGroup && v >= 0) {
          if (lastGroup[v] === g) distinct = false;
          lastGroup[v] = g;
        }
        if (isOne && v >= 0 && isOne[v] === 1) ones++;
      } else if (i > a && same && !sameListCell(col, r, r0)) same = false;
    }
    if (same) constant++;
    if (distinct) unique++;
    if (ones > 0) {
      withOne++;
      if (ones < b - a) mixed++;
    }
  }
  return { constant: multi ? constant / multi : 1, allConstant: constant === multi, unique: multi ? unique / multi : 0, mixed: withOne ? mixed / withOne : 0 };
}

// ---------- user and item ----------

function pickByName(cols: Col[], role: 'user' | 'item', taken: (Col | undefined)[], evidence: Map<Col, string>): Col | undefined {
  const c = cols.find((x) => !x.prof.list && !taken.includes(x) && isNamedAs(x.col.name, role));
  if (c) evidence.set(c, `named like a ${role} id (no requests to read it from): ${role} id`);
  return c;
}

function pickUser(cols: Col[], inGroups: Map<Col, InGroups>, requests: number, taken: (Col | undefined)[], evidence: Map<Col, string>): Col | undefined {
  let best: { c: Col; score: number } | undefined;
  for (const c of cols) {
    if (!c.keyLike || taken.includes(c)) continue;
    const g = inGroups.get(c);
    const named = isNamedAs(c.col.name, 'user');
    if (!g || g.constant < 0.99) continue;
    // Many users that come back: at least 5, and fewer than the requests.
    const repeats = c.prof.distinct < requests;
    if (!named && (c.prof.distinct < 5 || !repeats)) continue;
    const score = 100 * Number(named) + Math.log(c.prof.distinct);
    if (!best || score > best.score) best = { c, score };
  }
  if (best) {
    const d = best.c.prof.distinct;
    evidence.set(
      best.c,
      `constant within requests, ${fmt(d)} users, ${d < requests ? `repeats across requests (${(requests / d).toFixed(1)} each)` : 'one per request'}` +
        `${isNamedAs(best.c.col.name, 'user') ? ', named like a user' : ''}: user id`,
    );
  }
  return best?.c;
}

function pickItem(cols: Col[], inGroups: Map<Col, InGroups>, taken: (Col | undefined)[], evidence: Map<Col, string>): Col | undefined {
  const lists = cols.filter((c) => c.prof.list);
  let best: { c: Col; score: number; overlap: number; unique: number } | undefined;
  for (const c of cols) {
    if (!c.keyLike || taken.includes(c)) continue;
    const g = inGroups.get(c);
    const named = isNamedAs(c.col.name, 'item');
    if (!g || g.constant > 0.5) continue;
    if (!named && (g.unique < 0.8 || c.prof.distinct < 5)) continue;
    const keys = itemKeySet(c.col);
    const overlap = Math.max(0, ...lists.map((l) => listOverlap(l.col, keys)));
    const score = 100 * Number(named) + 10 * overlap + 5 * g.unique + Math.log(c.prof.distinct);
    if (!best || score > best.score) best = { c, score, overlap, unique: g.unique };
  }
  if (best) {
    evidence.set(
      best.c,
      `varies within requests (distinct in ${pct(best.unique)} of them), ${fmt(best.c.prof.distinct)} items` +
        (best.overlap > 0 ? `, fills the history lists (${pct(best.overlap)} of their values)` : '') +
        `${isNamedAs(best.c.col.name, 'item') ? ', named like an item' : ''}: candidate item id`,
    );
  }
  return best?.c;
}

/** The distinct values of a scalar column, as strings (to match against list tokens). */
function itemKeySet(col: ParsedColumn): Set<string> {
  if (col.mode === 'numeric') cellKeys(col);
  return new Set(col.dict);
}

/** Share of a list column's distinct tokens that are among `keys`. */
function listOverlap(list: ParsedColumn, keys: Set<string>): number {
  if (list.dict.length === 0) return 0;
  let hit = 0;
  for (const t of list.dict) if (keys.has(t)) hit++;
  return hit / list.dict.length;
}

// ---------- the funnel ----------

/** 0/1 values of a column per row (1 = a 1 there). */
export function onesOf(col: ParsedColumn): Uint8Array {
  const out = new Uint8Array(rowsOf(col));
  if (col.mode !== 'dict') return out;
  for (let r = 0; r < out.length; r++) out[r] = col.ids[r] >= 0 && col.dictNum[col.ids[r]] === 1 ? 1 : 0;
  return out;
}

/** Share of `inner`'s 1s that are also `outer`'s 1s (NaN when inner has none), and inner's count of 1s. */
export function nestedShare(inner: Uint8Array, outer: Uint8Array, rows?: Uint8Array): { share: number; ones: number } {
  let ones = 0;
  let both = 0;
  for (let r = 0; r < inner.length; r++) {
    if (!inner[r] || (rows && !rows[r])) continue;
    ones++;
    both += outer[r];
  }
  return { share: ones ? both / ones : NaN, ones };
}

/**
 * Labels broadest first (most 1s), which puts every funnel stage after the stage it sits inside, and the nested
 * pairs themselves. Ties keep the file's order.
 */
function funnelOrder(table: ParsedTable, labels: string[]): { order: string[]; funnel: FunnelLink[] } {
  const ones = labels.map((n) => onesOf(table.columns.find((c) => c.name === n) as ParsedColumn));
  const count = ones.map((o) => o.reduce((s, v) => s + v, 0));
  const idx = labels.map((_, i) => i).sort((a, b) => count[b] - count[a] || a - b);
  const funnel: FunnelLink[] = [];
  for (let x = 0; x < idx.length; x++) {
    // The tightest stage each label sits inside: the latest broader label that holds it.
    for (let y = x - 1; y >= 0; y--) {
      const { share } = nestedShare(ones[idx[x]], ones[idx[y]]);
      if (share >= NESTED_SHARE) {
        funnel.push({ inner: labels[idx[x]], outer: labels[idx[y]], share });
        break;
      }
    }
  }
  return { order: idx.map((i) => labels[i]), funnel };
}
