// Node: the bytes of build/kernels.wasm, read synchronously from the package (the loader compiles them on the
// first kernels() call). The browser build resolves #kernel-bytes to kernel-bytes.browser.ts instead.
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export function readKernelBytes(): Uint8Array {
  return readFileSync(locateWasm());
}

/** build/kernels.wasm of this package: the first `build/kernels.wasm` found walking up from this file. */
function locateWasm(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let depth = 0; depth < 5; depth++) {
    const candidate = join(dir, 'build', 'kernels.wasm');
    if (existsSync(candidate)) return candidate;
    dir = dirname(dir);
  }
  throw new Error('trpo-wasm: build/kernels.wasm not found above ' +
    `${dirname(fileURLToPath(import.meta.url))}; run \`npm run build:wasm\` in the package root`);
}
