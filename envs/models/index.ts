// The MJCF text of the environments' models. The XML files in envs/models/ are the source; the build embeds
// them in xml.generated.ts (scripts/embed-models.mjs), so this module reads no files and runs in a browser as
// well as in Node. Finding the files on disk is Node-only: envs/models/files.ts.
import { MODEL_XML } from './xml.generated.js';

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

export function checkModelName(name: string): asserts name is ModelName {
  if (!(MODEL_NAMES as readonly string[]).includes(name)) {
    throw new Error(`model name: unknown model "${name}"; use one of ${MODEL_NAMES.join(', ')}`);
  }
}

/** The MJCF text of model `name`, ready for `MjModel.from_xml_string`. */
export function loadModelXml(name: ModelName): string {
  checkModelName(name);
  const xml = MODEL_XML[name];
  if (xml === undefined) {
    throw new Error(`model "${name}": envs/models/${name}.xml was not embedded; run \`npm run build:ts\``);
  }
  return xml;
}
