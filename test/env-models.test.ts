// Our MJCF models (envs/models/<name>.xml) must compile, with the real @mujoco/mujoco, to the figures of the
// Gymnasium v5 model of the same name: test/fixtures/gymnasium-v5/<name>.json holds those figures as
// MuJoCo 3.14 compiles the Gymnasium files (counts, options, qpos0, bodies, joints, geoms, sites, actuators).
// The test reads the compiled mjModel back into the fixture's shape and compares field by field, so every
// key of the fixture is checked and a failure names the model, the element and the field.
import { expect } from 'chai';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import loadMujoco, { type MainModule, type MjModel } from '@mujoco/mujoco';
import { hasModel, modelPath } from '../envs/models/files.js';
import { MODEL_NAMES, loadModelXml, type ModelName } from '../envs/models/index.js';

type Json = number | string | boolean | null | Json[] | { [key: string]: Json };
type Figures = { [key: string]: Json };

// The fixtures print figures rounded to 9 decimals (float32 rgba included), so a rounding error is at most
// 5e-10; real modelling differences (a radius, a position, a density) are orders of magnitude larger.
const ABS_TOL = 1e-9;
const REL_TOL = 1e-9;

const FIXTURE_DIRS = [
  new URL('../../test/fixtures/gymnasium-v5/', import.meta.url), // running from dist/test/
  new URL('./fixtures/gymnasium-v5/', import.meta.url), // running from test/
];
const fixtureDir = FIXTURE_DIRS.map((url) => fileURLToPath(url)).find((dir) => existsSync(dir));
if (fixtureDir === undefined) throw new Error(`fixtures: test/fixtures/gymnasium-v5 not found from ${import.meta.url}`);
const fixtureNames = readdirSync(fixtureDir)
  .filter((file) => file.endsWith('.json'))
  .map((file) => file.slice(0, -'.json'.length))
  .sort();

function loadFixture(name: string): Figures {
  return JSON.parse(readFileSync(`${fixtureDir}/${name}.json`, 'utf8')) as Figures;
}

// ---------------------------------------------------------------- reading a compiled model

/** Row `i` of a row-major view with `width` columns. */
function row(view: ArrayLike<number>, width: number, i: number): number[] {
  return Array.from({ length: width }, (_, k) => view[i * width + k]!);
}

/** The NUL-terminated name at `adr` in `model.names`; null for an unnamed element (empty string). */
function nameAt(names: Int8Array, adr: number): string | null {
  let end = adr;
  while (names[end] !== 0) end++;
  return end === adr ? null : new TextDecoder().decode(Uint8Array.from(names.subarray(adr, end)));
}

/** The key of an embind enum (e.g. `mjINT_RK4` in `mj.mjtIntegrator`) whose `.value` is `value`. */
function enumName(enumObject: object, value: number): string {
  for (const [key, entry] of Object.entries(enumObject)) {
    if (typeof entry === 'object' && entry !== null && (entry as { value?: unknown }).value === value) return key;
  }
  return `unknown enum value ${value}`;
}

/**
 * The compiled model in the fixture's shape. Only reads views (no wasm allocation), so the views stay valid
 * for the whole function. mj_id2name is avoided: for unnamed elements it returns garbage in this build.
 */
