// Our MJCF models must simulate exactly as Gymnasium's: test/fixtures/gymnasium-v5-physics-fields.json lists,
// for each reference model, every numeric field of the compiled mjModel that affects the simulation (as
// MuJoCo 3.14 compiles it, rounded to 12 decimals; option fields as `opt.<name>`). The figure test
// (env-models.test.ts) checks the modelling figures; this one catches what only shows once a joint reaches its
// limit or contacts begin (joint-limit softness, joint margins, solver settings, sparse-matrix layout, …).
// Each of our nine models is compiled with the real @mujoco/mujoco and every listed field compared; a
// difference names the model, the field, the index (with the element row when the field has one per element)
// and both values.
import { expect } from 'chai';
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import loadMujoco, { type MainModule, type MjModel } from '@mujoco/mujoco';
import { MODEL_NAMES, loadModelXml, type ModelName } from '../envs/models/index.js';

type FieldValue = number | number[];
type PhysicsFields = Record<string, FieldValue>;

// The reference is rounded to 12 decimals; float32 fields (mesh vertices) and sums over many terms stay far
// inside this tolerance, while a modelling difference (a margin, a solimp term) is many orders larger.
const ABS_TOL = 1e-10;
const REL_TOL = 1e-10;

const FIXTURE_FILES = [
  new URL('../../test/fixtures/gymnasium-v5-physics-fields.json', import.meta.url), // running from dist/test/
  new URL('./fixtures/gymnasium-v5-physics-fields.json', import.meta.url), // running from test/
];
const fixtureFile = FIXTURE_FILES.map((url) => fileURLToPath(url)).find((file) => existsSync(file));
if (fixtureFile === undefined) throw new Error(`fixtures: gymnasium-v5-physics-fields.json not found from ${import.meta.url}`);
const reference = JSON.parse(readFileSync(fixtureFile, 'utf8')) as Record<string, PhysicsFields>;

/** Which element count a field's rows follow, by the field's prefix, so a failure can name the element. */
const ROW_COUNTS: ReadonlyArray<[prefix: string, count: keyof MjModel]> = [
  ['actuator_', 'nu'], ['body_', 'nbody'], ['dof_', 'nv'], ['geom_', 'ngeom'], ['jnt_', 'njnt'], ['site_', 'nsite'],
];

/** The field as a list of numbers: typed arrays, numbers, booleans and embind enums all read as numbers. */
function readField(m: MjModel, key: string): number[] | undefined {
  const holder = key.startsWith('opt.') ? (m.opt as unknown as Record<string, unknown>) : (m as unknown as Record<string, unknown>);
  const value = holder[key.startsWith('opt.') ? key.slice('opt.'.length) : key];
  if (typeof value === 'number' || typeof value === 'boolean') return [Number(value)];
  if (ArrayBuffer.isView(value)) return Array.from(value as unknown as ArrayLike<number>, Number);
  if (typeof value === 'object' && value !== null && typeof (value as { value?: unknown }).value === 'number') {
    return [(value as { value: number }).value];
  }
  return undefined;
}

/** `[i]`, or `[i] (element r, column c)` when the field has one row per element of a known kind. */
function indexLabel(m: MjModel, key: string, length: number, i: number): string {
  const rows = ROW_COUNTS.find(([prefix]) => key.startsWith(prefix));
  const count = rows === undefined ? 0 : (m[rows[1]] as number);
  if (count === 0 || length % count !== 0 || length === count) return `[${i}]`;
  const width = length / count;
  return `[${i}] (row ${Math.floor(i / width)}, column ${i % width})`;
}

/** Every difference between the compiled model and the reference fields, one message per field. */
function fieldDiffs(m: MjModel, want: PhysicsFields, model: string): string[] {
  const out: string[] = [];
  for (const [key, wanted] of Object.entries(want)) {
    const w = typeof wanted === 'number' ? [wanted] : wanted;
    const got = readField(m, key);
    if (got === undefined) {
      out.push(`${model}.${key}: not readable from the compiled model`);
    } else if (got.length !== w.length) {
      out.push(`${model}.${key}: got ${got.length} values, want ${w.length}`);
    } else {
      const bad = w.flatMap((v, i) => (Math.abs(got[i]! - v) <= ABS_TOL + REL_TOL * Math.abs(v) ? [] : [i]));
      const shown = bad.slice(0, 4).map((i) => `${indexLabel(m, key, w.length, i)}: got ${got[i]}, want ${w[i]}`);
      if (bad.length > 4) shown.push(`… ${bad.length - 4} more indices`);
      if (bad.length > 0) out.push(`${model}.${key}${shown.join('; ')}`);
    }
  }
  return out;
}

function compiledDiffs(mj: MainModule, xml: string, model: string): string[] {
  const m = mj.MjModel.from_xml_string(xml);
  try {
    return fieldDiffs(m, reference[model]!, model);
  } finally {
    m.delete();
  }
}

describe('MJCF models vs every physics field of the Gymnasium v5 models', () => {
  let mj: MainModule;
  before(async () => {
    mj = await loadMujoco();
  });

  it('has reference fields for exactly our nine models', () => {
    expect(Object.keys(reference).sort()).to.deep.equal([...MODEL_NAMES].sort());
  });

  for (const name of MODEL_NAMES) {
    it(`${name}.xml equals the reference in every listed field`, () => {
      const want = reference[name]!;
      expect(Object.keys(want).length, 'fields listed').to.be.greaterThan(300);
      const diffs = compiledDiffs(mj, loadModelXml(name as ModelName), name);
      expect(diffs, `${name}.xml differs in ${diffs.length} field(s):\n  ${diffs.join('\n  ')}`).to.deep.equal([]);
    });
  }

  // The comparison must see the differences this test was written for: each case undoes one fix in the XML.
  const undone: ReadonlyArray<{ model: ModelName; from: string; to: string; message: RegExp }> = [
    {
      model: 'half_cheetah',
      from: ' solimplimit="0 0.8 0.03"',
      to: '',
      message: /^half_cheetah\.jnt_solimp\[0\] \(row 0, column 0\): got 0\.9, want 0; \[1\] \(row 0, column 1\): got 0\.95, want 0\.8/,
    },
    {
      model: 'ant',
      from: ' margin="0.01"/>\n',
      to: '/>\n',
      message: /^ant\.jnt_margin\[0\]: got 0, want 0\.01$/,
    },
    {
      model: 'inverted_double_pendulum',
      from: 'range="-1 1" margin="0.01"',
      to: 'range="-1 1"',
      message: /^inverted_double_pendulum\.jnt_margin\[0\]: got 0, want 0\.01$/,
    },
  ];
  for (const { model, from, to, message } of undone) {
    it(`names the field, index and both values when ${model}.xml loses "${from.trim()}"`, () => {
      const xml = loadModelXml(model);
      expect(xml, 'the fix is present in the model').to.contain(from);
      const diffs = compiledDiffs(mj, xml.replace(from, to), model);
      expect(diffs).to.have.length(1);
      expect(diffs[0]).to.match(message);
    });
  }
});
