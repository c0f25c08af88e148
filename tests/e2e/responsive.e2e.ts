// The page stays responsive while a run trains in the worker: a sustained run (PHASE_MS in each of the three
// chart views: curves, seesaw, gradients) with the live charts on screen, while the page records every
// main-thread long task (PerformanceObserver 'longtask'), how late a 20 ms timer fires (event-loop jitter), the
// longest gap between animation frames, and how long the clicks on the view tabs took (Event Timing). On the
// wasm backend (the worker computes on its own thread, no GPU process competes) and on WebGPU (SwiftShader when
// the machine has no GPU). Each backend in a fresh browser context, so each starts with an empty IndexedDB.
import { describe, expect, inject, it } from 'vitest';
import type { Page } from 'playwright-core';
import { cpus, loadavg } from 'node:os';
import { backendBadge, open, sharedBrowser } from './browser';

/** Time spent training in each chart view. */
const PHASE_MS = Number(process.env.E2E_RESPONSIVE_PHASE_MS ?? 8000);
const VIEWS = ['curves', 'seesaw', 'gradients'] as const;
/** A tiny model and shop world with a step budget it never reaches: the test pauses it after the three phases. */
const TINY =
  'd=8&layers=1&heads=1&batchSize=8&historyLen=4&maxCandidates=4&steps=100000&evalEvery=10&probeEvery=10' +
  '&shop.requests=200&shop.users=50&shop.items=40&shop.candidates=4';
/** The bar of the issue: no main-thread task over 50 ms. */
const FRAME_BUDGET_MS = 50;

/**
 * Whether the page had a core to itself: the 1-minute load average is below the core count. Only then does a
 * task's wall time measure the page. This box has 2 cores shared with the worker, the GPU process (SwiftShader
 * runs shaders on the CPU) and whatever else runs; oversubscribed (seen: load 6 to 9 on 2 cores, other test
 * suites running), the OS parks the page's thread mid-task for hundreds of ms while it runs others: tasks of
 * 1-10 ms of CPU measured 200-600 ms of wall time. Read when the run ends (it averages the last minute).
 */
const quiet = () => loadavg()[0] < cpus().length;

/** What the page recorded while the run trained (see installProbes). */
interface Probes {
  longTasks: { start: number; duration: number; attribution: string }[];
  /** Worst lateness of the 20 ms interval timer, and how many ticks were over 50 ms late. */
  timerLateMax: number;
  timerLateOver50: number;
  ticks: number;
  /** Longest gap between two animation frames. */
  frameGapMax: number;
  frames: number;
  /** Event Timing durations (input delay + handlers + next paint) of clicks. */
  clicks: number[];
  elapsed: number;
}

declare global {
  interface Window {
    __responsive?: { stop(): Probes };
  }
}

/** Starts the main-thread probes in the page; window.__responsive.stop() ends them and returns what they saw. */
async function installProbes(page: Page) {
  await page.evaluate(() => {
    const t0 = performance.now();
    const p: Probes = { longTasks: [], timerLateMax: 0, timerLateOver50: 0, ticks: 0, frameGapMax: 0, frames: 0, clicks: [], elapsed: 0 };
    const longTasks = new PerformanceObserver((list) => {
      for (const e of list.getEntries()) {
        const a = (e as PerformanceEntry & { attribution?: { containerType?: string; containerName?: string; name?: string }[] }).attribution?.[0];
        p.longTasks.push({ start: e.startTime - t0, duration: e.duration, attribution: a ? `${e.name}/${a.name ?? ''}/${a.containerType ?? ''}` : e.name });
      }
    });
    longTasks.observe({ type: 'longtask' });
    const events = new PerformanceObserver((list) => {
      for (const e of list.getEntries()) if (e.name === 'click' || e.name === 'pointerdown' || e.name === 'pointerup') p.clicks.push(e.duration);
    });
    events.observe({ type: 'event', durationThreshold: 16 } as PerformanceObserverInit);
    const TICK = 20;
    let last = performance.now();
    const timer = setInterval(() => {
      const now = performance.now();
      const late = now - last - TICK;
      last = now;
      p.ticks++;
      p.timerLateMax = Math.max(p.timerLateMax, late);
      if (late > 50) p.timerLateOver50++;
    }, TICK);
    let lastFrame = performance.now();
    let raf = 0;
    const frame = (now: number) => {
      p.frameGapMax = Math.max(p.frameGapMax, now - lastFrame);
      p.frames++;
      lastFrame = now;
      raf = requestAnimationFrame(frame);
    };
    raf = requestAnimationFrame(frame);
    window.__responsive = {
      stop() {
        // Entries still queued in the observers count too.
        longTasks.takeRecords().forEach((e) => p.longTasks.push({ start: e.startTime - t0, duration: e.duration, attribution: e.name }));
        longTasks.disconnect();
        events.disconnect();
        clearInterval(timer);
        cancelAnimationFrame(raf);
        p.elapsed = performance.now() - t0;
        return p;
      },
    };
  });
}

