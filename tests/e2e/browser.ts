// Headless Debian Chromium with WebGPU on (SwiftShader when there is no GPU), driven by playwright-core.
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll } from 'vitest';

export const CHROMIUM_ARGS = [
  '--headless=new',
  '--no-sandbox',
  '--enable-unsafe-webgpu',
  '--enable-features=Vulkan',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  '--disable-dev-shm-usage',
];

/** without: flags to leave out (e.g. '--enable-unsafe-webgpu' to get navigator.gpu with no adapter). */
export async function launch(opts: { without?: string[] } = {}): Promise<Browser> {
  const executablePath = process.env.CHROME_PATH ?? '/usr/bin/chromium';
  const args = CHROMIUM_ARGS.filter((a) => !opts.without?.includes(a));
  return chromium.launch({ executablePath, args, headless: true });
}

/**
 * One browser for a test file: launched before its tests (and before hooks registered after this call), closed
 * after them. Call it at the file's top level; the returned function gives the browser inside tests and hooks.
 */
export function sharedBrowser(): () => Browser {
  let browser: Browser | undefined;
  beforeAll(async () => {
    browser = await launch();
  });
  afterAll(async () => {
    await browser?.close();
  });
  return () => {
    if (!browser) throw new Error('The shared browser is not launched yet: use it inside tests and hooks');
    return browser;
  };
}

export interface OpenedPage {
  page: Page;
  /** Uncaught page errors and console errors, to assert none happened. */
  errors: string[];
}

export async function open(browser: Browser, url: string): Promise<OpenedPage> {
  const context = await browser.newContext({ acceptDownloads: true, viewport: { width: 1400, height: 1000 } });
  const page = await context.newPage();
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(`pageerror: ${e.message}`));
  page.on('console', (m) => {
    if (m.type() === 'error') errors.push(`console: ${m.text()}`);
  });
  await page.goto(url);
  return { page, errors };
}

/** Waits for the backend badge to settle and returns its text. */
export async function backendBadge(page: Page, timeout = 60_000): Promise<string> {
  const badge = page.getByTestId('backend-badge');
  await badge.and(page.locator('[data-backend]:not([data-backend=""])')).waitFor({ timeout });
  return (await badge.textContent()) ?? '';
}
