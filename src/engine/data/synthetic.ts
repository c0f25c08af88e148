// The built-in "shop" world: users with latent tastes browse requests of N candidate items and click ->
// add to cart -> order (a funnel: cart only after click, order only after cart).
//
// Why it is shaped like this:
//  - Taste: each user loves one category and likes another; items sit near their category's direction.
//    The signal is reachable through the user's history (items drawn from their taste), their segment
//    (a coarse hint of the favorite category) and the candidate's category, so a small model learns it fast.
//  - Conflict: each item has a "premium" level that its price reveals (correlation 0.95). Click is drawn to
//    premium items and order avoids them, both scaled by `conflict`, and at high conflict taste matters less to
//    click. The tasks truly disagree: at conflict 1, ranking by the true click probability scores order at ~0.75
//    AUC (vs ~0.94 for the true order probability), and ranking by the true order probability scores click at
//    ~0.59 (vs ~0.93); at conflict 0 each ranks the other at ~0.93 (data-synthetic.test.ts measures this).
//    The funnel keeps order inside click, so the disagreement is about WHICH clicked items get ordered.
//    Where it bites (measured with `npm run measure-demo -- --demo seesaw`): a model with room for each task's
//    own reading of the shared features (separate towers on a wide shared layer) learns both; a model that must
//    push every task through one narrow shared layer has to trade one task for the other. The factor is visible
//    (through the price) on purpose, so that any model can learn it in a demo's few hundred steps: hidden in
//    the item ids only, small models had not learned it yet, and the conflict never showed.
//  - Noise: unobserved logit noise, so AUCs stay below 1.
//  - What makes real logs hard (all off by default; the hard settings of the README's regularization table):
//    `longTail` draws request users and the random half of the candidates from a power law (weight rank^-s), so
//    most users and items have few interactions; `drift` moves item popularity over time (a per-item trend
//    that grows from -drift to +drift over the log); `newUsers` is the share of users who arrive only in the
//    last valFraction of the log, so a time split evaluates them as never seen. A world with drift or new users
//    is split by time (shopFromKnobs): a random split would hand the model its future.
//    Their randomness comes from its own stream, so the defaults build exactly the world they always did.
// The world produces raw rows (strings, as a CSV would hold them) and goes through the SAME TableBuilder
// and encode() as an uploaded file, so shopToCsv() re-encodes to identical arrays.
import { encode, type EncodeOptions } from './encode';
import { gaussian, mulberry32, randInt, type Rng } from './rng';
import type { DatasetSchema } from './schema';
import { tableFromRows, type ParsedTable } from './table';
import type { EncodedDataset } from './types';

export interface ShopOptions {
  users: number;
  items: number;
  requests: number;
  /** Candidates per request (N). */
  candidates: number;
  /** History length kept by the encoder (H); the rows themselves hold 5..30 items. */
  historyLen: number;
  /** Standard deviation of unobserved noise on every label logit. */
  noise: number;
  /** 0..1: how much click and order disagree about price. */
  conflict: number;
  /** Power-law exponent of user and item popularity (0 = uniform, as before). */
  longTail: number;
  /** 0..1: how far item popularity moves over the log (0 = not at all). */
  drift: number;
  /** 0..0.9: share of users who arrive only in the last valFraction of the log. */
  newUsers: number;
  seed: number;
  valFraction: number;
}

export const DEFAULT_SHOP: Readonly<ShopOptions> = Object.freeze({
  users: 500,
  items: 400,
  requests: 3000,
  candidates: 10,
  historyLen: 20,
  noise: 0.5,
  conflict: 0.3,
  longTail: 0,
  drift: 0,
  newUsers: 0,
  seed: 7,
  valFraction: 0.2,
});

export const SHOP_COLUMNS = [
  'request_id', 'user_id', 'item_id', 'history', 'segment', 'device', 'hour', 'budget', 'ts',
  'category', 'price', 'tags', 'click', 'cart', 'order',
] as const;

/** Target positive rates per candidate (the intercepts are calibrated to hit them). */
const TARGET_RATE = { click: 0.28, cart: 0.11, order: 0.05 };
const CATEGORIES = 8;
/** Correlation of an item's (log) price with its premium level. */
const PRICE_REVEALS_PREMIUM = 0.95;
const DEVICES = ['mobile', 'desktop', 'app'];

