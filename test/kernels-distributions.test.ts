// Distribution kernels against closed forms, a few hand-computed values, and finite differences of the KL.
import { expect } from 'chai';
import * as ref from './kernels-reference.js';
import { ArenaScope, PRECISIONS, normals, relativeError, rounded, seeded } from './kernels-fixtures.js';

const LOG_2PI = Math.log(2 * Math.PI);
const TOLERANCE = { f64: 1e-12, f32: 1e-6 };

/** Straight from the density: Π_j (2πσ_j²)^{-1/2} exp(−(a_j − μ_j)²/(2σ_j²)). */
function gaussianDensityLog(mean: ArrayLike<number>, logStd: ArrayLike<number>, a: ArrayLike<number>, n: number, A: number): Float64Array {
  return Float64Array.from({ length: n }, (_, r) => {
    let density = 1;
    for (let j = 0; j < A; j++) {
      const sd = Math.exp(logStd[j]);
      density *= Math.exp(-((a[r * A + j] - mean[r * A + j]) ** 2) / (2 * sd * sd)) / Math.sqrt(2 * Math.PI * sd * sd);
    }
    return Math.log(density);
  });
}

function softmaxRow(z: ArrayLike<number>, r: number, K: number): number[] {
  const row = Array.from({ length: K }, (_, k) => Math.exp(z[r * K + k]));
  const sum = row.reduce((s, e) => s + e, 0);
  return row.map((e) => e / sum);
}

