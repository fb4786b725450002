// Browser: there are no files to read synchronously, and browsers refuse to compile a module of this size
// synchronously on the main thread, so the kernels must have been compiled asynchronously (loadKernels) before
// the first kernels() call. Reaching this function means that did not happen.
export function readKernelBytes(): Uint8Array {
  throw new Error(
    'trpo-wasm: the wasm kernels are not loaded; in a browser call `await init({ kernelsWasm })` from ' +
      "'trpo-wasm/browser' (or `await loadKernels(urlOrBytes)`) before creating policies",
  );
}
