// Reading an MJCF model from disk (Node only): the main file, and every file it names — <include>s (recursively),
// meshes, height fields, textures, skins — relative to the main file's folder and the <compiler> meshdir /
// texturedir / assetdir, as MuJoCo resolves them. The result is the text + asset map that MjcfEnv compiles
// through MuJoCo's virtual file system, and that the ONNX metadata hashes (model_sha256).
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { MjcfSource } from '../../envs/mujoco-runtime.js';

/** Elements whose `file` attribute names an asset, and the compiler directory MuJoCo looks in for each. */
const ASSET_DIRS: Record<string, 'meshdir' | 'texturedir'> = { mesh: 'meshdir', hfield: 'meshdir', skin: 'meshdir', texture: 'texturedir' };

function read(file: string, what: string): Buffer {
  try {
    return fs.readFileSync(file);
  } catch (error) {
    throw new Error(`MJCF model: cannot read ${what} ${file} (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`, { cause: error });
  }
}

/** The model at `file` (a path or file: URL) with every file it refers to, keyed as the XML names them. */
export function readMjcf(file: string | URL): MjcfSource & { assets: Record<string, Uint8Array> } {
  const main = file instanceof URL || file.startsWith('file:') ? fileURLToPath(file) : path.resolve(file);
  const root = path.dirname(main);
  const xml = read(main, 'the model file').toString('utf8');
  const compiler = /<compiler\b[^>]*>/.exec(xml)?.[0] ?? '';
  const attr = (tag: string, name: string) => new RegExp(`\\b${name}\\s*=\\s*"([^"]*)"`).exec(tag)?.[1];
  const assetdir = attr(compiler, 'assetdir') ?? '';
  const dirs = { meshdir: attr(compiler, 'meshdir') ?? assetdir, texturedir: attr(compiler, 'texturedir') ?? assetdir };
  const assets: Record<string, Uint8Array> = {};
  const visit = (text: string) => {
    for (const m of text.matchAll(/<(\w+)\b[^>]*?\bfile\s*=\s*"([^"]+)"[^>]*>/g)) {
      const [, element, name] = m;
      const dir = element === 'include' ? '' : ASSET_DIRS[element] ? dirs[ASSET_DIRS[element]] : '';
      const key = path.posix.join(dir.replaceAll('\\', '/'), name);
      if (key in assets) continue;
      const bytes = read(path.join(root, key), `<${element} file="${name}"> of ${main}:`);
      assets[key] = new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength);
      if (element === 'include') visit(bytes.toString('utf8'));
    }
  };
  visit(xml);
  return { xml, assets };
}

/**
 * sha256 of a model with its assets, hex: over the main XML's bytes, then each asset in name order as
 * `name` NUL `byte length` NUL `bytes`. The robot side recomputes it from the same files to check that a policy
 * was trained for its model (ONNX metadata key model_sha256; recipe in docs/custom-envs.md).
 */
export function modelSha256(source: MjcfSource): string {
  const hash = createHash('sha256');
  hash.update(Buffer.from(source.xml, 'utf8'));
  for (const name of Object.keys(source.assets ?? {}).sort()) {
    const data = source.assets![name];
    const bytes = typeof data === 'string' ? Buffer.from(data, 'utf8') : data;
    hash.update(`${name}\0${bytes.byteLength}\0`);
    hash.update(bytes);
  }
  return hash.digest('hex');
}