/** The roles of the shop columns, as inferSchema also finds them. */
export function shopSchema(): DatasetSchema {
  return {
    columns: [
      { name: 'request_id', role: 'request' },
      { name: 'user_id', role: 'user' },
      { name: 'item_id', role: 'item' },
      { name: 'history', role: 'sequence' },
      { name: 'segment', role: 'categorical', side: 'context' },
      { name: 'device', role: 'categorical', side: 'context' },
      { name: 'hour', role: 'categorical', side: 'context' },
      { name: 'budget', role: 'numeric', side: 'context' },
      { name: 'ts', role: 'time' },
      { name: 'category', role: 'categorical', side: 'candidate' },
      { name: 'price', role: 'numeric', side: 'candidate' },
      { name: 'tags', role: 'multi', side: 'candidate' },
      { name: 'click', role: 'label' },
      { name: 'cart', role: 'label' },
      { name: 'order', role: 'label' },
    ],
    taskOrder: ['click', 'cart', 'order'],
  };
}

interface World {
  itemCat: Int32Array;
  itemVec: Float64Array; // [items, C]
  itemQuality: Float64Array;
  /** What click chases and order avoids (seen through the price). */
  itemPremium: Float64Array;
  itemPrice: Float64Array;
  itemTags: string[];
  userVec: Float64Array; // [users, C]
  userFav: Int32Array;
  userBudget: Float64Array;
  userHistory: string[];
}

const sigmoid = (x: number) => 1 / (1 + Math.exp(-x));

function affinity(w: World, u: number, i: number): number {
  let s = 0;
  for (let c = 0; c < CATEGORIES; c++) s += w.userVec[u * CATEGORIES + c] * w.itemVec[i * CATEGORIES + c];
  return s;
}

function buildWorld(o: ShopOptions, rng: Rng): World {
  const I = o.items;
  const U = o.users;
  const itemCat = new Int32Array(I);
  const itemVec = new Float64Array(I * CATEGORIES);
  const itemQuality = new Float64Array(I);
  const itemPremium = new Float64Array(I);
  const logPrice = new Float64Array(I);
  const itemTags: string[] = [];
  for (let i = 0; i < I; i++) {
    const c = randInt(rng, CATEGORIES);
    itemCat[i] = c;
    for (let d = 0; d < CATEGORIES; d++) itemVec[i * CATEGORIES + d] = (d === c ? 1 : 0) + 0.35 * gaussian(rng);
    itemQuality[i] = gaussian(rng);
    itemPremium[i] = gaussian(rng);
    logPrice[i] = 3 + 0.6 * (PRICE_REVEALS_PREMIUM * itemPremium[i] + Math.sqrt(1 - PRICE_REVEALS_PREMIUM ** 2) * gaussian(rng));
    // 1-3 tags, mostly from the item's category, so the multi-valued feature carries some signal.
    const nTags = 1 + randInt(rng, 3);
    const tags = new Set<string>();
    for (let t = 0; t < nTags; t++) tags.add(`t${rng() < 0.7 ? c * 3 + randInt(rng, 3) : randInt(rng, CATEGORIES * 3)}`);
    itemTags.push([...tags].join('|'));
  }
  const itemPrice = logPrice.map((p) => Math.round(Math.exp(p) * 100) / 100);

  const userVec = new Float64Array(U * CATEGORIES);
  const userFav = new Int32Array(U);
  const userBudget = new Float64Array(U);
  const userHistory: string[] = [];
  const w: World = { itemCat, itemVec, itemQuality, itemPremium, itemPrice, itemTags, userVec, userFav, userBudget, userHistory };
  const weights = new Float64Array(I);
  for (let u = 0; u < U; u++) {
    const fav = randInt(rng, CATEGORIES);
    const second = (fav + 1 + randInt(rng, CATEGORIES - 1)) % CATEGORIES;
    userFav[u] = fav;
    for (let d = 0; d < CATEGORIES; d++) userVec[u * CATEGORIES + d] = (d === fav ? 1.6 : d === second ? 0.8 : 0) + 0.3 * gaussian(rng);
    userBudget[u] = gaussian(rng);
    // History: items the user interacted with, drawn from their taste, oldest first.
    let total = 0;
    for (let i = 0; i < I; i++) total += weights[i] = Math.exp(2.5 * affinity(w, u, i));
    const len = 5 + randInt(rng, 26);
    const hist: string[] = [];
    for (let h = 0; h < len; h++) hist.push(`i${drawWeighted(rng, weights, total)}`);
    userHistory.push(hist.join('|'));
  }
  return w;
}

function drawWeighted(rng: Rng, weights: Float64Array, total: number): number {
  let x = rng() * total;
  for (let i = 0; i < weights.length; i++) {
    x -= weights[i];
    if (x < 0) return i;
  }
  return weights.length - 1;
}

