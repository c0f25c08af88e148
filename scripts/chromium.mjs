// Where Chromium is, and the environment that lets Dawn (the `webgpu` npm package) use its SwiftShader.
import { existsSync } from 'node:fs';

const CANDIDATES = ['/usr/bin/chromium', '/usr/bin/chromium-browser', '/usr/bin/google-chrome', '/usr/bin/google-chrome-stable'];

/** CHROME_PATH wins; otherwise the usual Debian/Ubuntu/Chrome locations. */
export function findChromium() {
  const fromEnv = process.env.CHROME_PATH;
  if (fromEnv) {
    if (!existsSync(fromEnv)) throw new Error(`CHROME_PATH=${fromEnv} does not exist`);
    return fromEnv;
  }
  return CANDIDATES.find((p) => existsSync(p)) ?? null;
}

/** SwiftShader's Vulkan ICD ships with Debian's chromium; Dawn in Node finds it through VK_ICD_FILENAMES. */
export function chromiumEnv(chrome) {
  const env = { CHROME_PATH: chrome };
  const icd = '/usr/lib/chromium/vk_swiftshader_icd.json';
  if (!process.env.VK_ICD_FILENAMES && existsSync(icd)) env.VK_ICD_FILENAMES = icd;
  if (!process.env.XDG_RUNTIME_DIR) env.XDG_RUNTIME_DIR = '/tmp';
  return env;
}