const activeRun = (page: Page) =>
  page.evaluate(() => {
    const r = window.__playground!.runs().at(-1);
    return r ? { id: r.id, status: r.status, step: r.step, evals: r.history.evals.length, probes: r.history.probes.length } : null;
  });

/** Data points of one series as the chart's data list states it (0 when the chart is not shown). */
async function seriesPoints(page: Page, chart: string, series: string): Promise<number> {
  const li = page.locator(`[data-testid="${chart}"] li[data-series="${series}"]`);
  return (await li.count()) ? Number(await li.getAttribute('data-points')) : 0;
}

interface TraceEvent {
  name: string;
  ph: string;
  pid: number;
  tid: number;
  ts: number;
  dur?: number;
  /** Thread (CPU) time of the event, where the trace has it. */
  tdur?: number;
  args?: { name?: string };
}

/** One task of the page's main thread: wall time, and the CPU time the thread really ran (both in ms). */
interface MainThreadTask {
  wall: number;
  cpu: number;
}

/**
 * The page's main-thread tasks from a Chromium trace. A task's wall time is what a 'longtask' entry reports;
 * its thread time is the page's own work. On an oversubscribed machine the two differ: the OS runs other
 * processes (the worker, the GPU process, other tests) in the middle of a task, and the wall time grows with
 * work that is not the page's.
 */
function mainThreadTasks(trace: Buffer): MainThreadTask[] {
  const events = (JSON.parse(trace.toString('utf8')) as { traceEvents: TraceEvent[] }).traceEvents;
  const isTask = (e: TraceEvent) => e.ph === 'X' && (e.name === 'ThreadControllerImpl::RunTask' || e.name === 'RunTask');
  // The renderer main thread with the most tasks is the page's (other renderers are idle or gone).
  const mains = events.filter((e) => e.name === 'thread_name' && e.args?.name === 'CrRendererMain');
  const count = (m: TraceEvent) => events.filter((e) => e.pid === m.pid && e.tid === m.tid && isTask(e)).length;
  const main = mains.reduce<TraceEvent | null>((best, m) => (best && count(best) >= count(m) ? best : m), null);
  if (!main) throw new Error('The trace has no renderer main thread');
  const tasks = events.filter((e) => e.pid === main.pid && e.tid === main.tid && isTask(e)).sort((a, b) => a.ts - b.ts);
  const out: MainThreadTask[] = [];
  let end = -Infinity;
  for (const t of tasks) {
    // Nested tasks (a nested run loop) belong to the task around them.
    if (t.ts < end) continue;
    end = t.ts + (t.dur ?? 0);
    out.push({ wall: (t.dur ?? 0) / 1000, cpu: (t.tdur ?? t.dur ?? 0) / 1000 });
  }
  return out;
}

/** Trains for three phases (one per chart view) and returns what the probes saw, with the run's step count. */
async function trainAndProbe(page: Page) {
  const browser = page.context().browser()!;
  await browser.startTracing(page, { categories: ['disabled-by-default-devtools.timeline', 'devtools.timeline'] });
  await installProbes(page);
  await page.getByTestId('train-start').click();
  // The phases start with the first step done (on WebGPU: the shaders compiled); the probes watch that too.
  await page.waitForFunction(() => (window.__playground?.runs().at(-1)?.step ?? 0) >= 1, null, { timeout: 240_000 });
  const seen: Record<string, { steps: number; chartPoints: number }> = {};
  for (const view of VIEWS) {
    if (view !== 'curves') await page.getByTestId(`chart-view-${view}`).click();
    await page.waitForTimeout(PHASE_MS);
    const run = (await activeRun(page))!;
    // The charts on screen hold the run's history (they are live, not frozen): at most one notification behind.
    const chartPoints =
      view === 'curves'
        ? await seriesPoints(page, 'loss-chart', `${run.id}:click:train`)
        : view === 'seesaw'
          ? await seriesPoints(page, 'seesaw-chart', `${run.id}:click:relative`)
          : await seriesPoints(page, 'grad-conflict-chart', `${run.id}:click:flow-own`);
    seen[view] = { steps: run.step, chartPoints };
  }
  await page.getByTestId('train-pause').click();
  const probes = await page.evaluate(() => window.__responsive!.stop());
  const tasks = mainThreadTasks(await browser.stopTracing());
  await page.waitForFunction(() => window.__playground!.runs().every((r) => r.status !== 'training'), null, { timeout: 120_000 });
  return { probes, tasks, seen, run: (await activeRun(page))! };
}

