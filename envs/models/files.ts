// Node-only: where the MJCF files of the environments are on disk (the environments themselves use the
// embedded text of envs/models/index.ts). They live in envs/models/ and are not copied by tsc, so this finds
// them both from the source tree (envs/models/files.ts, next to the XML) and from the build
// (dist/envs/models/files.js, three levels below the package root, which ships envs/models).
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { checkModelName, type ModelName } from './index.js';

const SEARCH_DIRS: readonly URL[] = [
  new URL('./', import.meta.url), // source tree: envs/models/
  new URL('../../../envs/models/', import.meta.url), // build: dist/envs/models/ → <package>/envs/models/
];

function findModelPath(name: ModelName): string | undefined {
  for (const dir of SEARCH_DIRS) {
    const path = fileURLToPath(new URL(`${name}.xml`, dir));
    if (existsSync(path)) return path;
  }
  return undefined;
}

/** True when the MJCF file of `name` is present (from the source tree or the installed package). */
export function hasModel(name: ModelName): boolean {
  checkModelName(name);
  return findModelPath(name) !== undefined;
}

/** Absolute path of `envs/models/<name>.xml`; throws if the name is unknown or the file is missing. */
export function modelPath(name: ModelName): string {
  checkModelName(name);
  const path = findModelPath(name);
  if (path === undefined) {
    const looked = SEARCH_DIRS.map((dir) => fileURLToPath(dir)).join(' and ');
    throw new Error(`model "${name}": ${name}.xml not found in ${looked}; the package must ship envs/models/`);
  }
  return path;
}
