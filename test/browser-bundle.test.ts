// trpo-wasm/browser must bundle for the browser with no Node built-in anywhere in its module graph. esbuild
// bundles the shipped entry (dist/sdk/browser.js, resolved with the "browser" condition as bundlers do) and a
// plugin records every import of a Node built-in with its importer. The one allowed is MuJoCo's Emscripten
// loader's `import('module')`, which runs only under Node (ENVIRONMENT_IS_NODE) and is left external.
import { expect } from 'chai';
import { build, type Plugin } from 'esbuild';
import { builtinModules } from 'node:module';
import { fileURLToPath } from 'node:url';
// @ts-expect-error: a plain .mjs build script without types
import { browserBundleOptions } from '../../scripts/bundle-browser.mjs';

const BUILTINS = new Set(builtinModules.flatMap((name) => [name, `node:${name}`]));
const ALLOWED = [{ specifier: 'module', importer: /@mujoco[\\/]mujoco[\\/]mujoco\.js$/ }];

interface NodeImport { specifier: string; importer: string }
const INNER = Symbol('inner resolve');

async function bundle(entry: string): Promise<{ nodeImports: NodeImport[]; bytes: number; inputs: string[] }> {
  const nodeImports: NodeImport[] = [];
  const recordBuiltins: Plugin = {
    name: 'record-node-builtins',
    setup(b) {
      b.onResolve({ filter: /.*/ }, async (args) => {
        if (!BUILTINS.has(args.path) || args.pluginData === INNER) return undefined;
        // A package may map the built-in away for browsers ("browser": { "fs": false }): then it is not imported.
        const resolved = await b.resolve(args.path, { kind: args.kind, importer: args.importer, resolveDir: args.resolveDir, pluginData: INNER });
        if (resolved.errors.length === 0) return undefined; // resolved without error on the browser platform: mapped away
        nodeImports.push({ specifier: args.path, importer: args.importer });
        return { path: args.path, external: true };
      });
    },
  };
  const result = await build({
    ...(browserBundleOptions as object),
    external: [],
    entryPoints: [fileURLToPath(new URL(entry, import.meta.url))],
    write: false,
    minify: true,
    metafile: true,
    plugins: [recordBuiltins],
    loader: { '.node': 'empty' }, // native addons (onnxruntime-node) of the Node entry, the negative control
    logLevel: 'silent',
  });
  return { nodeImports, bytes: result.outputFiles[0].contents.length, inputs: Object.keys(result.metafile.inputs) };
}

const disallowed = (imports: NodeImport[]) =>
  imports.filter((i) => !ALLOWED.some((a) => a.specifier === i.specifier && a.importer.test(i.importer)));

describe('browser entry bundle (trpo-wasm/browser)', function () {
  this.timeout(120_000);

  it('bundles for the browser with no Node built-in in its module graph', async () => {
    const { nodeImports, bytes, inputs } = await bundle('../sdk/browser.js');
    expect(disallowed(nodeImports), JSON.stringify(nodeImports)).to.deep.equal([]);
    // The graph really holds the envs, the MuJoCo runtime, the policies and the loader's browser byte source.
    for (const part of ['envs/registry.js', 'envs/models/xml.generated.js', '@mujoco/mujoco/mujoco.js', 'sdk/policies/gaussian.js', 'sdk/wasm/kernel-bytes.browser.js']) {
      expect(inputs.some((input) => input.endsWith(part)), `${part} in the bundle`).to.equal(true);
    }
    expect(inputs.some((input) => input.endsWith('sdk/wasm/kernel-bytes.js')), 'the Node byte source stays out').to.equal(false);
    console.log(`      (bundle of trpo-wasm/browser: ${(bytes / 1024).toFixed(0)} kB minified, without mujoco.wasm and kernels.wasm)`);
  });

  it('would catch a Node import: the Node entry reports its node:fs, worker_threads, …', async () => {
    const { nodeImports } = await bundle('../sdk/index.js');
    const specifiers = new Set(disallowed(nodeImports).map((i) => i.specifier));
    expect([...specifiers]).to.include.members(['node:fs', 'node:worker_threads']);
  });
});
