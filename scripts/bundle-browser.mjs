// Bundles the `trpo view` page (viewer/main.ts with three.js and the package's browser entry) into
// dist/viewer/, next to its index.html. Run by `npm run build:ts` after tsc; esbuild is a devDependency because
// only this build step needs it: the package ships the bundle.
import { build } from 'esbuild';
import { copyFileSync, mkdirSync } from 'node:fs';

/**
 * esbuild options for a browser bundle of our code. MuJoCo's Emscripten loader has one `import('module')`,
 * reached only when it runs under Node (ENVIRONMENT_IS_NODE); it is left external so the browser never loads it.
 */
export const browserBundleOptions = {
  bundle: true,
  platform: 'browser',
  format: 'esm',
  target: 'es2022',
  external: ['module'],
  logLevel: 'warning',
};

export async function bundleViewer(outDir = 'dist/viewer') {
  mkdirSync(outDir, { recursive: true });
  const result = await build({
    ...browserBundleOptions,
    entryPoints: ['viewer/main.ts'],
    outfile: `${outDir}/viewer.js`,
    minify: true,
    sourcemap: true,
    metafile: true,
  });
  copyFileSync('viewer/index.html', `${outDir}/index.html`);
  return result;
}

if (import.meta.url === `file://${process.argv[1]}`) await bundleViewer();
