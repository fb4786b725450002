// Conjugate gradient: the JS helper on random SPD systems, and the in-wasm solver on Fisher systems.
import { expect } from 'chai';
import { cg } from '../sdk/index.js';
import { dot, makePolicy, normals, randomActions, randomTheta, relativeError, seeded } from './kernels-fixtures.js';

/** A = QᵀQ/m + shift·I: symmetric positive definite with eigenvalues in about [shift, shift + 4]. */
function randomSpd(m: number, shift: number, seed: number): Float64Array {
  const rng = seeded(seed);
  const q = normals(rng, m * m);
  const a = new Float64Array(m * m);
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < m; j++) {
      let s = 0;
      for (let k = 0; k < m; k++) s += q[k * m + i] * q[k * m + j];
      a[i * m + j] = s / m + (i === j ? shift : 0);
    }
  }
  return a;
}

function multiply(a: Float64Array, m: number) {
  return (v: Float64Array, out: Float64Array): void => {
    for (let i = 0; i < m; i++) {
      let s = 0;
      for (let j = 0; j < m; j++) s += a[i * m + j] * v[j];
      out[i] = s;
    }
  };
}

describe('conjugate gradient', () => {
  describe('cg (JS helper)', () => {
    for (const [m, shift] of [[5, 1], [40, 0.1], [120, 0.01]] as const) {
      it(`solves a random ${m}×${m} SPD system to the residual tolerance`, () => {
        const a = randomSpd(m, shift, m);
        const b = normals(seeded(m + 1), m);
        const residualTol = 1e-20 * dot(b, b);
        const result = cg(multiply(a, m), b, { maxSteps: 10 * m, residualTol });
        const ax = new Float64Array(m);
        multiply(a, m)(result.x, ax);
        const trueResidual = dot(ax.map((e, i) => b[i] - e), ax.map((e, i) => b[i] - e));
        expect(result.residual).to.be.at.most(residualTol);
        expect(trueResidual).to.be.below(100 * residualTol);
        expect(result.iterations).to.be.within(1, 10 * m);
      });
    }

    it('stops at maxSteps, and at once when ‖b‖² is within the tolerance', () => {
      const a = randomSpd(30, 0.01, 3);
      const b = normals(seeded(4), 30);
      const limited = cg(multiply(a, 30), b, { maxSteps: 3, residualTol: 0 });
      expect(limited.iterations).to.equal(3);
      expect(limited.residual).to.be.above(0);
      const none = cg(multiply(a, 30), b, { residualTol: dot(b, b) });
      expect(none.iterations).to.equal(0);
      expect(Array.from(none.x).every((e) => e === 0)).to.equal(true);
    });

    it('rejects bad options with the field and value', () => {
      expect(() => cg(() => undefined, [1], { maxSteps: -1 })).to.throw(/maxSteps.*-1/);
      expect(() => cg(() => undefined, [1], { residualTol: Number.NaN })).to.throw(/residualTol.*NaN/);
    });
  });

  describe('batch.conjugateGradient (in wasm)', () => {
    for (const kind of ['gaussian', 'categorical'] as const) {
      const dims = [3, 5, 7, 4];
      const n = 200;
      const rng = seeded(kind === 'gaussian' ? 31 : 32);
      const policy = makePolicy(kind, dims, 'tanh', 'f64', 1);
      policy.setParameters(randomTheta(policy, rng));
      const batch = policy.createBatch(n);
      const obs = normals(rng, n * 3);
      batch.load(obs, randomActions(kind, rng, n, 4), n);
      batch.forwardOld();
      const P = policy.numParameters;
      const damping = 0.1;
      const fvp = (v: Float64Array, out: Float64Array) => batch.fisherVectorProduct(v, out, { damping });
      after(() => {
        batch.dispose();
        policy.dispose();
      });

      it(`${kind}: solves (F + λI)x = b to the tolerance, checked with an independent FVP`, () => {
        const b = normals(rng, P);
        const residualTol = 1e-18 * dot(b, b);
        const result = batch.conjugateGradient(b, { maxSteps: 500, residualTol, damping });
        expect(result.residual).to.be.at.most(residualTol);
        const fx = new Float64Array(P);
        fvp(result.x, fx);
        const r = fx.map((e, i) => b[i] - e);
        expect(dot(r, r)).to.be.below(100 * residualTol);
      });

      it(`${kind}: takes the same iterates as the JS cg on the same FVP`, () => {
        const b = normals(rng, P);
        const wasm = batch.conjugateGradient(b, { maxSteps: 10, residualTol: 0, damping });
        const js = cg(fvp, b, { maxSteps: 10, residualTol: 0 });
        expect(wasm.iterations).to.equal(10);
        expect(js.iterations).to.equal(10);
        expect(relativeError(wasm.x, js.x)).to.be.below(1e-10);
        expect(wasm.residual).to.be.closeTo(js.residual, 1e-8 * js.residual);
      });

      it(`${kind}: with a subsample, solves the system of the subsampled Fisher`, () => {
        const b = normals(rng, P);
        const subsample = { stride: 4, offset: 1 };
        const result = batch.conjugateGradient(b, { maxSteps: 500, residualTol: 1e-20 * dot(b, b), damping, subsample });
        const fx = new Float64Array(P);
        batch.fisherVectorProduct(result.x, fx, { damping, subsample });
        expect(relativeError(fx, b)).to.be.below(1e-8);
        const full = new Float64Array(P);
        fvp(result.x, full);
        expect(relativeError(full, b)).to.be.above(1e-6); // a different system: the subsample mattered
      });
    }
  });
});
