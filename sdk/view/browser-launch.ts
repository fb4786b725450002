// Headless Chromium for recording (and the browser tests): Debian's `chromium` driven by playwright-core, which is
// optional — only `trpo view --record` needs it. WebGL runs on SwiftShader (no GPU needed).
import { existsSync } from 'node:fs';
import type { Browser } from 'playwright-core';

export const CHROMIUM_ARGS = ['--use-gl=swiftshader', '--enable-unsafe-swiftshader', '--ignore-gpu-blocklist'];

/** TRPO_CHROMIUM, else /usr/bin/chromium; undefined when neither exists. */
export function chromiumPath(): string | undefined {
  const candidates = [process.env.TRPO_CHROMIUM, '/usr/bin/chromium', '/usr/bin/chromium-browser'];
  return candidates.find((p): p is string => p !== undefined && p !== '' && existsSync(p));
}

export async function launchChromium(): Promise<Browser> {
  const executablePath = chromiumPath();
  if (executablePath === undefined) {
    throw new Error('no Chromium found at /usr/bin/chromium: install it (`apt-get install -y chromium`) or set TRPO_CHROMIUM to its path');
  }
  let playwright: typeof import('playwright-core');
  try {
    playwright = await import('playwright-core');
  } catch {
    throw new Error('recording needs the optional package playwright-core: `npm install playwright-core`');
  }
  return playwright.chromium.launch({ executablePath, headless: true, args: CHROMIUM_ARGS });
}
