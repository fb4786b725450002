// The Figure 4 grid of bench:paper: which (task, method) cells it runs, their budgets, and the CI band.
import { expect } from 'chai';
import { ciHalfWidth, DEFAULT_BUDGETS, ENVS, METHODS, planCells } from '../bench/paper-grid.js';

describe('bench:paper grid', () => {
  it('has the paper\'s cells: 4 tasks × 6 methods, plus max KL on InvertedPendulum only', () => {
    const cells = planCells(ENVS, METHODS, 1);
    expect(cells).to.have.length(25);
    expect(cells.filter((c) => c.method.id === 'max-kl').map((c) => c.env)).to.deep.equal(['InvertedPendulum-v5']);
    for (const c of cells) expect(c.timesteps).to.equal(DEFAULT_BUDGETS[c.env]);
    for (const m of METHODS.filter((x) => !('algo' in x.options))) expect(m.options.targetKl).to.equal(0.01);
  });

  it('scales budgets, never below one 2048-step iteration, and refuses unknown tasks', () => {
    const cells = planCells(['Hopper-v5', 'InvertedPendulum-v5'], METHODS.slice(0, 1), 0.01);
    expect(cells.map((c) => c.timesteps)).to.deep.equal([5000, 2048]);
    expect(() => planCells(['Ant-v5'], METHODS, 1)).to.throw(/no budget for Ant-v5/);
  });

  it('uses Student-t 95% half-widths (n = 3: 4.303 s/√3)', () => {
    expect(ciHalfWidth(1, 3)).to.be.closeTo(4.303 / Math.sqrt(3), 1e-12);
    expect(ciHalfWidth(2, 1)).to.equal(0);
    expect(ciHalfWidth(1, 100)).to.be.closeTo(0.196, 1e-12);
  });
});
