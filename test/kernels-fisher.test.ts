// Fisher-vector products: the analytic FVP must equal the Hessian of the mean KL(π_old‖π_θ) at θ = θ_old, which
// is computed here as central differences of the plain-TS reference gradient of that KL (no kernel involved).
import { expect } from 'chai';
import type { Subsample } from '../sdk/index.js';
import type { Rng } from '../sdk/rng.js';
import * as ref from './kernels-reference.js';
import {
  ACTIVATIONS, PRECISIONS, SHAPES, dot, label, makePolicy, normals, randomActions, randomTheta, relativeError, rowsFor, seeded,
} from './kernels-fixtures.js';

type Kind = 'gaussian' | 'categorical';
// Finite differences of an f64 gradient: error ~ε² (≈1e-10) + 1e-16/ε (≈1e-11), far below the 1e-5 required.
const FD_STEP = 1e-5;
// f32 against the f64 reference: chains of up to 376-term f32 sums (JVP, then VJP); observed ≤ 1e-5.
const TOLERANCE = { f64: 1e-12, f32: 5e-5 };

function unit(rng: Rng, length: number): Float64Array {
  const v = normals(rng, length);
  const norm = Math.sqrt(dot(v, v));
  return v.map((e) => e / norm);
}

describe('kernels: Fisher-vector product', () => {
  for (const kind of ['gaussian', 'categorical'] as const) {
    for (const dims of SHAPES) {
      for (const activation of ACTIVATIONS) {
        for (const precision of PRECISIONS) {
          describe(`${kind} ${label(dims)} ${activation} ${precision}`, () => {
            const rng = seeded(dims[0] * 7 + (kind === 'gaussian' ? 1 : 2));
            const n = rowsFor(dims);
            const K = dims[dims.length - 1];
            const policy = makePolicy(kind, dims, activation, precision, 3);
            policy.setParameters(randomTheta(policy, rng));
            const theta = policy.getParameters();
            const obs = normals(rng, n * dims[0]);
            const obsSeen = precision === 'f32' ? Float64Array.from(Float32Array.from(obs)) : obs;
            const batch = policy.createBatch(n);
            batch.load(obs, randomActions(kind, rng, n, K), n);
            batch.forwardOld();
            const refPolicy = { net: { dims: [...dims], activation }, kind };
            const fvp = (v: Float64Array, damping = 0): Float64Array => {
              const out = new Float64Array(policy.numParameters);
              batch.fisherVectorProduct(v, out, { damping });
              return out;
            };
            after(() => {
              batch.dispose();
              policy.dispose();
            });

            if (precision === 'f64') {
              it('equals the finite-difference Hessian of the mean KL times v (rel. error ≤ 1e-5)', () => {
                const v = unit(rng, policy.numParameters);
                const gradAt = (step: number) => ref.meanKlAndGrad(refPolicy, theta, theta.map((t, i) => t + step * v[i]), obsSeen, n).grad;
                const plus = gradAt(FD_STEP), minus = gradAt(-FD_STEP);
                const hessianV = plus.map((p, i) => (p - minus[i]) / (2 * FD_STEP));
                expect(relativeError(fvp(v), hessianV)).to.be.below(1e-5);
              });
            }

            it('matches the plain-TS analytic FVP and adds damping·v', () => {
              const v = normals(rng, policy.numParameters);
              const expected = ref.fisherVectorProduct(refPolicy, theta, obsSeen, n, v);
              expect(relativeError(fvp(v), expected)).to.be.below(TOLERANCE[precision]);
              const damped = fvp(v, 0.25);
              expect(relativeError(damped, expected.map((e, i) => e + 0.25 * v[i]))).to.be.below(TOLERANCE[precision]);
            });

            it('is symmetric (uᵀFv = vᵀFu) and positive semi-definite', () => {
              const u = normals(rng, policy.numParameters), v = normals(rng, policy.numParameters);
              const uFv = dot(u, fvp(v)), vFu = dot(v, fvp(u));
              expect(Math.abs(uFv - vFu)).to.be.below(TOLERANCE[precision] * 10 * Math.max(1, Math.abs(uFv)));
              for (let trial = 0; trial < 3; trial++) {
                const w = normals(rng, policy.numParameters);
                expect(dot(w, fvp(w))).to.be.at.least(0);
              }
            });
          });
        }
      }
    }
  }

  describe('subsampling and the empirical Fisher', () => {
    for (const kind of ['gaussian', 'categorical'] as const) {
      const dims = [17, 64, 64, 6];
      const n = 300;
      const rng = seeded(kind === 'gaussian' ? 91 : 92);
      const policy = makePolicy(kind, dims, 'tanh', 'f64', 4);
      policy.setParameters(randomTheta(policy, rng));
      const obs = normals(rng, n * dims[0]);
      const actions = randomActions(kind, rng, n, 6);
      const batch = policy.createBatch(n);
      batch.load(obs, actions, n);
      batch.forwardOld();
      after(() => {
        batch.dispose();
        policy.dispose();
      });

      /** FVP of a separate batch holding only the given states. */
      const fvpOfStates = (indices: number[], v: Float64Array): Float64Array => {
        const only = policy.createBatch(indices.length);
        const A = kind === 'gaussian' ? 6 : 1;
        only.load(
          indices.flatMap((i) => Array.from(obs.subarray(i * 17, (i + 1) * 17))),
          indices.flatMap((i) => Array.from(actions.subarray(i * A, (i + 1) * A))), indices.length,
        );
        only.forwardOld();
        const out = new Float64Array(policy.numParameters);
        only.fisherVectorProduct(v, out, { damping: 0.1 });
        only.dispose();
        return out;
      };

      it(`${kind}: a subsample (indices, stride, fraction) gives the FVP of exactly those states`, () => {
        const v = normals(rng, policy.numParameters);
        const cases: [Subsample, number[]][] = [
          [{ indices: [5, 17, 17, 299, 0] }, [5, 17, 17, 299, 0]],
          [{ stride: 7, offset: 3 }, Array.from({ length: 43 }, (_, i) => 3 + 7 * i)],
          [0.1, Array.from({ length: 30 }, (_, i) => 10 * i)],
        ];
        for (const [subsample, indices] of cases) {
          const out = new Float64Array(policy.numParameters);
          batch.fisherVectorProduct(v, out, { damping: 0.1, subsample });
          expect(relativeError(out, fvpOfStates(indices, v))).to.be.below(1e-12);
        }
      });

      it(`${kind}: the empirical Fisher is the mean outer product of per-state score gradients`, () => {
        const v = normals(rng, policy.numParameters);
        const out = new Float64Array(policy.numParameters);
        batch.empiricalFisherVectorProduct(v, out, { damping: 0 });
        const theta = policy.getParameters();
        const expected = new Float64Array(policy.numParameters);
        for (let i = 0; i < n; i++) {
          const score = scoreGradient(kind, dims, theta, obs.subarray(i * 17, (i + 1) * 17), actions, i);
          const projection = dot(score, v);
          for (let p = 0; p < expected.length; p++) expected[p] += (projection * score[p]) / n;
        }
        expect(relativeError(out, expected)).to.be.below(1e-12);
      });
    }
  });
});

