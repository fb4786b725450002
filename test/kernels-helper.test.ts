// KernelHelper: Fisher-vector products and CG split across two threads on the shared memory.
import { expect } from 'chai';
import { KernelHelper } from '../sdk/index.js';
import { makePolicy, normals, randomActions, randomTheta, relativeError, seeded } from './kernels-fixtures.js';

describe('kernels: two-thread Fisher-vector products (KernelHelper)', () => {
  let helper: KernelHelper;
  before(async () => {
    helper = await KernelHelper.start();
  });
  after(() => helper.close());

  for (const kind of ['gaussian', 'categorical'] as const) {
    for (const jacobianCache of [true, false]) {
      it(`${kind}, ${jacobianCache ? 'with' : 'without'} Jacobian cache: FVP, empirical FVP, subsample and CG equal one thread`, () => {
        const rng = seeded(kind === 'gaussian' ? 71 : 72);
        const dims = [17, 64, 64, 6];
        const n = 1001;
        const policy = makePolicy(kind, dims, 'tanh', 'f64', 3);
        policy.setParameters(randomTheta(policy, rng));
        const obs = normals(rng, n * 17), actions = randomActions(kind, rng, n, 6), v = normals(rng, policy.numParameters);
        const run = (withHelper: boolean) => {
          const batch = policy.createBatch(n, { jacobianCache, helper: withHelper ? helper : undefined });
          batch.load(obs, actions, n);
          batch.forwardOld();
          const fvp = new Float64Array(policy.numParameters), empirical = new Float64Array(policy.numParameters);
          const sub = new Float64Array(policy.numParameters);
          batch.fisherVectorProduct(v, fvp, { damping: 0.1 });
          batch.empiricalFisherVectorProduct(v, empirical, { damping: 0.1 });
          batch.fisherVectorProduct(v, sub, { damping: 0.1, subsample: 0.3 });
          const cg = batch.conjugateGradient(v, { maxSteps: 10, residualTol: 0, damping: 0.1 });
          batch.dispose();
          return { fvp, empirical, sub, cg: cg.x, iterations: cg.iterations };
        };
        const one = run(false), two = run(true);
        // The same sums split in two halves: only the order of additions differs.
        for (const key of ['fvp', 'empirical', 'sub', 'cg'] as const) expect(relativeError(two[key], one[key]), key).to.be.below(1e-12);
        expect(two.iterations).to.equal(10);
        policy.dispose();
      });
    }
  }

  it('reports a failure of the helper thread as an error instead of hanging', () => {
    const policy = makePolicy('gaussian', [3, 5, 7, 2], 'tanh', 'f32', 1);
    const batch = policy.createBatch(8, { helper });
    batch.load(normals(seeded(1), 24), normals(seeded(2), 16), 8);
    batch.forwardOld();
    // Point the helper's workspace past the end of memory: its half of the next FVP traps.
    const struct = (batch as unknown as { helperParts: { struct: { view: Int32Array } } }).helperParts.struct;
    const workspace = struct.view[1];
    struct.view[1] = 2 ** 31 - 64;
    const out = new Float64Array(policy.numParameters);
    expect(() => batch.fisherVectorProduct(out, out)).to.throw(/kernel helper thread failed: RuntimeError: memory access out of bounds/);
    struct.view[1] = workspace;
    batch.fisherVectorProduct(normals(seeded(3), policy.numParameters), out);
    expect(out.some((e) => e !== 0)).to.equal(true);
    batch.dispose();
    policy.dispose();
  });
});