interface HardParts {
  /** The user of request r (long tail and new users), or null for the uniform draw. */
  user: ((r: number) => number) | null;
  /** A random candidate by popularity (long tail), or null for the uniform draw. */
  item: (() => number) | null;
  /** Item i's popularity shift at request r (drift), or null. */
  trend: ((r: number, i: number) => number) | null;
}

/** The hard knobs' draws, from their own random stream (the default world's stream is untouched). */
function hardParts(o: ShopOptions): HardParts {
  const rng = mulberry32((o.seed ^ 0x4a7d_0001) >>> 0);
  const zipf = (n: number) => Float64Array.from({ length: n }, (_, k) => (k + 1) ** -o.longTail);
  const total = (w: Float64Array) => w.reduce((a, b) => a + b, 0);
  // The last newCount users (the least popular under a long tail) are the newcomers: they only appear in the last
  // valFraction of the requests.
  const newCount = Math.min(o.users - 1, Math.round(o.newUsers * o.users));
  const arrive = Math.floor((1 - o.valFraction) * o.requests);
  const userW = zipf(o.users);
  const oldW = Float64Array.from(userW, (w, u) => (u >= o.users - newCount ? 0 : w));
  const [allTotal, oldTotal] = [total(userW), total(oldW)];
  const itemW = zipf(o.items);
  const itemTotal = total(itemW);
  const slope = Float64Array.from({ length: o.items }, () => gaussian(rng));
  return {
    user: o.longTail > 0 || newCount > 0 ? (r) => (r < arrive ? drawWeighted(rng, oldW, oldTotal) : drawWeighted(rng, userW, allTotal)) : null,
    item: o.longTail > 0 ? () => drawWeighted(rng, itemW, itemTotal) : null,
    trend: o.drift > 0 ? (r, i) => 1.5 * o.drift * slope[i] * (2 * r / Math.max(o.requests - 1, 1) - 1) : null,
  };
}

/** Finds the intercept b with mean(sigmoid(b + z) * base) = target, by bisection (monotone in b). */
function calibrate(z: Float64Array, base: Float64Array, target: number): number {
  let lo = -20;
  let hi = 20;
  for (let it = 0; it < 60; it++) {
    const mid = (lo + hi) / 2;
    let m = 0;
    for (let j = 0; j < z.length; j++) m += sigmoid(mid + z[j]) * base[j];
    if (m / z.length > target) hi = mid;
    else lo = mid;
  }
  return (lo + hi) / 2;
}

export interface ShopRows {
  header: string[];
  /** One string row per (request, candidate), as a CSV would hold them. */
  rows: string[][];
  /** The true probability of each label per row, [task][row] in funnel order (click, cart, order): what a
   *  perfect model would predict, so the best reachable AUC (and how much the tasks disagree) can be measured. */
  truth: Float64Array[];
}

