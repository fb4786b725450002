// MLP kernels (forward, JVP, VJP) against the plain-TS reference and against central finite differences.
import { expect } from 'chai';
import * as ref from './kernels-reference.js';
import {
  ACTIVATIONS, NetworkRunner, PRECISIONS, SHAPES, dot, label, normals, randomNetwork, relativeError, rowsFor, seeded,
} from './kernels-fixtures.js';

// f64: only rounding of the same sums in another order. f32: sums of up to 376 products rounded to a 24-bit
// mantissa; observed ≤ 2e-6 normwise, 1e-5 leaves margin without hiding a wrong term (those give O(1) errors).
const TOLERANCE = { f64: 1e-12, f32: 1e-5 };
// Central differences in f64: truncation O(ε²) and rounding O(1e-16/ε) with ε = 1e-5 both stay below 1e-8;
// 1e-6 also absorbs the rare relu unit near its kink.
const FD_STEP = 1e-5;
const FD_TOLERANCE = 1e-6;

describe('kernels: MLP forward, JVP and VJP', () => {
  for (const dims of SHAPES) {
    for (const activation of ACTIVATIONS) {
      for (const precision of PRECISIONS) {
        describe(`${label(dims)} ${activation} ${precision}`, () => {
          const rng = seeded(11 + dims[0]);
          const n = rowsFor(dims);
          const { net, theta } = randomNetwork(dims, activation, precision, rng);
          const runner = new NetworkRunner(net, normals(rng, n * dims[0]), n);
          const refNet = { dims: [...dims], activation };
          const x = runner.inputs;
          const acts = ref.forward(refNet, theta, x, n);
          const out = runner.forward();
          after(() => {
            runner.release();
            net.dispose();
          });

          it('forward matches the reference and keeps every hidden activation', () => {
            expect(relativeError(out, acts[acts.length - 1])).to.be.below(TOLERANCE[precision]);
            const hidden = Float64Array.from(acts.slice(1, -1).flatMap((a) => Array.from(a)));
            expect(relativeError(runner.hiddenValues(), hidden)).to.be.below(TOLERANCE[precision]);
            expect(runner.forwardWithoutCache()).to.deep.equal(out);
          });

          it('JVP matches the reference', () => {
            const v = normals(rng, net.numParameters);
            expect(relativeError(runner.jvp(v), ref.jvp(refNet, theta, acts, n, v))).to.be.below(TOLERANCE[precision]);
          });

          it('VJP matches the reference', () => {
            const g = normals(rng, n * net.outputSize);
            const gSeen = precision === 'f32' ? Float64Array.from(Float32Array.from(g)) : g;
            expect(relativeError(runner.vjp(g), ref.vjp(refNet, theta, acts, n, gSeen))).to.be.below(TOLERANCE[precision]);
          });

          if (precision === 'f64') {
            const forwardAt = (step: number, v: Float64Array): Float64Array => {
              net.setParameters(theta.map((t, i) => t + step * v[i]), 'test');
              const y = runner.forward();
              net.setParameters(theta, 'test');
              runner.forward();
              return y;
            };
            const unitDirection = (): Float64Array => {
              const v = normals(rng, net.numParameters);
              const norm = Math.sqrt(dot(v, v));
              return v.map((e) => e / norm);
            };

            it('JVP equals central differences of the forward pass', () => {
              const v = unitDirection();
              const plus = forwardAt(FD_STEP, v), minus = forwardAt(-FD_STEP, v);
              const fd = plus.map((p, i) => (p - minus[i]) / (2 * FD_STEP));
              expect(relativeError(runner.jvp(v), fd)).to.be.below(FD_TOLERANCE);
            });

            it('VJP gives ⟨Jᵀg, v⟩ = central difference of ⟨g, f(θ + εv)⟩', () => {
              const v = unitDirection();
              const g = normals(rng, n * net.outputSize);
              const fd = (dot(g, forwardAt(FD_STEP, v)) - dot(g, forwardAt(-FD_STEP, v))) / (2 * FD_STEP);
              const analytic = dot(runner.vjp(g), v);
              expect(Math.abs(analytic - fd)).to.be.below(FD_TOLERANCE * Math.max(1, Math.abs(fd)));
            });
          }
        });
      }
    }
  }
});
