import { expect } from 'chai';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import {
  CheckpointError,
  listCheckpoints,
  readCheckpoint,
  resolveCheckpointDir,
  saveCheckpoint,
  writeCheckpoint,
  type CheckpointData,
} from '../sdk/run/checkpoint.js';
import { Rng } from '../sdk/rng.js';

function sampleData(iteration = 12): CheckpointData {
  const rng = new Rng(iteration);
  const policy = new Float64Array(1000);
  rng.fillNormal(policy);
  // Values whose bits a careless encoder would lose.
  policy.set([-0, Number.MIN_VALUE, Number.MAX_VALUE, Infinity, -Infinity, 1 / 3, NaN], 0);
  return {
    iteration,
    timesteps: iteration * 2048,
    json: { config: { env: 'Hopper-v5', targetKl: 0.01, policyHiddenSizes: [64, 64] }, rng: { states: [[1, 2, 3, 4, 0, 0]] } },
    arrays: { policy, value: new Float64Array([0.5, -2.25]), empty: new Float64Array(0) },
  };
}

function bits(a: Float64Array): string {
  return Buffer.from(a.buffer, a.byteOffset, a.byteLength).toString('hex');
}

async function expectCheckpointError(promise: Promise<unknown>, file: RegExp, message: RegExp): Promise<CheckpointError> {
  try {
    await promise;
  } catch (error) {
    expect(error).to.be.instanceOf(CheckpointError);
    const e = error as CheckpointError;
    expect(e.file).to.match(file);
    expect(e.message).to.match(message);
    return e;
  }
  throw new Error('expected a CheckpointError');
}

