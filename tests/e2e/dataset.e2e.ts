// The Data tab in headless Chromium against the built site: uploads (CSV, TSV, gzip, drag-and-drop), the
// schema table, validation messages with their fixes, persistence across reloads, delete, cancel, the shop
// world's knobs, and that none of it touches the network.
import { closeSync, ftruncateSync, mkdtempSync, openSync, readFileSync, rmSync, statSync, writeFileSync, createWriteStream } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { Page } from 'playwright-core';
import { DEFAULT_MAX_BYTES } from '../../src/engine/data/parse';
import { mulberry32 } from '../../src/engine/data/rng';
import { shopToCsv } from '../../src/engine/data/synthetic';
import { open, sharedBrowser } from './browser';

const ROOT = resolve(import.meta.dirname, '../..');
const ALI = resolve(ROOT, '../shared/data/ali-ccp/ali_ccp_train_sample.csv');

const browser = sharedBrowser();
let tmp: string;
beforeAll(() => {
  tmp = mkdtempSync(join(tmpdir(), 'onerank-dataset-e2e-'));
});
afterAll(() => {
  if (tmp) rmSync(tmp, { recursive: true, force: true });
});

/** Opens the Data tab and waits until the panel (and its parsing worker) is ready. */
async function openData(url = `${inject('siteUrl')}#tab=data`) {
  const opened = await open(browser(), url);
  await opened.page.getByTestId('dataset-summary').first().waitFor({ timeout: 60_000 });
  return opened;
}

/**
 * Resolves once no request of the page or its workers has been in flight for `ms`. Playwright's 'networkidle'
 * waits for Chromium's own idle signal, which this page no longer reaches (seen: no request pending for 20 s after
 * load, and still no signal), so the privacy tests watch the requests themselves.
 */
async function networkQuiet(page: Page, ms = 1000, timeout = 30_000): Promise<void> {
  const ctx = page.context();
  let inFlight = 0;
  let last = Date.now();
  const started = () => {
    inFlight++;
    last = Date.now();
  };
  const ended = () => {
    inFlight = Math.max(0, inFlight - 1); // a request that began before we listened ends uncounted
    last = Date.now();
  };
  ctx.on('request', started);
  ctx.on('requestfinished', ended);
  ctx.on('requestfailed', ended);
  try {
    const until = Date.now() + timeout;
    while (inFlight > 0 || Date.now() - last < ms) {
      if (Date.now() > until) throw new Error(`the network never went quiet for ${ms} ms (${inFlight} request(s) in flight)`);
      await new Promise((r) => setTimeout(r, 100));
    }
  } finally {
    ctx.off('request', started);
    ctx.off('requestfinished', ended);
    ctx.off('requestfailed', ended);
  }
}

function tmpFile(name: string, content: string | Buffer): string {
  const p = join(tmp, name);
  writeFileSync(p, content);
  return p;
}

/** Column `name` of a CSV, as strings (for expected values computed from the file itself). */
function csvColumn(path: string, name: string): string[] {
  const [header, ...rows] = readFileSync(path, 'utf8').trim().split(/\r?\n/);
  const i = header.split(',').indexOf(name);
  return rows.map((r) => r.split(',')[i]);
}

function rateText(values: string[]): string {
  return `${((values.filter((v) => v === '1').length / values.length) * 100).toFixed(1)}%`;
}

async function activeId(page: Page): Promise<string | null> {
  return page.locator('[data-testid="dataset-list"] tr[data-active="true"]').getAttribute('data-dataset-id');
}

async function uploadAndReview(page: Page, file: string) {
  await page.getByTestId('dataset-file-input').setInputFiles(file);
  await page.getByTestId('schema-table').waitFor({ timeout: 60_000 });
}

async function useUpload(page: Page): Promise<string> {
  await page.getByTestId('use-upload').click();
  await page.getByTestId('upload-stored').waitFor({ timeout: 60_000 });
  const id = await activeId(page);
  expect(id).toMatch(/^u-/);
  return id as string;
}

