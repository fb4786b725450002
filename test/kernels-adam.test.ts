// Adam and the value-regression loss kernels against plain-TS references.
import { expect } from 'chai';
import * as ref from './kernels-reference.js';
import { ArenaScope, PRECISIONS, normals, relativeError, rounded, seeded } from './kernels-fixtures.js';

describe('kernels: Adam and MSE loss', () => {
  for (const precision of PRECISIONS) {
    it(`Adam (${precision}) follows the PyTorch update over several steps`, () => {
      const scope = new ArenaScope(precision);
      const rng = seeded(8);
      const P = 37;
      const theta = rounded(normals(rng, P), precision);
      const params = scope.real(theta), grad = scope.f64(P), m = scope.f64(P), v = scope.f64(P);
      const refTheta = theta.slice(), refM = new Float64Array(P), refV = new Float64Array(P);
      let step = 0;
      for (let t = 1; t <= 5; t++) {
        const g = normals(rng, P, t);
        grad.view.set(g);
        scope.k.adamStep(params.ptr, grad.ptr, m.ptr, v.ptr, P, 1e-2, 0.9, 0.999, 1e-8, t);
        step = ref.adam(refTheta, g, refM, refV, step, 1e-2, 0.9, 0.999, 1e-8);
      }
      // f32 stores θ rounded after each step: relative error ≤ a few ulps of θ per step.
      expect(relativeError(params.view, refTheta)).to.be.below(precision === 'f32' ? 1e-6 : 1e-14);
      expect(relativeError(m.view, refM)).to.be.below(1e-14);
      expect(relativeError(v.view, refV)).to.be.below(1e-14);
      scope.release();
    });

    it(`mseLoss (${precision}) returns mean (pred − target)² and writes 2(pred − target)/n`, () => {
      const scope = new ArenaScope(precision);
      const pred = [1, -2, 0.5], target = [0, 1, 0.5];
      const g = scope.real(3);
      const loss = scope.k.mseLoss(scope.real(pred).ptr, scope.f64(target).ptr, 3, g.ptr);
      expect(loss).to.be.closeTo((1 + 9 + 0) / 3, 1e-12);
      expect(Array.from(g.view).map((e) => Number(e.toFixed(6)))).to.deep.equal([0.666667, -2, 0]);
      scope.release();
    });
  }
});