/** The world's rows: a header and one string row per (request, candidate), with the labels' true probabilities. */
export function shopRows(options: Partial<ShopOptions> = {}): ShopRows {
  const o: ShopOptions = { ...DEFAULT_SHOP, ...options };
  if (o.candidates > o.items) throw new Error(`shop: candidates (${o.candidates}) must not exceed items (${o.items})`);
  const rng = mulberry32(o.seed);
  const w = buildWorld(o, rng);
  const N = o.candidates;
  const total = o.requests * N;
  const reqUser = new Int32Array(o.requests);
  const reqDevice = new Int32Array(o.requests);
  const reqHour = new Int32Array(o.requests);
  const reqBudget = new Float64Array(o.requests);
  const candItem = new Int32Array(total);
  // Logits without intercepts; the three stages of the funnel.
  const zClick = new Float64Array(total);
  const zCart = new Float64Array(total);
  const zOrder = new Float64Array(total);
  const aff = new Float64Array(total);
  const tasteWeights = new Float64Array(o.items);
  const hard = hardParts(o);
  for (let r = 0; r < o.requests; r++) {
    const u = hard.user ? hard.user(r) : randInt(rng, o.users);
    reqUser[r] = u;
    reqDevice[r] = randInt(rng, DEVICES.length);
    reqHour[r] = randInt(rng, 24);
    reqBudget[r] = w.userBudget[u] + 0.3 * gaussian(rng);
    let tw = 0;
    for (let i = 0; i < o.items; i++) tw += tasteWeights[i] = Math.exp(2 * affinity(w, u, i));
    // Half the candidates come from the user's taste (a retrieval stage), half at random; all distinct.
    const chosen = new Set<number>();
    while (chosen.size < N) chosen.add(rng() < 0.5 ? drawWeighted(rng, tasteWeights, tw) : hard.item ? hard.item() : randInt(rng, o.items));
    let j = r * N;
    for (const i of chosen) {
      candItem[j] = i;
      aff[j] = affinity(w, u, i);
      j++;
    }
  }
  let affMean = 0;
  for (let j = 0; j < total; j++) affMean += aff[j] / total;
  for (let j = 0; j < total; j++) {
    const r = Math.floor(j / N);
    const i = candItem[j];
    const a = aff[j] - affMean;
    const premium = w.itemPremium[i];
    const evening = reqHour[r] >= 18 ? 1 : 0;
    const trend = hard.trend ? hard.trend(r, i) : 0; // item popularity at this time (drift)
    const c = o.conflict;
    zClick[j] = (1 - 0.5 * c) * 2.5 * a + 3 * c * premium + 0.3 * (reqDevice[r] === 0 ? 1 : 0) + trend + o.noise * gaussian(rng);
    zCart[j] = 1.5 * a + 0.8 * w.itemQuality[i] + 0.3 * evening + trend + o.noise * gaussian(rng);
    // Order (given cart) avoids premium items hard enough that, per impression, it prefers the cheaper ones even
    // though click (its prerequisite) prefers the dearer ones; a bigger budget softens that a little.
    zOrder[j] = 1.0 * a + 0.5 * w.itemQuality[i] - 8 * c * premium * (1 - 0.2 * Math.tanh(reqBudget[r])) + o.noise * gaussian(rng);
  }
  const ones = new Float64Array(total).fill(1);
  const bClick = calibrate(zClick, ones, TARGET_RATE.click);
  const pClick = zClick.map((z) => sigmoid(bClick + z));
  const bCart = calibrate(zCart, pClick, TARGET_RATE.cart);
  const pClickCart = zCart.map((z, j) => sigmoid(bCart + z) * pClick[j]);
  const bOrder = calibrate(zOrder, pClickCart, TARGET_RATE.order);
  const truth = [pClick, pClickCart, zOrder.map((z, j) => sigmoid(bOrder + z) * pClickCart[j])];

  const header = [...SHOP_COLUMNS];
  const rows: string[][] = [];
  for (let j = 0; j < total; j++) {
    const r = Math.floor(j / N);
    const u = reqUser[r];
    const i = candItem[j];
    const click = rng() < pClick[j] ? 1 : 0;
    const cart = click && rng() < sigmoid(bCart + zCart[j]) ? 1 : 0;
    const order = cart && rng() < sigmoid(bOrder + zOrder[j]) ? 1 : 0;
    rows.push([
      String(r),
      `u${u}`,
      `i${i}`,
      w.userHistory[u],
      `s${w.userFav[u] >> 1}`,
      DEVICES[reqDevice[r]],
      `h${String(reqHour[r]).padStart(2, '0')}`,
      reqBudget[r].toFixed(3),
      String(1_700_000_000 + r * 60),
      `c${w.itemCat[i]}`,
      w.itemPrice[i].toFixed(2),
      w.itemTags[i],
      String(click),
      String(cart),
      String(order),
    ]);
  }
  return { header, rows, truth };
}

/** The world as a ParsedTable (what parsing its CSV would give). */
export function shopTable(options: Partial<ShopOptions> = {}): ParsedTable {
  const { header, rows } = shopRows(options);
  return tableFromRows('shop', header, rows);
}

/** The encoding options the shop world implies (N = candidates, H = historyLen, split seed = world seed). */
export function shopEncodeOptions(options: Partial<ShopOptions> = {}, extra: Partial<EncodeOptions> = {}): Partial<EncodeOptions> {
  const o: ShopOptions = { ...DEFAULT_SHOP, ...options };
  return { historyLen: o.historyLen, maxCandidates: o.candidates, valFraction: o.valFraction, seed: o.seed, split: 'random', name: 'shop', ...extra };
}

/** The default dataset: the shop world, encoded. */
export function generateShop(options: Partial<ShopOptions> = {}, extra: Partial<EncodeOptions> = {}): EncodedDataset {
  return encode(shopTable(options), shopSchema(), shopEncodeOptions(options, extra));
}

/** One CSV line; quotes cells that hold the delimiter, quotes or line breaks. */
export function csvLine(cells: readonly string[], delimiter = ','): string {
  return cells.map((c) => (c.includes(delimiter) || c.includes('"') || c.includes('\n') || c.includes('\r') ? `"${c.replace(/"/g, '""')}"` : c)).join(delimiter);
}

/** The world's rows as CSV text (header first, '\n' line ends). */
export function shopToCsv(options: Partial<ShopOptions> = {}): string {
  const { header, rows } = shopRows(options);
  const lines = [csvLine(header)];
  for (const r of rows) lines.push(csvLine(r));
  return lines.join('\n') + '\n';
}