function extractFigures(mj: MainModule, m: MjModel): Figures {
  const names = m.names as Int8Array;
  const name = (adrs: Int32Array, i: number) => nameAt(names, adrs[i]!);
  const jointName = (j: number) => name(m.name_jntadr, j);
  const indices = (n: number) => Array.from({ length: n }, (_, i) => i);
  const opt = m.opt;
  const figures: Figures = {
    counts: {
      nq: m.nq, nv: m.nv, nu: m.nu, nbody: m.nbody, njnt: m.njnt, ngeom: m.ngeom,
      nsite: m.nsite, ntendon: m.ntendon, nexclude: m.nexclude,
    },
    option: {
      timestep: opt.timestep,
      integrator: enumName(mj.mjtIntegrator, opt.integrator),
      viscosity: opt.viscosity,
      density: opt.density,
      iterations: opt.iterations,
      solver: enumName(mj.mjtSolver, opt.solver),
      cone: enumName(mj.mjtCone, opt.cone),
      gravity: Array.from(opt.gravity as Float64Array),
    },
    qpos0: Array.from(m.qpos0 as Float64Array),
    bodies: indices(m.nbody).map((b) => ({
      name: name(m.name_bodyadr, b),
      parent: m.body_parentid[b],
      pos: row(m.body_pos, 3, b),
      quat: row(m.body_quat, 4, b),
      mass: m.body_mass[b],
      inertia: row(m.body_inertia, 3, b),
      ipos: row(m.body_ipos, 3, b),
    })),
    joints: indices(m.njnt).map((j) => ({
      name: jointName(j),
      type: enumName(mj.mjtJoint, m.jnt_type[j]),
      body: m.jnt_bodyid[j],
      pos: row(m.jnt_pos, 3, j),
      axis: row(m.jnt_axis, 3, j),
      range: row(m.jnt_range, 2, j),
      stiffness: m.jnt_stiffness[j],
      // damping and armature are per dof; every joint here has its first dof at jnt_dofadr.
      damping: m.dof_damping[m.jnt_dofadr[j]],
      armature: m.dof_armature[m.jnt_dofadr[j]],
      qposadr: m.jnt_qposadr[j],
      dofadr: m.jnt_dofadr[j],
    })),
    geoms: indices(m.ngeom).map((g) => ({
      name: name(m.name_geomadr, g),
      type: enumName(mj.mjtGeom, m.geom_type[g]),
      body: m.geom_bodyid[g],
      size: row(m.geom_size, 3, g),
      pos: row(m.geom_pos, 3, g),
      quat: row(m.geom_quat, 4, g),
      friction: row(m.geom_friction, 3, g),
      condim: m.geom_condim[g],
      contype: m.geom_contype[g],
      conaffinity: m.geom_conaffinity[g],
      margin: m.geom_margin[g],
      solref: row(m.geom_solref, 2, g),
      solimp: row(m.geom_solimp, 5, g),
      rgba: row(m.geom_rgba, 4, g),
    })),
    sites: indices(m.nsite).map((s) => ({
      name: name(m.name_siteadr, s),
      body: m.site_bodyid[s],
      pos: row(m.site_pos, 3, s),
      size: row(m.site_size, 3, s),
    })),
    actuators: indices(m.nu).map((a) => ({
      name: name(m.name_actuatoradr, a),
      joint: m.actuator_trntype[a] === mj.mjtTrn.mjTRN_JOINT.value ? jointName(m.actuator_trnid[2 * a]) : null,
      gear: m.actuator_gear[6 * a],
      ctrlrange: row(m.actuator_ctrlrange, 2, a),
    })),
  };
  return figures;
}

// ---------------------------------------------------------------- comparing figures

function close(got: number, want: number): boolean {
  return Math.abs(got - want) <= ABS_TOL + REL_TOL * Math.abs(want);
}

function show(value: unknown): string {
  return JSON.stringify(value);
}

/** `[i] "name"` for an element that has a name, `[i]` otherwise: failures name the element. */
function elementLabel(element: Json | undefined, i: number): string {
  const named = element !== null && typeof element === 'object' && !Array.isArray(element) ? element.name : null;
  return typeof named === 'string' ? `[${i}] "${named}"` : `[${i}]`;
}

/**
 * Every difference between `got` and `want` below `path`, one message per field: numbers within the
 * tolerance, strings/null/booleans exactly, arrays by length then element, objects by every key of `want`.
 * A field named `quat` matches up to sign (q and −q are the same rotation).
 */
function diffFigures(got: Json | undefined, want: Json, path: string, out: string[] = []): string[] {
  if (typeof want === 'number') {
    if (typeof got !== 'number' || !close(got, want)) out.push(`${path}: got ${show(got)}, want ${show(want)}`);
  } else if (Array.isArray(want)) {
    if (!Array.isArray(got)) {
      out.push(`${path}: got ${show(got)}, want an array`);
    } else if (path.endsWith('.quat') && want.length === 4) {
      const sameRotation = (sign: number) =>
        got.length === 4 && got.every((q, k) => typeof q === 'number' && close(sign * q, want[k] as number));
      if (!sameRotation(1) && !sameRotation(-1)) {
        out.push(`${path}: got ${show(got)}, want ${show(want)} (up to sign)`);
      }
    } else {
      if (got.length !== want.length) out.push(`${path}: got ${got.length} entries, want ${want.length}`);
      const scalar = want.every((w) => typeof w !== 'object' || w === null);
      for (let i = 0; i < Math.min(got.length, want.length); i++) {
        const label = scalar ? `[${i}]` : elementLabel(want[i], i);
        diffFigures(got[i], want[i]!, `${path}${label}`, out);
      }
    }
  } else if (want !== null && typeof want === 'object') {
    if (got === null || typeof got !== 'object' || Array.isArray(got)) {
      out.push(`${path}: got ${show(got)}, want an object`);
    } else {
      for (const key of Object.keys(want)) {
        if (!(key in got)) out.push(`${path}.${key}: not read from the model (the harness lacks this field)`);
        else diffFigures(got[key], want[key]!, `${path}.${key}`, out);
      }
    }
  } else if (got !== want) {
    out.push(`${path}: got ${show(got)}, want ${show(want)}`);
  }
  return out;
}

/**
 * Limits the fixture implies but does not list: a joint with a range is limited (and one without is not),
 * and every actuator clamps its control to ctrlrange (Gymnasium writes the action into ctrl unclipped).
 * Named accessors allocate in the wasm heap, so this runs after extractFigures and deletes each accessor.
 */