function report(label: string, r: Awaited<ReturnType<typeof trainAndProbe>>) {
  const { probes: p } = r;
  const worst = Math.max(0, ...p.longTasks.map((t) => t.duration));
  const load = loadavg().map((l) => l.toFixed(2)).join(' ');
  const cpuWorst = Math.max(0, ...r.tasks.map((t) => t.cpu));
  const cpuTotal = r.tasks.reduce((s, t) => s + t.cpu, 0);
  const long = r.tasks.filter((t) => t.wall > FRAME_BUDGET_MS);
  console.log(
    `[responsive:${label}] ${(p.elapsed / 1000).toFixed(1)} s, ${r.run.step} steps, ${r.run.evals} evals, ${r.run.probes} probes; ` +
      `long tasks: ${p.longTasks.length}, worst ${worst.toFixed(0)} ms [${p.longTasks.map((t) => `${t.duration.toFixed(0)}@${(t.start / 1000).toFixed(1)}s`).join(' ')}]; ` +
      `timer late max ${p.timerLateMax.toFixed(0)} ms (${p.timerLateOver50}/${p.ticks} ticks > 50 ms); frame gap max ${p.frameGapMax.toFixed(0)} ms (${p.frames} frames); ` +
      `main-thread CPU: worst task ${cpuWorst.toFixed(1)} ms, total ${cpuTotal.toFixed(0)} ms (${((cpuTotal / p.elapsed) * 100).toFixed(1)}%); ` +
      `traced tasks over ${FRAME_BUDGET_MS} ms wall (wall/cpu): ${long.map((t) => `${t.wall.toFixed(0)}/${t.cpu.toFixed(0)}`).join(' ')}; ` +
      `clicks ${p.clicks.map((c) => c.toFixed(0)).join('/')} ms; per view ${JSON.stringify(r.seen)}; load average ${load}`,
  );
  return { worst, cpuWorst };
}

const browser = sharedBrowser();

describe('the page stays responsive while training', () => {
  it('wasm: a sustained run with live charts in every view has no main-thread task over 50 ms', async () => {
    const { page, errors } = await open(browser(), `${inject('siteUrl')}?backend=wasm#${TINY}`);
    try {
      await backendBadge(page);
      expect(await page.getByTestId('backend-badge').getAttribute('data-backend')).toBe('wasm');
      const r = await trainAndProbe(page);
      const { worst, cpuWorst } = report('wasm', r);
      // It trained for real, and the charts on screen followed it.
      expect(r.run.step).toBeGreaterThanOrEqual(60);
      expect(r.run.evals).toBeGreaterThanOrEqual(4);
      expect(r.seen.curves.chartPoints).toBeGreaterThan(r.seen.curves.steps / 2);
      expect(r.seen.seesaw.chartPoints).toBeGreaterThan(1);
      expect(r.seen.gradients.chartPoints).toBeGreaterThan(1);
      expect(r.probes.ticks).toBeGreaterThan((r.probes.elapsed / 20) * 0.5);
      // The worker computes on its own thread: what is left on the page's thread (drawing, bookkeeping, the
      // view switches) never takes more than 50 ms of CPU in one task, however busy the machine is.
      expect(cpuWorst).toBeLessThanOrEqual(FRAME_BUDGET_MS);
      // And in wall time, the 'longtask' entries, whenever the machine leaves the page a core (see quiet()).
      if (quiet()) expect(worst).toBeLessThanOrEqual(FRAME_BUDGET_MS);
      expect(errors).toEqual([]);
    } finally {
      await page.context().close();
    }
  });

  it('webgpu: the same run keeps the page responsive', async () => {
    const { page, errors } = await open(browser(), `${inject('siteUrl')}?backend=webgpu#${TINY}`);
    try {
      const badge = await backendBadge(page);
      expect(await page.getByTestId('backend-badge').getAttribute('data-backend')).toBe('webgpu');
      const software = /\(software\)/.test(badge);
      const r = await trainAndProbe(page);
      const { worst, cpuWorst } = report(`webgpu${software ? ' (software)' : ''}`, r);
      expect(r.run.step).toBeGreaterThanOrEqual(3);
      expect(r.seen.curves.chartPoints).toBeGreaterThan(0);
      // The page's own work stays under 50 ms of CPU per task, as on wasm.
      expect(cpuWorst).toBeLessThanOrEqual(FRAME_BUDGET_MS);
      // Wall time: with a real GPU the shaders run elsewhere and the 50 ms bar holds as on wasm. With SwiftShader
      // the "GPU" is the same CPU cores as the page, so the GPU process's shader work parks the page's thread
      // even on an otherwise idle machine (seen: 50-600 ms tasks of 1-10 ms of CPU); there only the CPU
      // bound above is the page's to keep.
      if (!software && quiet()) expect(worst).toBeLessThanOrEqual(FRAME_BUDGET_MS);
      expect(errors).toEqual([]);
    } finally {
      await page.context().close();
    }
  });
});
