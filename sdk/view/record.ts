// `trpo view --record out.webm`: the viewer page plays `episodes` deterministic episodes in headless Chromium
// while a MediaRecorder captures its canvas; the WebM comes back to Node and is written without overwriting.
import { writeFile } from 'node:fs/promises';
import { launchChromium } from './browser-launch.js';

/** Page-side condition: the viewer is up (window.trpoViewer) or has shown its error. */
export const VIEWER_READY = "'trpoViewer' in window || document.getElementById('status').textContent.startsWith('error')";

export interface RecordResult {
  episodes: number;
  frames: number;
  returns: number[];
}

export async function recordEpisodes(url: string, outPath: string, { episodes }: { episodes: number }): Promise<RecordResult> {
  const browser = await launchChromium();
  try {
    const page = await browser.newPage({ viewport: { width: 960, height: 640 } });
    const errors: string[] = [];
    page.on('pageerror', (error) => errors.push(error.message));
    page.on('console', (message) => { if (message.type() === 'error') errors.push(message.text()); });
    await page.goto(url);
    await page.waitForFunction(VIEWER_READY, null, { timeout: 60_000 });
    if (errors.length > 0) throw new Error(`the viewer page failed: ${errors.join('; ')}`);
    const result = await page.evaluate(async (n) => {
      const viewer = (globalThis as unknown as { trpoViewer: { record(n: number): Promise<{ video: string; frames: number; returns: number[] }> } }).trpoViewer;
      return viewer.record(n);
    }, episodes);
    const bytes = Buffer.from(result.video, 'base64');
    if (bytes.length === 0) throw new Error('the recording is empty (MediaRecorder gave no data)');
    await writeFile(outPath, bytes, { flag: 'wx' }).catch((error: NodeJS.ErrnoException) => {
      throw error.code === 'EEXIST' ? new Error(`--record ${outPath}: the file exists; choose another name (nothing is overwritten)`) : error;
    });
    return { episodes, frames: result.frames, returns: result.returns };
  } finally {
    await browser.close();
  }
}