describe('kernels: distributions', () => {
  for (const precision of PRECISIONS) {
    describe(`diagonal Gaussian (${precision})`, () => {
      const scope = new ArenaScope(precision);
      after(() => scope.release());
      const rng = seeded(5);
      const n = 13, A = 7;
      const mean = rounded(normals(rng, n * A), precision), mean2 = rounded(normals(rng, n * A), precision);
      const logStd = rounded(normals(rng, A, 0.5), precision), logStd2 = rounded(normals(rng, A, 0.5), precision);
      const actions = rounded(normals(rng, n * A, 2), precision);

      it('log-prob equals the log of the density', () => {
        const out = scope.f64(n);
        scope.k.gaussianLogProb(scope.real(mean).ptr, scope.real(logStd).ptr, scope.real(actions).ptr, n, A, out.ptr);
        expect(relativeError(out.view, gaussianDensityLog(mean, logStd, actions, n, A))).to.be.below(TOLERANCE[precision]);
      });

      it('entropy equals Σ log σ + (A/2)(1 + log 2π); N(0, 1) in 1-D has 1.4189385332046727', () => {
        const expected = logStd.reduce((s, v) => s + v, 0) + 0.5 * A * (1 + LOG_2PI);
        expect(scope.k.gaussianEntropy(scope.real(logStd).ptr, A)).to.be.closeTo(expected, 1e-12);
        expect(scope.k.gaussianEntropy(scope.real([0]).ptr, 1)).to.be.closeTo(1.4189385332046727, 1e-12);
      });

      it('KL matches the closed form, is 0 for equal distributions and 1/2 for N(0,1) ‖ N(1,1)', () => {
        const out = scope.f64(n);
        scope.k.gaussianKl(scope.real(mean).ptr, scope.real(logStd).ptr, scope.real(mean2).ptr, scope.real(logStd2).ptr, n, A, out.ptr);
        expect(relativeError(out.view, ref.gaussianKl(mean, logStd, mean2, logStd2, n, A))).to.be.below(TOLERANCE[precision]);
        scope.k.gaussianKl(scope.real(mean).ptr, scope.real(logStd).ptr, scope.real(mean).ptr, scope.real(logStd).ptr, n, A, out.ptr);
        for (const kl of out.view) expect(kl).to.be.closeTo(0, 1e-12);
        scope.k.gaussianKl(scope.real([0]).ptr, scope.real([0]).ptr, scope.real([1]).ptr, scope.real([0]).ptr, 1, 1, out.ptr);
        expect(out.view[0]).to.be.closeTo(0.5, 1e-12);
      });

      if (precision === 'f64') {
        it('KL gradient equals central differences of the mean KL', () => {
          const gMean = scope.real(n * A), gLogStd = scope.f64(A);
          const meanOld = scope.real(mean), logStdOld = scope.real(logStd);
          scope.k.gaussianKlGrad(meanOld.ptr, logStdOld.ptr, scope.real(mean2).ptr, scope.real(logStd2).ptr, n, A, gMean.ptr, gLogStd.ptr);
          const meanKl = (m: Float64Array, s: Float64Array) => ref.gaussianKl(mean, logStd, m, s, n, A).reduce((a, b) => a + b, 0) / n;
          const h = 1e-6;
          const fdMean = mean2.map((_, i) => {
            const plus = mean2.slice(), minus = mean2.slice();
            plus[i] += h; minus[i] -= h;
            return (meanKl(plus, logStd2) - meanKl(minus, logStd2)) / (2 * h);
          });
          const fdLogStd = logStd2.map((_, j) => {
            const plus = logStd2.slice(), minus = logStd2.slice();
            plus[j] += h; minus[j] -= h;
            return (meanKl(mean2, plus) - meanKl(mean2, minus)) / (2 * h);
          });
          expect(relativeError(gMean.view, fdMean)).to.be.below(1e-7);
          expect(relativeError(gLogStd.view, fdLogStd)).to.be.below(1e-7);
        });
      }
    });

    describe(`categorical (${precision})`, () => {
      const scope = new ArenaScope(precision);
      after(() => scope.release());
      const rng = seeded(6);
      const n = 11, K = 5;
      const logits = rounded(normals(rng, n * K, 2), precision), logits2 = rounded(normals(rng, n * K, 2), precision);
      const actions = Int32Array.from({ length: n }, () => rng.integer(K));

      it('softmax rows are the normalized exponentials and sum to 1, even for huge logits', () => {
        const probs = scope.real(n * K);
        scope.k.softmax(scope.real(logits).ptr, n, K, probs.ptr);
        for (let r = 0; r < n; r++) {
          const expected = softmaxRow(logits, r, K);
          for (let k = 0; k < K; k++) expect(probs.view[r * K + k]).to.be.closeTo(expected[k], TOLERANCE[precision]);
        }
        const huge = scope.real(2);
        scope.k.softmax(scope.real([1000, 1000 + Math.log(3)]).ptr, 1, 2, huge.ptr);
        // No overflow; the error left is the rounding of the logit 1001.1 itself (ulp 6e-5 in f32, 1e-13 in f64).
        expect(huge.view[0]).to.be.closeTo(0.25, precision === 'f32' ? 1e-4 : 1e-12);
        expect(huge.view[1]).to.be.closeTo(0.75, precision === 'f32' ? 1e-4 : 1e-12);
      });

      it('log-prob is log softmax at the action; entropy is −Σ p log p (log K when uniform)', () => {
        const out = scope.f64(n);
        scope.k.categoricalLogProb(scope.real(logits).ptr, scope.i32(actions).ptr, n, K, out.ptr);
        for (let r = 0; r < n; r++) expect(out.view[r]).to.be.closeTo(Math.log(softmaxRow(logits, r, K)[actions[r]]), 1e-12);
        scope.k.categoricalEntropy(scope.real(logits).ptr, n, K, out.ptr);
        for (let r = 0; r < n; r++) {
          const p = softmaxRow(logits, r, K);
          expect(out.view[r]).to.be.closeTo(-p.reduce((s, q) => s + q * Math.log(q), 0), 1e-12);
        }
        scope.k.categoricalEntropy(scope.real([0.5, 0.5, 0.5, 0.5, 0.5]).ptr, 1, K, out.ptr);
        expect(out.view[0]).to.be.closeTo(Math.log(K), 1e-12);
      });

      it('KL is Σ p log(p/q) and 0 for equal logits up to a shift', () => {
        const out = scope.f64(n);
        scope.k.categoricalKl(scope.real(logits).ptr, scope.real(logits2).ptr, n, K, out.ptr);
        for (let r = 0; r < n; r++) {
          const p = softmaxRow(logits, r, K), q = softmaxRow(logits2, r, K);
          expect(out.view[r]).to.be.closeTo(p.reduce((s, pk, k) => s + pk * Math.log(pk / q[k]), 0), 1e-9);
        }
        scope.k.categoricalKl(scope.real(logits).ptr, scope.real(logits.map((z) => z + 3)).ptr, n, K, out.ptr);
        for (const kl of out.view) expect(kl).to.be.closeTo(0, precision === 'f32' ? 1e-6 : 1e-12);
      });

      if (precision === 'f64') {
        it('KL gradient equals central differences of the mean KL', () => {
          const g = scope.real(n * K);
          scope.k.categoricalKlGrad(scope.real(logits).ptr, scope.real(logits2).ptr, n, K, g.ptr);
          const meanKl = (z: Float64Array) => ref.categoricalKl(logits, z, n, K).reduce((a, b) => a + b, 0) / n;
          const h = 1e-6;
          const fd = logits2.map((_, i) => {
            const plus = logits2.slice(), minus = logits2.slice();
            plus[i] += h; minus[i] -= h;
            return (meanKl(plus) - meanKl(minus)) / (2 * h);
          });
          expect(relativeError(g.view, fd)).to.be.below(1e-7);
        });
      }
    });
  }
});
