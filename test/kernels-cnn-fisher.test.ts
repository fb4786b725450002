// Fisher-vector products and CG on CNN policies: the batch kernels (policy forward, FVP, CG) against the analytic
// Fisher JᵀMJ assembled from the plain-TS CNN reference (test/cnn-reference.ts), its symmetry and
// positive semi-definiteness, and CG solving (F + λI) x = g.
import { expect } from 'chai';
import { CategoricalMlpPolicy, GaussianMlpPolicy } from '../sdk/index.js';
import { cnnForward, cnnJvp, cnnParamCount, cnnVjp, refCnn } from './cnn-reference.js';
import { dot, normals, randomActions, randomTheta, relativeError, seeded } from './kernels-fixtures.js';

const IMAGE = { height: 7, width: 6, channels: 3 };
const CONV = [{ filters: 5, kernel: 3, stride: 2, padding: 1 }, { filters: 4, kernel: 2, stride: 1 }];
const HIDDEN = [7];
const K = 4;
const N = 150; // more than one chunk of 128 rows
const TOLERANCE = { f64: 1e-11, f32: 5e-5 };

/** (1/n) Σ Jᵢᵀ Mᵢ Jᵢ v with the reference CNN; M = diag(p) − ppᵀ (categorical) or diag(e^{−2s}) plus 2·v_s (Gaussian). */
function referenceFvp(kind: 'gaussian' | 'categorical', theta: Float64Array, obs: Float64Array, v: Float64Array): Float64Array {
  const net = refCnn(IMAGE, CONV, HIDDEN, K, 'tanh');
  const P = cnnParamCount(net);
  const acts = cnnForward(net, theta, obs, N);
  const out = acts[acts.length - 1];
  const jv = cnnJvp(net, theta, acts, N, v);
  const u = new Float64Array(N * K);
  for (let r = 0; r < N; r++) {
    if (kind === 'gaussian') {
      for (let j = 0; j < K; j++) u[r * K + j] = (jv[r * K + j] * Math.exp(-2 * theta[P + j])) / N;
    } else {
      const row = out.subarray(r * K, (r + 1) * K);
      const m = Math.max(...row);
      const e = row.map((z) => Math.exp(z - m));
      const total = e.reduce((a, b) => a + b, 0);
      const p = e.map((x) => x / total);
      let pDz = 0;
      for (let k = 0; k < K; k++) pDz += p[k] * jv[r * K + k];
      for (let k = 0; k < K; k++) u[r * K + k] = (p[k] * (jv[r * K + k] - pDz)) / N;
    }
  }
  const grad = cnnVjp(net, theta, acts, N, u);
  if (kind === 'categorical') return grad;
  const full = new Float64Array(P + K);
  full.set(grad);
  for (let j = 0; j < K; j++) full[P + j] = 2 * v[P + j];
  return full;
}

describe('kernels: Fisher-vector product and CG on CNN policies', () => {
  for (const kind of ['categorical', 'gaussian'] as const) {
    for (const precision of ['f64', 'f32'] as const) {
      describe(`${kind} ${precision}`, () => {
        const rng = seeded(kind === 'gaussian' ? 5 : 6);
        const options = { obsDim: IMAGE.height * IMAGE.width * IMAGE.channels, hiddenSizes: HIDDEN, precision, seed: 1, conv: { image: IMAGE, layers: CONV } };
        const policy = kind === 'gaussian' ? new GaussianMlpPolicy({ ...options, actionDim: K }) : new CategoricalMlpPolicy({ ...options, numActions: K });
        policy.setParameters(randomTheta(policy, rng));
        const theta = policy.getParameters();
        const obs = normals(rng, N * options.obsDim);
        const obsSeen = precision === 'f32' ? Float64Array.from(Float32Array.from(obs)) : obs;
        const batch = policy.createBatch(N);
        batch.load(obs, randomActions(kind, rng, N, K), N);
        batch.forwardOld();
        const fvp = (v: Float64Array, damping = 0): Float64Array => {
          const out = new Float64Array(policy.numParameters);
          batch.fisherVectorProduct(v, out, { damping });
          return out;
        };
        after(() => {
          batch.dispose();
          policy.dispose();
        });

        it('equals Jᵀ M J v of the plain-TS CNN reference', () => {
          const v = normals(rng, policy.numParameters);
          expect(relativeError(fvp(v), referenceFvp(kind, theta, obsSeen, v))).to.be.below(TOLERANCE[precision]);
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

        it('CG solves (F + λI) x = g', () => {
          const g = normals(rng, policy.numParameters);
          const { x } = batch.conjugateGradient(g, { maxSteps: 200, residualTol: 1e-20, damping: 0.1 });
          expect(relativeError(fvp(x, 0.1), g)).to.be.below(precision === 'f64' ? 1e-8 : 1e-3);
        });
      });
    }
  }
});