/** ∇_θ log π(a_i|s_i) of one state by the reference: VJP of ∂log π/∂(μ or z), plus the log-std score. */
function scoreGradient(kind: Kind, dims: number[], theta: Float64Array, x: Float64Array, actions: Float64Array, i: number): Float64Array {
  const net = { dims, activation: 'tanh' as const };
  const P = ref.paramCount(net);
  const K = dims[dims.length - 1];
  const acts = ref.forward(net, theta, x, 1);
  const out = acts[acts.length - 1];
  const cot = new Float64Array(K);
  const grad = new Float64Array(theta.length);
  if (kind === 'gaussian') {
    for (let j = 0; j < K; j++) {
      const sd = Math.exp(theta[P + j]);
      const z = (actions[i * K + j] - out[j]) / sd;
      cot[j] = z / sd;
      grad[P + j] = z * z - 1;
    }
  } else {
    const logp = ref.logSoftmax(out, 1, K);
    for (let k = 0; k < K; k++) cot[k] = (k === actions[i] ? 1 : 0) - Math.exp(logp[k]);
  }
  grad.set(ref.vjp(net, theta, acts, 1, cot));
  return grad;
}

describe('kernels: Jacobian cache', () => {
  // The last shape has three hidden layers, so two layers are cached and S_0 is built from the cached S_1.
  const shapes = [[3, 5, 7, 2], [17, 64, 64, 6], [376, 256, 256, 17], [5, 9, 11, 13, 3]];
  for (const kind of ['gaussian', 'categorical'] as const) {
    for (const dims of shapes) {
      for (const precision of PRECISIONS) {
        it(`${kind} ${label(dims)} ${precision}: FVP, empirical FVP, gradient and CG agree with and without it`, () => {
          const rng = seeded(dims.length * 100 + dims[0]);
          const n = dims[0] > 100 ? 9 : 150;
          const K = dims[dims.length - 1];
          const policy = makePolicy(kind, dims, 'tanh', precision, 5);
          policy.setParameters(randomTheta(policy, rng));
          const obs = normals(rng, n * dims[0]);
          const actions = randomActions(kind, rng, n, K);
          const advantages = normals(rng, n);
          const v = normals(rng, policy.numParameters);
          const results = [true, false].map((jacobianCache) => {
            const batch = policy.createBatch(n, { jacobianCache });
            expect(batch.usesJacobianCache).to.equal(jacobianCache);
            batch.load(obs, actions, n);
            batch.forwardOld();
            const fvp = new Float64Array(policy.numParameters), empirical = new Float64Array(policy.numParameters);
            batch.fisherVectorProduct(v, fvp, { damping: 0.1 });
            batch.empiricalFisherVectorProduct(v, empirical);
            const result = {
              fvp, empirical, grad: batch.surrogateGradient(advantages).grad,
              cg: batch.conjugateGradient(v, { maxSteps: 5, residualTol: 0, damping: 0.1 }).x,
            };
            batch.dispose();
            return result;
          });
          const tolerance = TOLERANCE[precision];
          for (const key of ['fvp', 'empirical', 'grad', 'cg'] as const) {
            expect(relativeError(results[0][key], results[1][key]), key).to.be.below(tolerance);
          }
          policy.dispose();
        });
      }
    }
  }

  it('is chosen automatically when it pays (64-wide, few actions) and never for one hidden layer', () => {
    const cases: [number[], boolean][] = [[[17, 64, 64, 6], true], [[348, 256, 256, 17], false], [[17, 64, 6], false]];
    for (const [dims, expected] of cases) {
      const policy = makePolicy('gaussian', dims, 'tanh', 'f32', 1);
      const batch = policy.createBatch(16);
      expect(batch.usesJacobianCache, label(dims)).to.equal(expected);
      batch.dispose();
      const forced = policy.createBatch(16, { jacobianCache: true });
      expect(forced.usesJacobianCache).to.equal(dims.length > 3);
      forced.dispose();
      policy.dispose();
    }
  });
});