describe('dataset panel', () => {
  it('opens on the shop world, with a summary, and its knobs go to the URL and regenerate it', async () => {
    const { page, errors } = await openData();
    expect(await activeId(page)).toBe('shop');
    const summary = page.getByTestId('dataset-summary');
    // Default world: 3000 requests x 10 candidates, tasks click -> cart -> order.
    expect(await summary.getByTestId('summary-rows').textContent()).toBe('30,000');
    expect(await summary.locator('[data-task]').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-task')))).toEqual(['click', 'cart', 'order']);
    expect(await summary.locator('[data-feature]').count()).toBeGreaterThan(3);

    await page.getByTestId('shop-requests').fill('500');
    await page.waitForFunction(() => document.querySelector('[data-testid="summary-rows"]')?.textContent === '5,000');
    expect(new URL(page.url()).hash).toContain('shop.requests=500');
    // H is an encoding size training takes from the config: the knob writes it there.
    await page.getByTestId('shop-historyLen').fill('30');
    await page.waitForFunction(() => document.querySelector('[data-testid="dataset-summary"]')?.textContent?.includes('H = 30'));
    expect(new URL(page.url()).hash).toContain('historyLen=30');
    expect(errors).toEqual([]);
    await page.context().close();
  });

  it('uploads the Ali-CCP sample: labels inferred, stored, summarized, kept across reloads, deleted', async () => {
    const { page, errors } = await openData();
    await uploadAndReview(page, ALI);
    const table = page.getByTestId('schema-table');
    expect(await table.locator('tbody tr').count()).toBe(readFileSync(ALI, 'utf8').split('\n')[0].split(',').length);
    expect(await table.locator('tr[data-column="click"]').getAttribute('data-role')).toBe('label');
    expect(await table.locator('tr[data-column="purchase"]').getAttribute('data-role')).toBe('label');
    expect(await page.getByTestId('task-order').locator('li').evaluateAll((l) => l.map((x) => x.getAttribute('data-task')))).toEqual(['click', 'purchase']);

    const id = await useUpload(page);
    expect(new URL(page.url()).hash).toContain(`data=${id}`);
    const summary = page.getByTestId('dataset-summary');
    const rows = csvColumn(ALI, 'click').length;
    expect(await summary.getByTestId('summary-rows').textContent()).toBe(String(rows));
    // No request column: every row is its own request.
    expect(await summary.getByTestId('summary-requests').textContent()).toMatch(new RegExp(`^${rows} `));
    expect(await summary.getByTestId('positive-rate-click').textContent()).toBe(rateText(csvColumn(ALI, 'click')));
    expect(await summary.getByTestId('positive-rate-purchase').textContent()).toBe(rateText(csvColumn(ALI, 'purchase')));

    // What the training worker's loadStoredDataset(id) reads: the arrays, typed, as encoded.
    const stored = await page.evaluate(async (key) => {
      const d = await new Promise<IDBDatabase>((res, rej) => {
        const r = indexedDB.open('onerank-playground');
        r.onsuccess = () => res(r.result);
        r.onerror = () => rej(r.error);
      });
      const rec = await new Promise<{ dataset: Record<string, unknown> }>((res, rej) => {
        const r = d.transaction('datasetArrays').objectStore('datasetArrays').get(key);
        r.onsuccess = () => res(r.result);
        r.onerror = () => rej(r.error);
      });
      d.close();
      const ds = rec.dataset;
      return { tasks: ds.tasks, numRequests: ds.numRequests, labels: ds.labels instanceof Float32Array, labelsLength: (ds.labels as Float32Array).length, trainIdx: ds.trainIdx instanceof Int32Array };
    }, id);
    expect(stored).toEqual({ tasks: ['click', 'purchase'], numRequests: rows, labels: true, labelsLength: rows * 2, trainIdx: true });

    await page.reload();
    await page.getByTestId('dataset-summary').waitFor();
    const row = page.locator(`[data-testid="dataset-list"] tr[data-dataset-id="${id}"]`);
    await row.waitFor();
    expect(await row.getAttribute('data-active')).toBe('true');
    expect(await row.textContent()).toContain('click, purchase');
    expect(await page.getByTestId('summary-rows').textContent()).toBe(String(rows));

    // Delete asks once more, then removes it and falls back to the shop world.
    await row.getByTestId('delete-dataset').click();
    await page.getByTestId('confirm-delete-note').waitFor();
    await row.getByTestId('delete-dataset').click();
    await row.waitFor({ state: 'detached' });
    expect(await activeId(page)).toBe('shop');
    await page.reload();
    await page.getByTestId('dataset-summary').waitFor();
    expect(await page.locator(`tr[data-dataset-id="${id}"]`).count()).toBe(0);
    expect(errors).toEqual([]);
    await page.context().close();
  });

  it('a ragged file is rejected with its file and row named, leaves the active dataset in use, and can be loaded skipping the bad rows', async () => {
    const { page } = await openData();
    await uploadAndReview(page, ALI);
    const goodId = await useUpload(page);

    const ragged = tmpFile('ragged.csv', 'click,purchase,f1\n0,0,a\n1,0,b\n1,1,c,EXTRA\n0,0,d\n1,0,e\n');
    await page.getByTestId('dataset-file-input').setInputFiles(ragged);
    const err = page.getByTestId('dataset-error');
    await err.waitFor();
    expect(await err.getAttribute('data-code')).toBe('ragged_rows');
    const msg = (await err.textContent()) ?? '';
    expect(msg).toContain('ragged.csv');
    expect(msg).toContain('row 3');
    expect(msg).toMatch(/What to do:/);
    expect(await activeId(page)).toBe(goodId);
    expect(new URL(page.url()).hash).toContain(`data=${goodId}`);
    expect(await page.getByTestId('summary-rows').textContent()).toBe(String(csvColumn(ALI, 'click').length));

    await page.getByTestId('fix-skip-ragged').click();
    await page.getByTestId('schema-table').waitFor();
    expect(await page.getByTestId('skipped-rows').textContent()).toContain('1 ragged row was skipped');
    // Still under review: nothing changed yet.
    expect(await activeId(page)).toBe(goodId);
    await page.context().close();
  });

  it('a file over the size limit is refused from its size alone, naming the file and the limit, and the active dataset stays', async () => {
    const { page, errors } = await openData();
    await uploadAndReview(page, ALI);
    const goodId = await useUpload(page);

    // A sparse file one byte over the limit: its size is real, its blocks are not (no disk, nothing to read).
    const huge = join(tmp, 'huge.csv');
    const fd = openSync(huge, 'w');
    ftruncateSync(fd, DEFAULT_MAX_BYTES + 1);
    closeSync(fd);
    expect(statSync(huge).size).toBe(DEFAULT_MAX_BYTES + 1);
    await page.getByTestId('dataset-file-input').setInputFiles(huge);
    const err = page.locator('[data-testid="dataset-error"][data-code="file_too_large"]');
    await err.waitFor({ timeout: 30_000 });
    const msg = (await err.textContent()) ?? '';
    expect(msg).toContain('huge.csv');
    // The file's own size (from file.size, before any byte was read), not "more than ... of text" (counted while
    // reading); one byte over the limit, so in exact bytes (rounded, both would read "1 GiB").
    expect(msg).toContain('the file is 1,073,741,825 bytes, above the limit of 1 GiB (1,073,741,824 bytes)');
    expect(msg).toMatch(/What to do:.*sample/);
    expect(await page.getByTestId('schema-table').count()).toBe(0);
    expect(await activeId(page)).toBe(goodId);
    expect(new URL(page.url()).hash).toContain(`data=${goodId}`);
    expect(await page.getByTestId('summary-rows').textContent()).toBe(String(csvColumn(ALI, 'click').length));
    expect(errors).toEqual([]);
    rmSync(huge);
    await page.context().close();
  });

  it('a label with a value of 2 is named by file, row and column; a threshold makes it usable', async () => {
    const { page } = await openData();
    const f = tmpFile('counts.csv', 'click,purchase,city\n0,0,a\n1,0,b\n1,1,a\n2,0,c\n0,1,b\n0,0,a\n');
    await uploadAndReview(page, f);
    const err = page.getByTestId('dataset-error');
    await err.waitFor();
    expect(await err.getAttribute('data-code')).toBe('label_not_binary');
    const msg = (await err.textContent()) ?? '';
    expect(msg).toContain('counts.csv, row 4');
    expect(msg).toContain("column 'click'");
    expect(await page.getByTestId('use-upload').isDisabled()).toBe(true);
    expect(await activeId(page)).toBe('shop');

    await page.getByTestId('fix-threshold-value').fill('0');
    await page.getByTestId('fix-threshold').click();
    await err.waitFor({ state: 'detached' });
    expect(await page.locator('tr[data-column="click"]').getAttribute('data-role')).toBe('label');
    expect(await page.locator('tr[data-column="click"] [data-testid="threshold-input"]').inputValue()).toBe('0');
    await useUpload(page);
    // click > 0 on rows 2, 3, 4 of 6.
    expect(await page.getByTestId('positive-rate-click').textContent()).toBe('50.0%');
    await page.context().close();
  });

  it('a task with only one class, and a file with no label, are explained with a way out', async () => {
    const { page } = await openData();
    await uploadAndReview(page, tmpFile('oneclass.csv', 'click,like,city\n0,0,a\n0,1,b\n0,0,a\n0,1,c\n'));
    const err = page.getByTestId('dataset-error');
    await err.waitFor();
    expect(await err.getAttribute('data-code')).toBe('single_class');
    expect(await err.textContent()).toContain("column 'click'");
    await page.getByTestId('fix-not-label').click();
    await err.waitFor({ state: 'detached' });
    expect(await page.locator('tr[data-column="click"]').getAttribute('data-role')).toBe('ignore');

    await uploadAndReview(page, tmpFile('nolabel.csv', 'city,score\na,0\nb,1\nc,1\n'));
    await err.waitFor();
    expect(await err.getAttribute('data-code')).toBe('no_label');
    await page.getByTestId('fix-pick-label').selectOption('score');
    await page.getByTestId('fix-pick-label-apply').click();
    await err.waitFor({ state: 'detached' });
    expect(await page.locator('tr[data-column="score"]').getAttribute('data-role')).toBe('label');
    await page.context().close();
  });

  // Seen failing with the engine's guard switched off (no warning appeared).
  it('a leaky column (a noisy copy of click) is held back with a warning naming both columns and the AUC, and can be kept on purpose', async () => {
    const rng = mulberry32(4);
    const shop = shopToCsv({ requests: 200 }).trim().split('\n');
    const click = shop[0].split(',').indexOf('click');
    const leaky = tmpFile('leaky.csv', [`${shop[0]},score`, ...shop.slice(1).map((l) => `${l},${(Number(l.split(',')[click]) + 0.3 * rng()).toFixed(3)}`)].join('\n'));
    const { page, errors } = await openData();
    await uploadAndReview(page, leaky);
    const warning = page.locator('[data-testid="leak-warning"][data-column="score"][data-label="click"]');
    await warning.waitFor();
    expect(await warning.textContent()).toMatch(/'score' alone ranks the label 'click' with AUC (0\.9[5-9]\d|1\.000)/);
    expect(await warning.getAttribute('data-state')).toBe('not a feature');
    const row = page.locator('tr[data-column="score"]');
    expect(await row.getAttribute('data-role')).toBe('ignore');
    expect(await row.getByTestId('evidence').textContent()).toMatch(/alone ranks click with AUC/);
    expect(await page.locator('tr[data-column="click"] [data-testid="evidence"]').textContent()).toMatch(/varies within requests/);
    expect(await page.getByTestId('task-order').locator('li').evaluateAll((l) => l.map((x) => x.getAttribute('data-task')))).toEqual(['click', 'cart', 'order']);
    expect(await page.getByTestId('funnel-note').textContent()).toContain('every cart is a click');
    // By default it is not a feature of the stored dataset.
    await useUpload(page);
    expect(await page.getByTestId('dataset-summary').locator('[data-feature="score"]').count()).toBe(0);
    expect(await page.getByTestId('dataset-summary').locator('[data-feature]').count()).toBeGreaterThan(3);
    // One click keeps it as a feature (the user insists); the warning then says so.
    await uploadAndReview(page, leaky);
    await warning.waitFor();
    await warning.getByTestId('leak-keep-feature').click();
    await page.waitForFunction(() => document.querySelector('tr[data-column="score"]')?.getAttribute('data-role') === 'numeric');
    expect(await warning.getAttribute('data-state')).toBe('kept as a feature');
    // A funnel stage turned into a feature by hand: the guard looks again and says what it gives away.
    await page.locator('tr[data-column="cart"] [data-testid="role-select"]').selectOption('categorical');
    const cart = page.locator('[data-testid="leak-warning"][data-column="cart"][data-label="click"]');
    await cart.waitFor();
    expect(await cart.textContent()).toMatch(/100% of the 1s of 'cart' are 1s of the label 'click'/);
    expect(await cart.getAttribute('data-state')).toBe('kept as a feature');
    expect(errors).toEqual([]);
    await page.context().close();
  });

  it('file-level problems name the file: empty, no header, unknown delimiter, not UTF-8', async () => {
    const { page } = await openData();
    const cases: [string, string | Buffer, string][] = [
      ['empty.csv', '', 'empty_file'],
      ['noheader.csv', '0,1,5\n1,0,3\n', 'no_header'],
      ['onecol.csv', 'justone\na\nb\n', 'unknown_delimiter'],
      ['latin1.csv', Buffer.concat([Buffer.from('click,city\n1,'), Buffer.from([0x4d, 0xfc, 0x6e]), Buffer.from('\n0,b\n')]), 'not_utf8'],
    ];
    for (const [name, content, code] of cases) {
      await page.getByTestId('dataset-file-input').setInputFiles(tmpFile(name, content));
      const err = page.locator(`[data-testid="dataset-error"][data-code="${code}"]`);
      await err.waitFor();
      expect(await err.textContent()).toContain(name);
      expect(await activeId(page)).toBe('shop');
    }
    await page.context().close();
  });

  it('reads gzip, and TSV with a BOM, CRLF line ends and quoted fields', async () => {
    const { page } = await openData();
    await uploadAndReview(page, tmpFile('ali.csv.gz', gzipSync(readFileSync(ALI))));
    expect(await page.getByTestId('upload-facts').textContent()).toContain('gzip-compressed');
    expect(await page.locator('tr[data-column="purchase"]').getAttribute('data-role')).toBe('label');
    await useUpload(page);
    expect(await page.getByTestId('summary-rows').textContent()).toBe(String(csvColumn(ALI, 'click').length));

    const tsv = '\uFEFFuser_id\tcity\tclick\r\nu1\t"New York, NY"\t1\r\nu2\t"say ""hi"""\t0\r\nu1\tParis\t0\r\nu3\tRome\t1\r\n';
    await uploadAndReview(page, tmpFile('bom.tsv', tsv));
    expect(await page.getByTestId('upload-facts').textContent()).toContain('tab-separated');
    expect(await page.locator('tr[data-column="user_id"]').getAttribute('data-role')).toBe('user');
    expect(await page.locator('tr[data-column="city"] .examples-cell').textContent()).toContain('New York, NY');
    expect(await page.locator('tr[data-column="click"]').getAttribute('data-role')).toBe('label');
    await page.context().close();
  });

  it('accepts a dropped file', async () => {
    const { page } = await openData();
    await page.getByTestId('dataset-drop').evaluate((el, text) => {
      const dt = new DataTransfer();
      dt.items.add(new File([text], 'dropped.csv', { type: 'text/csv' }));
      el.dispatchEvent(new DragEvent('drop', { dataTransfer: dt, bubbles: true, cancelable: true }));
    }, 'click,city\n1,a\n0,b\n1,c\n');
    await page.getByTestId('schema-table').waitFor();
    expect(await page.getByTestId('upload-facts').textContent()).toContain('dropped.csv');
    await page.context().close();
  });

  it('cancels a large parse; the active dataset stays', async () => {
    const { page } = await openData();
    const big = join(tmp, 'big.csv');
    await writeCsv(big, 600_000);
    await page.getByTestId('dataset-file-input').setInputFiles(big);
    await page.getByTestId('parse-progress').waitFor();
    await page.waitForFunction(() => Number((document.querySelector('[data-testid="parse-progress"]') as HTMLProgressElement | null)?.value) > 0);
    await page.getByTestId('parse-cancel').click();
    await page.getByTestId('parse-cancelled').waitFor({ timeout: 30_000 });
    expect(await page.getByTestId('schema-table').count()).toBe(0);
    expect(await activeId(page)).toBe('shop');
    await page.context().close();
  });

  it('privacy: after the page has loaded, uploading and storing a dataset make no network request', async () => {
    const site = inject('siteUrl');
    const { page } = await openData();
    await networkQuiet(page);
    // Watch from here on: every request the page or its workers make.
    const requests: { url: string; method: string; body: string | null }[] = [];
    page.context().on('request', (r) => requests.push({ url: r.url(), method: r.method(), body: r.postData() }));
    await uploadAndReview(page, ALI);
    await useUpload(page);
    // A rejected upload too.
    await page.getByTestId('dataset-file-input').setInputFiles(tmpFile('ragged2.csv', 'click,a\n1,x\n0,y,z\n'));
    await page.getByTestId('dataset-error').waitFor();
    // Allowed, and nothing else: blob:/data: URLs (in-memory, they never leave the machine) and GETs,
    // without a body, of the app's own static files under the site's base path: code chunks in assets/
    // and the tab icon, which Chromium re-fetches when the URL hash changes (the app writes its state
    // there). No other host, no other path (no upload endpoint, no analytics), no POST.
    const allowed = (r: (typeof requests)[number]) =>
      r.url.startsWith('blob:') ||
      r.url.startsWith('data:') ||
      (r.method === 'GET' && r.body === null && (r.url.startsWith(`${site}assets/`) || r.url === `${site}favicon.svg`));
    expect(requests.filter((r) => !allowed(r))).toEqual([]);
    // In fact no code is fetched either: the parsing worker was started when the panel opened.
    expect(requests.filter((r) => r.url.includes('/assets/'))).toEqual([]);
    await page.context().close();
  });

  it('trains on an uploaded CSV, with no network request from upload to trained step', async () => {
    const site = inject('siteUrl');
    const { page, errors } = await openData();
    await networkQuiet(page);
    const requests: { url: string; method: string; body: string | null }[] = [];
    page.context().on('request', (r) => requests.push({ url: r.url(), method: r.method(), body: r.postData() }));
    await uploadAndReview(page, ALI);
    const id = await useUpload(page);

    await page.getByTestId('tab-train').click();
    await page.getByTestId('train-step').click();
    const run = page.locator(`[data-testid="run-row"][data-step="1"]`);
    await run.waitFor({ timeout: 180_000 });
    expect(await page.getByTestId('step-counter').textContent()).toBe('1');
    expect(await page.getByTestId('train-error').count()).toBe(0);
    // The run trained on the upload (its link names the dataset, its tasks are the file's), not on the shop world.
    expect(new URL(page.url()).hash).toContain(`data=${id}`);
    await page.getByTestId('task-weight-purchase').waitFor();
    expect(await page.getByTestId('task-weights').locator('input').count()).toBe(2);
    expect(await page.getByTestId('run-error').count()).toBe(0);
    // Same rule as the privacy test above: only the app's own static files, fetched by GET, if anything.
    const allowed = (r: (typeof requests)[number]) =>
      r.url.startsWith('blob:') ||
      r.url.startsWith('data:') ||
      (r.method === 'GET' && r.body === null && (r.url.startsWith(`${site}assets/`) || r.url === `${site}favicon.svg`));
    expect(requests.filter((r) => !allowed(r))).toEqual([]);
    expect(errors).toEqual([]);
    await page.context().close();
  });

  it('a 1,000,000-row, ~100 MB file loads in the worker while the page keeps drawing', async () => {
    const { page, errors } = await openData();
    const big = join(tmp, 'million.csv');
    const bytes = await writeCsv(big, 1_000_000);
    expect(bytes).toBeGreaterThan(95e6);
    // The longest gap between animation frames while the file is read shows whether the page froze.
    await page.evaluate(() => {
      const w = window as unknown as { maxGap: number; last: number };
      w.maxGap = 0;
      w.last = performance.now();
      const tick = (t: number) => {
        w.maxGap = Math.max(w.maxGap, t - w.last);
        w.last = t;
        requestAnimationFrame(tick);
      };
      requestAnimationFrame(tick);
    });
    const t0 = Date.now();
    await page.getByTestId('dataset-file-input').setInputFiles(big);
    await page.getByTestId('schema-table').waitFor({ timeout: 240_000 });
    const parseS = (Date.now() - t0) / 1000;
    expect(await page.getByTestId('upload-facts').textContent()).toContain('1,000,000 rows');
    const t1 = Date.now();
    await useUpload(page);
    const storeS = (Date.now() - t1) / 1000;
    const maxGap = await page.evaluate(() => (window as unknown as { maxGap: number }).maxGap);
    console.log(`1M rows (${(bytes / 1e6).toFixed(0)} MB): parse+infer ${parseS.toFixed(1)} s, encode+store ${storeS.toFixed(1)} s, longest frame gap ${maxGap.toFixed(0)} ms`);
    expect(await page.getByTestId('summary-rows').textContent()).toBe('1,000,000');
    expect(maxGap).toBeLessThan(1000);
    expect(errors).toEqual([]);
    await page.context().close();
  });
});

/** A request-grouped CSV of `rows` rows (~100 bytes each), written in chunks so the test never holds it. */
async function writeCsv(path: string, rows: number): Promise<number> {
  const out = createWriteStream(path);
  let bytes = 0;
  const write = (s: string) => {
    bytes += s.length;
    return out.write(s) ? Promise.resolve() : new Promise<void>((r) => out.once('drain', () => r()));
  };
  await write('request_id,user_id,item_id,category,device,price,score,history,click,purchase\n');
  let seed = 12345;
  const rnd = () => ((seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648);
  const hist = () => Array.from({ length: 8 }, () => `i${Math.floor(rnd() * 20000)}`).join('|');
  let chunk = '';
  for (let r = 0; r < rows; r++) {
    const req = Math.floor(r / 10);
    const click = rnd() < 0.2 ? 1 : 0;
    const purchase = click && rnd() < 0.3 ? 1 : 0;
    chunk += `${req},u${req % 5000},i${Math.floor(rnd() * 20000)},c${Math.floor(rnd() * 50)},${req % 3 === 0 ? 'mobile' : 'desktop'},${(rnd() * 100).toFixed(2)},${rnd().toFixed(4)},${hist()},${click},${purchase}\n`;
    if (chunk.length > 1 << 20) {
      await write(chunk);
      chunk = '';
    }
  }
  await write(chunk);
  await new Promise<void>((r) => out.end(() => r()));
  return bytes;
}
