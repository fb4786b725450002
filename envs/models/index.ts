// Locates the MJCF files of the environments. The XML files live in envs/models/ and are not copied by tsc,
// so this module finds them both when it runs from the source tree (envs/models/index.ts, next to the XML)
// and when it runs from the build (dist/envs/models/index.js, three levels below the package root, which
// ships envs/models).
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** Every model the environments use; the file of model `name` is `envs/models/<name>.xml`. */
export const MODEL_NAMES = [
  'swimmer',
  'hopper',
  'walker2d_v5',
  'half_cheetah',
  'ant',
  'humanoid',
  'inverted_pendulum',
  'inverted_double_pendulum',
  'reacher',
] as const;

export type ModelName = (typeof MODEL_NAMES)[number];

const SEARCH_DIRS: readonly URL[] = [
  new URL('./', import.meta.url), // source tree: envs/models/
  new URL('../../../envs/models/', import.meta.url), // build: dist/envs/models/ → <package>/envs/models/
];

function checkName(name: string): asserts name is ModelName {
  if (!(MODEL_NAMES as readonly string[]).includes(name)) {
    throw new Error(`model name: unknown model "${name}"; use one of ${MODEL_NAMES.join(', ')}`);
  }
}

function findModelPath(name: ModelName): string | undefined {
  for (const dir of SEARCH_DIRS) {
    const path = fileURLToPath(new URL(`${name}.xml`, dir));
    if (existsSync(path)) return path;
  }
  return undefined;
}

/** True when the MJCF file of `name` is present (from the source tree or the installed package). */
export function hasModel(name: ModelName): boolean {
  checkName(name);
  return findModelPath(name) !== undefined;
}

/** Absolute path of `envs/models/<name>.xml`; throws if the name is unknown or the file is missing. */
export function modelPath(name: ModelName): string {
  checkName(name);
  const path = findModelPath(name);
  if (path === undefined) {
    const looked = SEARCH_DIRS.map((dir) => fileURLToPath(dir)).join(' and ');
    throw new Error(`model "${name}": ${name}.xml not found in ${looked}; the package must ship envs/models/`);
  }
  return path;
}

/** The MJCF text of model `name`, ready for `MjModel.from_xml_string`. */
export function loadModelXml(name: ModelName): string {
  return readFileSync(modelPath(name), 'utf8');
}