describe('checkpoints', () => {
  let root: string;
  beforeEach(() => { root = fs.mkdtempSync(path.join(os.tmpdir(), 'trpo-ckpt-')); });
  afterEach(() => fs.rmSync(root, { recursive: true, force: true }));

  it('round-trips bit-exactly with a manifest of lengths and sha256', async () => {
    const data = sampleData();
    const dir = path.join(root, 'a');
    const manifest = await writeCheckpoint(dir, data);
    expect(manifest.iteration).to.equal(12);
    expect(manifest.files['policy.f64'].bytes).to.equal(8000);
    expect(fs.readdirSync(dir).sort()).to.deep.equal(['config.json', 'empty.f64', 'manifest.json', 'policy.f64', 'rng.json', 'value.f64']);
    const back = await readCheckpoint(dir);
    expect(back.manifest.timesteps).to.equal(12 * 2048);
    expect(back.json).to.deep.equal(data.json);
    for (const name of Object.keys(data.arrays)) expect(bits(back.arrays[name])).to.equal(bits(data.arrays[name]));
  });

  // Each case damages a written checkpoint; the error must name the file and say what is wrong.
  const damages: Array<{ name: string; damage: (dir: string) => void; file: RegExp; message: RegExp }> = [
    {
      name: 'a flipped byte',
      damage: (dir) => { const p = path.join(dir, 'policy.f64'); const b = fs.readFileSync(p); b[4000] ^= 0x01; fs.writeFileSync(p, b); },
      file: /policy\.f64$/, message: /is corrupt: its sha256 does not match manifest\.json/,
    },
    {
      name: 'a truncated payload',
      damage: (dir) => fs.truncateSync(path.join(dir, 'policy.f64'), 4096),
      file: /policy\.f64$/, message: /is truncated: 4096 bytes, manifest\.json says 8000/,
    },
    {
      name: 'a missing payload',
      damage: (dir) => fs.rmSync(path.join(dir, 'config.json')),
      file: /config\.json$/, message: /is missing \(listed in manifest\.json\)/,
    },
    {
      name: 'a missing manifest',
      damage: (dir) => fs.rmSync(path.join(dir, 'manifest.json')),
      file: /manifest\.json$/, message: /is missing, so the checkpoint is incomplete/,
    },
    {
      name: 'a truncated manifest',
      damage: (dir) => fs.truncateSync(path.join(dir, 'manifest.json'), 50),
      file: /manifest\.json$/, message: /is not valid JSON/,
    },
    {
      name: 'a manifest with a wrong field',
      damage: (dir) => {
        const p = path.join(dir, 'manifest.json');
        fs.writeFileSync(p, JSON.stringify({ ...JSON.parse(fs.readFileSync(p, 'utf8')), iteration: -3 }));
      },
      file: /manifest\.json$/, message: /is not a valid manifest: iteration/,
    },
  ];
  for (const { name, damage, file, message } of damages) {
    it(`refuses ${name}, pointing to an earlier checkpoint`, async () => {
      await saveCheckpoint(root, sampleData(10));
      const dir = await saveCheckpoint(root, sampleData(12));
      damage(dir);
      const error = await expectCheckpointError(readCheckpoint(dir), file, message);
      expect(error.message).to.include(`Use an earlier checkpoint in ${root}/ (000010)`);
    });
  }

  it('says so when there is no earlier checkpoint to fall back to', async () => {
    const dir = await saveCheckpoint(root, sampleData(3));
    fs.truncateSync(path.join(dir, 'value.f64'), 3);
    await expectCheckpointError(readCheckpoint(dir), /value\.f64$/, /No earlier checkpoint in .*: start the run again/);
  });

  it('ignores an interrupted write: temp files and a folder without manifest', async () => {
    await saveCheckpoint(root, sampleData(4));
    // Simulate a crash while writing checkpoint 6: payload temp files, no manifest.
    const partial = path.join(root, '000006');
    fs.mkdirSync(partial);
    fs.writeFileSync(path.join(partial, 'policy.f64.tmp-999-0'), 'garbage');
    fs.writeFileSync(path.join(partial, 'config.json'), '{}');
    fs.writeFileSync(path.join(root, '000004', 'value.f64.tmp-999-1'), 'garbage'); // stray temp beside a good one
    expect((await listCheckpoints(root)).map((c) => c.iteration)).to.deep.equal([4]);
    const dir = await resolveCheckpointDir(root);
    expect(dir).to.equal(path.join(root, '000004'));
    expect((await readCheckpoint(dir as string)).manifest.iteration).to.equal(4);
    // Rewriting checkpoint 6 over the partial folder gives a complete, clean one.
    const redone = await saveCheckpoint(root, sampleData(6));
    expect(fs.readdirSync(redone).some((f) => f.includes('.tmp-'))).to.equal(false);
    expect((await readCheckpoint(redone)).manifest.iteration).to.equal(6);
  });

  it('keeps the last K, moves `latest`, and drops checkpoints of an abandoned continuation', async () => {
    for (const it of [1, 2, 3, 4, 5]) await saveCheckpoint(root, sampleData(it), { keep: 3 });
    expect((await listCheckpoints(root)).map((c) => c.iteration)).to.deep.equal([3, 4, 5]);
    expect(fs.readFileSync(path.join(root, 'latest'), 'utf8').trim()).to.equal('000005');
    // Resumed from 3: saving 4 again replaces the old 4 and removes 5.
    await saveCheckpoint(root, sampleData(4), { keep: 3 });
    expect((await listCheckpoints(root)).map((c) => c.iteration)).to.deep.equal([3, 4]);
    expect(await resolveCheckpointDir(root)).to.equal(path.join(root, '000004'));
  });

  it('resolves a run folder, a checkpoint root or a checkpoint folder; a stale pointer falls back', async () => {
    const run = path.join(root, 'run');
    const checkpoints = path.join(run, 'checkpoints');
    await saveCheckpoint(checkpoints, sampleData(7));
    await saveCheckpoint(checkpoints, sampleData(8));
    const newest = path.join(checkpoints, '000008');
    expect(await resolveCheckpointDir(run)).to.equal(newest);
    expect(await resolveCheckpointDir(checkpoints)).to.equal(newest);
    expect(await resolveCheckpointDir(path.join(checkpoints, '000007'))).to.equal(path.join(checkpoints, '000007'));
    fs.writeFileSync(path.join(checkpoints, 'latest'), '000099\n');
    expect(await resolveCheckpointDir(run)).to.equal(newest);
    expect(await resolveCheckpointDir(path.join(root, 'nothing-here'))).to.equal(undefined);
  });

  it('rejects bad input before writing anything, naming it', async () => {
    const bad: Array<[Partial<CheckpointData>, RegExp]> = [
      [{ iteration: 1.5 }, /iteration must be an integer >= 0, got 1.5/],
      [{ arrays: { 'a/b': new Float64Array(1) } }, /payload name "a\/b"/],
      [{ arrays: { x: [1, 2] as unknown as Float64Array } }, /arrays\.x must be a Float64Array/],
      [{ json: { config: { lr: NaN } } }, /json\.config has NaN at key "lr"/],
      [{ json: { rng: [1] } as unknown as CheckpointData['json'] }, /json\.config is required/],
    ];
    for (const [override, message] of bad) {
      const dir = path.join(root, 'bad');
      let error: unknown;
      try { await writeCheckpoint(dir, { ...sampleData(), ...override }); } catch (e) { error = e; }
      expect(String(error)).to.match(message);
      expect(fs.existsSync(path.join(dir, 'manifest.json'))).to.equal(false);
    }
  });
});