function limitDiffs(m: MjModel, want: Figures, model: string): string[] {
  const out: string[] = [];
  const joints = want.joints as Array<{ name: string; range: number[] }>;
  joints.forEach((joint, j) => {
    if (j >= m.njnt) return;
    const accessor = m.jnt(j);
    const expected = joint.range[0] !== 0 || joint.range[1] !== 0;
    if (Boolean(accessor.limited) !== expected) {
      out.push(`${model}.joints[${j}] "${joint.name}".limited: got ${accessor.limited}, want ${expected}`);
    }
    accessor.delete();
  });
  for (let a = 0; a < m.nu; a++) {
    const accessor = m.actuator(a);
    if (!accessor.ctrllimited) out.push(`${model}.actuators[${a}].ctrllimited: got false, want true`);
    accessor.delete();
  }
  return out;
}

function report(model: string, diffs: string[]): string {
  const shown = diffs.slice(0, 40).join('\n  ');
  const more = diffs.length > 40 ? `\n  … and ${diffs.length - 40} more` : '';
  return `${model}.xml differs from its Gymnasium v5 fixture in ${diffs.length} figure(s):\n  ${shown}${more}`;
}

// ---------------------------------------------------------------- tests

describe('MJCF models vs the Gymnasium v5 figures', () => {
  let mj: MainModule;
  before(async () => {
    mj = await loadMujoco();
  });

  it('has a fixture for every model name and a model name for every fixture', () => {
    expect(fixtureNames).to.deep.equal([...MODEL_NAMES].sort());
  });

  for (const name of fixtureNames) {
    it(`${name}.xml compiles to the figures of ${name}.json`, function () {
      if (!hasModel(name as ModelName)) this.skip(); // the model is written by another helper, not yet present
      const want = loadFixture(name);
      const model = mj.MjModel.from_xml_string(loadModelXml(name as ModelName));
      try {
        const diffs = diffFigures(extractFigures(mj, model), want, name);
        diffs.push(...limitDiffs(model, want, name));
        expect(diffs, report(name, diffs)).to.have.length(0);
      } finally {
        model.delete();
      }
    });
  }

  describe('the figure comparison', () => {
    const fixture = loadFixture('inverted_pendulum');
    const copy = () => JSON.parse(JSON.stringify(fixture)) as Figures;
    const geoms = (f: Figures) => f.geoms as Array<{ [key: string]: number[] }>;

    it('accepts identical figures, rounding below the tolerance, and quaternions of either sign', () => {
      const got = copy();
      geoms(got)[2]!.size![0]! += 4e-10;
      geoms(got)[2]!.quat = geoms(got)[2]!.quat!.map((q) => -q);
      expect(diffFigures(got, fixture, 'm')).to.deep.equal([]);
    });

    it('names the model, element and field of each difference', () => {
      const got = copy();
      geoms(got)[2]!.size![0]! += 1e-6;
      geoms(got)[1]!.quat = [1, 0, 0, 0];
      (got.joints as Array<{ [key: string]: Json }>)[0]!.type = 'mjJNT_HINGE';
      (got.bodies as Json[]).pop();
      expect(diffFigures(got, fixture, 'inverted_pendulum')).to.deep.equal([
        'inverted_pendulum.bodies: got 2 entries, want 3',
        'inverted_pendulum.joints[0] "slider".type: got "mjJNT_HINGE", want "mjJNT_SLIDE"',
        'inverted_pendulum.geoms[1] "cart".quat: got [1,0,0,0], want [0.707106781,0,0.707106781,0] (up to sign)',
        'inverted_pendulum.geoms[2] "cpole".size[0]: got 0.049001, want 0.049',
      ]);
    });

    it('reports a fixture field the harness does not read', () => {
      const want = copy();
      (want.option as { [key: string]: Json }).impratio = 1;
      const got = copy();
      expect(diffFigures(got, want, 'm')).to.deep.equal([
        'm.option.impratio: not read from the model (the harness lacks this field)',
      ]);
    });
  });

  describe('model files', () => {
    it('resolves a model to its XML file', () => {
      expect(modelPath('inverted_pendulum')).to.match(/envs[\\/]models[\\/]inverted_pendulum\.xml$/);
      expect(loadModelXml('inverted_pendulum')).to.contain('<mujoco model="inverted_pendulum">');
    });

    it('embeds the text of every XML file as it is on disk (the envs read no files)', () => {
      for (const name of MODEL_NAMES) {
        expect(loadModelXml(name), `${name}.xml is embedded stale: rebuild`).to.equal(readFileSync(modelPath(name), 'utf8'));
      }
    });

    it('rejects an unknown model name, listing the known ones', () => {
      expect(() => modelPath('cartpole' as ModelName)).to.throw(/unknown model "cartpole".*inverted_pendulum/);
      expect(() => loadModelXml('cartpole' as ModelName)).to.throw(/unknown model "cartpole".*inverted_pendulum/);
    });
  });
});
