// One MuJoCo WebAssembly instance per thread, and each model compiled once per thread: every env of that
// model shares the MjModel (read-only during simulation) and owns only its MjData.
import loadMujoco, { type MainModule, type MjModel } from '@mujoco/mujoco';
import { loadModelXml, type ModelName } from './models/index.js';

export type Mujoco = MainModule;

/** A compiled model and the constants the envs read from it (copied: model views die when the heap grows). */
export interface CompiledModel {
  readonly mj: Mujoco;
  /** The built-in model's name, or a custom model's id. */
  readonly name: string;
  readonly model: MjModel;
  readonly timestep: number;
  readonly nq: number;
  readonly nv: number;
  readonly nu: number;
  readonly nbody: number;
  readonly qpos0: Float64Array;
  /** nu × 2, row-major [low, high] per actuator. */
  readonly ctrlRange: Float64Array;
  readonly bodyMass: Float64Array;
  /** Length of the mjSTATE_INTEGRATION vector. */
  readonly integrationStateSize: number;
}

let mujocoPromise: Promise<Mujoco> | undefined;
const compiled = new Map<ModelName, CompiledModel>();

/** How the MuJoCo module finds its mujoco.wasm (Emscripten's module options); needed where it is bundled. */
export interface MujocoLoadOptions {
  /** The bytes of @mujoco/mujoco's mujoco.wasm. */
  wasmBinary?: ArrayBuffer;
  /** Maps 'mujoco.wasm' to the URL it is served at. */
  locateFile?: (path: string) => string;
}
let loadOptions: MujocoLoadOptions = {};

/** Set before the first env is made (the browser entry's init does); later calls have no effect on a loaded runtime. */
export function setMujocoLoadOptions(options: MujocoLoadOptions): void {
  loadOptions = { ...options };
}

/** The thread's MuJoCo instance (single-thread build), loaded on first use. */
export function loadMujocoRuntime(): Promise<Mujoco> {
  mujocoPromise ??= loadMujoco({ ...loadOptions } as Parameters<typeof loadMujoco>[0]).catch((error: unknown) => {
    mujocoPromise = undefined; // let a later call retry instead of caching the failure
    throw error;
  });
  return mujocoPromise;
}

export function integrationStateFlag(mj: Mujoco): number {
  return mj.mjtState.mjSTATE_INTEGRATION.value;
}

/** The MjModel of `envs/models/<name>.xml`, compiled on first use in this thread. */
export async function compileModel(name: ModelName): Promise<CompiledModel> {
  const mj = await loadMujocoRuntime();
  const cached = compiled.get(name);
  if (cached) return cached;
  const xml = loadModelXml(name);
  let model: MjModel;
  try {
    model = mj.MjModel.from_xml_string(xml);
  } catch (error) {
    throw new Error(`model "${name}": MuJoCo could not compile envs/models/${name}.xml: ${String(error)}`);
  }
  const entry = describeModel(mj, name, model);
  compiled.set(name, entry);
  return entry;
}

/** A model from MJCF text and the files it names (`<include>`s, meshes, height fields), compiled per thread. */
export interface MjcfSource {
  /** The main MJCF document. */
  readonly xml: string;
  /** File name (as the MJCF refers to it, relative to the main file) → contents. */
  readonly assets?: Readonly<Record<string, Uint8Array | string>>;
}

const compiledCustom = new Map<string, { source: MjcfSource; entry: CompiledModel }>();

/**
 * Compile a custom model; its assets go through MuJoCo's virtual file system (MjVFS), so nothing is read from
 * disk here (browser-safe). Cached per thread by `id` while the source is the same.
 */
export async function compileMjcf(id: string, source: MjcfSource): Promise<CompiledModel> {
  const mj = await loadMujocoRuntime();
  const cached = compiledCustom.get(id);
  if (cached && sameSource(cached.source, source)) return cached.entry;
  const vfs = new mj.MjVFS();
  let model: MjModel;
  try {
    const encoder = new TextEncoder();
    for (const [file, data] of Object.entries(source.assets ?? {})) vfs.addBuffer(file, typeof data === 'string' ? encoder.encode(data) : data);
    model = mj.MjModel.from_xml_string(source.xml, vfs);
  } catch (error) {
    const files = Object.keys(source.assets ?? {});
    throw new Error(
      `model "${id}": MuJoCo could not compile the MJCF: ${String(error)} (assets given: ${files.length ? files.join(', ') : 'none'}; ` +
        'every <include file>, mesh and hfield file must be among them, named as in the XML)',
      { cause: error },
    );
  } finally {
    vfs.delete();
  }
  const entry = describeModel(mj, id, model);
  compiledCustom.set(id, { source, entry });
  return entry;
}

function sameSource(a: MjcfSource, b: MjcfSource): boolean {
  if (a === b) return true;
  const ka = Object.keys(a.assets ?? {});
  return a.xml === b.xml && ka.length === Object.keys(b.assets ?? {}).length && ka.every((k) => a.assets![k] === b.assets?.[k]);
}

function describeModel(mj: Mujoco, name: string, model: MjModel): CompiledModel {
  const option = model.opt; // a fresh handle per access: read what we need and free it
  const timestep = option.timestep;
  option.delete();
  return {
    mj,
    name,
    model,
    timestep,
    nq: model.nq,
    nv: model.nv,
    nu: model.nu,
    nbody: model.nbody,
    qpos0: Float64Array.from(model.qpos0 as Float64Array),
    ctrlRange: Float64Array.from(model.actuator_ctrlrange as Float64Array),
    bodyMass: Float64Array.from(model.body_mass as Float64Array),
    integrationStateSize: mj.mj_stateSize(model, integrationStateFlag(mj)),
  };
}

/** Id of the named element, or a clear error when the model lacks it. */
export function elementId(c: CompiledModel, type: 'body' | 'site', name: string): number {
  const objType = type === 'body' ? c.mj.mjtObj.mjOBJ_BODY.value : c.mj.mjtObj.mjOBJ_SITE.value;
  const id = c.mj.mj_name2id(c.model, objType, name);
  if (id < 0) throw new Error(`model "${c.name}" has no ${type} named "${name}"`);
  return id;
}
