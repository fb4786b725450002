import { expect } from 'chai';
import { RunningMeanStd } from '../sdk/normalization/running-mean-std.js';
import { Rng } from '../sdk/rng.js';

/**
 * Independent reference: weighted two-pass mean/variance over every sample seen, with SB3's prior
 * (mean 0, variance 1, weight c0) represented as two pseudo-samples −1 and +1 of weight c0/2 each.
 */
function twoPassReference(batches: Float64Array[], size: number, c0 = 1e-4) {
  const mean = new Float64Array(size);
  const variance = new Float64Array(size);
  for (let j = 0; j < size; j++) {
    const values: number[] = [-1, 1];
    const weights: number[] = [c0 / 2, c0 / 2];
    for (const b of batches) for (let r = 0; r < b.length / size; r++) { values.push(b[r * size + j]); weights.push(1); }
    const total = weights.reduce((a, w) => a + w, 0);
    const m = values.reduce((a, v, i) => a + weights[i] * v, 0) / total;
    mean[j] = m;
    variance[j] = values.reduce((a, v, i) => a + weights[i] * (v - m) ** 2, 0) / total;
  }
  return { mean, variance };
}

/** Rows of features with very different scales and offsets, as real observations have. */
function randomBatch(rng: Rng, rows: number, size: number): Float64Array {
  const b = new Float64Array(rows * size);
  for (let r = 0; r < rows; r++) for (let j = 0; j < size; j++) b[r * size + j] = 10 ** (j - 2) * (rng.normal() + 3 * j);
  return b;
}

function expectClose(actual: Float64Array, expected: Float64Array, relTol: number) {
  expect(actual.length).to.equal(expected.length);
  for (let i = 0; i < actual.length; i++) {
    expect(actual[i], `index ${i}`).to.be.closeTo(expected[i], relTol * Math.max(1, Math.abs(expected[i])));
  }
}

describe('RunningMeanStd', () => {
  const size = 5;
  const cases: Array<{ name: string; rowsPerBatch: number[] }> = [
    { name: 'one batch', rowsPerBatch: [64] },
    { name: 'many equal batches', rowsPerBatch: [16, 16, 16, 16] },
    { name: 'uneven batches incl. single rows', rowsPerBatch: [1, 7, 100, 1, 33] },
  ];
  for (const { name, rowsPerBatch } of cases) {
    it(`matches a two-pass reference: ${name}`, () => {
      const rng = new Rng(42);
      const batches = rowsPerBatch.map((rows) => randomBatch(rng, rows, size));
      const rms = new RunningMeanStd(size);
      for (const b of batches) rms.update(b);
      const ref = twoPassReference(batches, size);
      expectClose(rms.mean, ref.mean, 1e-12);
      expectClose(rms.var, ref.variance, 1e-10);
      expect(rms.count).to.be.closeTo(1e-4 + rowsPerBatch.reduce((a, b) => a + b, 0), 1e-9);
    });
  }

  it('gives the same statistics whatever the merge order (workers merged in any order)', () => {
    const rng = new Rng(7);
    const parts = [3, 50, 12, 1].map((rows) => randomBatch(rng, rows, size));
    const partial = parts.map((b) => { const r = new RunningMeanStd(size); r.update(b); return r; });
    const forward = new RunningMeanStd(size);
    for (const p of partial) forward.merge(p);
    const backward = new RunningMeanStd(size);
    for (const p of [...partial].reverse()) backward.merge(p);
    const tree = partial[0].clone(); // ((p0 + p1) + (p2 + p3)) then into a fresh one
    tree.merge(partial[1]);
    const right = partial[2].clone();
    right.merge(partial[3]);
    tree.merge(right);
    const treeIntoFresh = new RunningMeanStd(size);
    treeIntoFresh.merge(tree);
    for (const other of [backward, treeIntoFresh]) {
      expectClose(other.mean, forward.mean, 1e-12);
      expectClose(other.var, forward.var, 1e-12);
      expect(other.count).to.be.closeTo(forward.count, 1e-9);
    }
  });

  it('normalizes with SB3 semantics: clip((x − mean)/sqrt(var + eps), ±clip), in place or into out', () => {
    const rms = new RunningMeanStd(2);
    rms.mean.set([1, -2]);
    rms.var.set([4, 0]);
    const obs = new Float64Array([3, -2, 1 + 2 * 20, -1]);
    const out = rms.normalize(obs, new Float64Array(4), { clip: 10, epsilon: 1e-8 });
    expect(out[0]).to.be.closeTo(2 / Math.sqrt(4 + 1e-8), 1e-15);
    expect(out[1]).to.equal(0);
    expect(out[2]).to.equal(10); // 20 standard deviations → clipped
    expect(out[3]).to.equal(10); // zero variance: 1/sqrt(1e-8) = 1e4 → clipped
    const f32 = rms.normalize([3, -1.9999], new Float32Array(2), { clip: Infinity });
    expect(f32[0]).to.equal(1); // rounds to 1 in f32
    expect(f32[1]).to.be.closeTo(1e-4 / Math.sqrt(1e-8), 1e-2); // no clipping with clip = Infinity
    rms.normalize(obs, obs); // in place with defaults (clip 10, eps 1e-8)
    expect(obs[2]).to.equal(10);
  });

  it('round-trips through JSON and flat f64 bit-exactly', () => {
    const rms = new RunningMeanStd(size);
    rms.update(randomBatch(new Rng(3), 17, size));
    const viaJson = RunningMeanStd.fromJSON(JSON.parse(JSON.stringify(rms)));
    const viaFlat = RunningMeanStd.fromFloat64Array(rms.toFloat64Array());
    for (const copy of [viaJson, viaFlat]) {
      expect(copy.count).to.equal(rms.count);
      expect(Array.from(copy.mean)).to.deep.equal(Array.from(rms.mean));
      expect(Array.from(copy.var)).to.deep.equal(Array.from(rms.var));
    }
  });

  const badJson: Array<[string, unknown, RegExp]> = [
    ['wrong mean length', { size: 2, count: 1, mean: [0], var: [1, 1] }, /mean: has 1 entries but size is 2/],
    ['negative variance', { size: 1, count: 1, mean: [0], var: [-1] }, /var\.0/],
    ['zero count', { size: 1, count: 0, mean: [0], var: [1] }, /count/],
    ['not an object', 'x', /\(root\)/],
  ];
  for (const [name, json, message] of badJson) {
    it(`rejects bad JSON naming the field: ${name}`, () => {
      expect(() => RunningMeanStd.fromJSON(json)).to.throw(TypeError, message);
    });
  }

  it('rejects a batch whose length is not a multiple of size', () => {
    expect(() => new RunningMeanStd(3).update(new Float64Array(4))).to.throw(/length 4 is not a multiple of size 3/);
  });
});
