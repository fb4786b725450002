// CMA-ES: the (μ/μ_w, λ) evolution strategy with cumulative step-size adaptation (CSA) and the rank-one plus
// rank-μ covariance update, as laid out in Hansen's "The CMA Evolution Strategy: A Tutorial" (arXiv:1604.00772,
// Table 1 and Fig. 7), with positive recombination weights only. `covariance: 'diagonal'` is sep-CMA-ES (Ros &
// Hansen, PPSN 2008): C is kept diagonal and its learning rates are multiplied by (n + 2)/3, so one generation
// costs O(λn) instead of O(n²) and large policies fit. Optional IPOP restarts (Auger & Hansen, CEC 2005): when a
// stopping criterion fires, start again from x0 with the population size doubled.
//
// Ask/tell and minimisation: `ask()` returns λ candidates, `tell(f)` takes their fitness (lower is better) and
// updates the distribution. Randomness comes only from the seeded Rng; getState()/fromState() round-trip exactly
// between generations, so a resumed run is bit-identical.
import { Rng } from '../rng.js';
import { symmetricEigen } from './linalg.js';

export interface CmaEsOptions {
  /** Initial mean m⁰. */
  x0: ArrayLike<number>;
  /** Initial step size σ⁰ (the tutorial: about a third of the expected distance to the optimum, per coordinate). */
  sigma0: number;
  seed?: number;
  /** λ; default 4 + ⌊3 ln n⌋. */
  popSize?: number;
  /** 'full' (default for n ≤ 200) or 'diagonal' (sep-CMA-ES, default above). */
  covariance?: 'full' | 'diagonal';
  /** IPOP: restarts allowed when a stopping criterion fires (0 = none), each doubling λ. */
  restarts?: number;
  /** Stop when the best fitness of the last 10 + ⌈30n/λ⌉ generations varies by less than this. */
  tolFun?: number;
  /** Stop when every coordinate's standard deviation and σ·pc are below tolX·σ⁰. */
  tolX?: number;
}

/** Everything CMA-ES needs to continue exactly: plain JSON (finite doubles round-trip through JSON). */
export interface CmaEsState {
  kind: 'cmaes';
  options: Required<Omit<CmaEsOptions, 'x0'>> & { x0: number[] };
  lambda: number;
  mean: number[];
  sigma: number;
  pc: number[];
  ps: number[];
  /** n·n row-major (full) or n (diagonal). */
  cov: number[];
  /** Eigenvectors (columns, row-major; empty when diagonal) and √eigenvalues of C as of the last decomposition. */
  eigenVectors: number[];
  eigenSqrt: number[];
  eigenGeneration: number;
  generation: number;
  /** Generation at which the current run (after the last restart) began. */
  runStart: number;
  evaluations: number;
  restartsDone: number;
  bestHistory: number[];
  best: { x: number[]; f: number } | null;
  rng: number[];
}

/** Strategy parameters of Table 1 of the tutorial (positive weights only), for dimension n and population λ. */
export function cmaParameters(n: number, lambda: number, diagonal: boolean) {
  const mu = Math.floor(lambda / 2);
  const raw = Array.from({ length: mu }, (_, i) => Math.log((lambda + 1) / 2) - Math.log(i + 1));
  const sum = raw.reduce((a, b) => a + b, 0);
  const weights = raw.map((w) => w / sum);
  const muEff = 1 / weights.reduce((a, w) => a + w * w, 0);
  const cSigma = (muEff + 2) / (n + muEff + 5);
  const dSigma = 1 + 2 * Math.max(0, Math.sqrt((muEff - 1) / (n + 1)) - 1) + cSigma;
  const cc = (4 + muEff / n) / (n + 4 + (2 * muEff) / n);
  let c1 = 2 / ((n + 1.3) ** 2 + muEff);
  let cMu = Math.min(1 - c1, (2 * (muEff - 2 + 1 / muEff)) / ((n + 2) ** 2 + muEff));
  if (diagonal) {
    // sep-CMA-ES: a diagonal C has n, not n²/2, free parameters, so it can be learned (n + 2)/3 times faster.
    c1 = Math.min(1, (c1 * (n + 2)) / 3);
    cMu = Math.min(1 - c1, (cMu * (n + 2)) / 3);
  }
  // E‖N(0, I)‖ (the tutorial's approximation).
  const chiN = Math.sqrt(n) * (1 - 1 / (4 * n) + 1 / (21 * n * n));
  return { mu, weights, muEff, cSigma, dSigma, cc, c1, cMu, chiN };
}

export class CmaEs {
  readonly n: number;
  private s: CmaEsState;
  private p: ReturnType<typeof cmaParameters>;
  private rng: Rng;
  /** y = (x − m)/σ of the candidates of the pending generation. */
  private pending: Float64Array[] | undefined;

  constructor(options: CmaEsOptions) {
    const n = options.x0.length;
    if (n < 1) throw new RangeError('CMA-ES: x0 must have at least one coordinate');
    if (!Array.from(options.x0).every(Number.isFinite)) throw new RangeError('CMA-ES: x0 must be finite');
    if (!(options.sigma0 > 0 && Number.isFinite(options.sigma0))) throw new RangeError(`CMA-ES: sigma0 must be > 0, got ${options.sigma0}`);
    const o = {
      x0: Array.from(options.x0),
      sigma0: options.sigma0,
      seed: options.seed ?? 0,
      popSize: options.popSize ?? 4 + Math.floor(3 * Math.log(n)),
      covariance: options.covariance ?? (n <= 200 ? 'full' : 'diagonal'),
      restarts: options.restarts ?? 0,
      tolFun: options.tolFun ?? 1e-12,
      tolX: options.tolX ?? 1e-12,
    } as const;
    if (!(Number.isSafeInteger(o.popSize) && o.popSize >= 2)) throw new RangeError(`CMA-ES: popSize must be an integer ≥ 2, got ${o.popSize}`);
    this.n = n;
    this.s = freshState(o, o.popSize, 0, null, 0, 0);
    this.p = cmaParameters(n, o.popSize, o.covariance === 'diagonal');
    this.rng = new Rng(o.seed, 0);
  }

  static fromState(state: CmaEsState): CmaEs {
    if (state?.kind !== 'cmaes') throw new TypeError('CmaEs.fromState: not a CMA-ES state');
    const es = new CmaEs(state.options);
    es.s = structuredClone(state);
    es.p = cmaParameters(es.n, state.lambda, state.options.covariance === 'diagonal');
    es.rng.setState(state.rng);
    return es;
  }

  /** The state between generations (call it after tell, not between ask and tell). */
  getState(): CmaEsState {
    if (this.pending) throw new Error('CmaEs.getState: a generation is pending (ask() was called without tell())');
    return structuredClone({ ...this.s, rng: this.rng.getState() });
  }

  get mean(): Float64Array { return Float64Array.from(this.s.mean); }
  get sigma(): number { return this.s.sigma; }
  get popSize(): number { return this.s.lambda; }
  get generation(): number { return this.s.generation; }
  get evaluations(): number { return this.s.evaluations; }
  get restartsDone(): number { return this.s.restartsDone; }
  get best(): { x: Float64Array; f: number } | undefined {
    return this.s.best ? { x: Float64Array.from(this.s.best.x), f: this.s.best.f } : undefined;
  }
  /** Standard deviation of each coordinate: σ·√Cᵢᵢ. */
  get stds(): Float64Array {
    const n = this.n;
    const diag = this.s.options.covariance === 'diagonal';
    return Float64Array.from({ length: n }, (_, i) => this.s.sigma * Math.sqrt(this.s.cov[diag ? i : i * n + i]));
  }

  /** λ new candidates xₖ = m + σ B D zₖ, zₖ ~ N(0, I). */
  ask(): Float64Array[] {
    if (this.pending) throw new Error('CmaEs.ask: tell() the fitness of the previous candidates first');
    const { n, s } = this;
    const z = new Float64Array(n);
    const ys: Float64Array[] = [];
    const xs: Float64Array[] = [];
    for (let k = 0; k < s.lambda; k++) {
      for (let i = 0; i < n; i++) z[i] = this.rng.normal() * s.eigenSqrt[i];
      const y = new Float64Array(n);
      if (s.options.covariance === 'diagonal') y.set(z);
      else for (let i = 0; i < n; i++) {
        let acc = 0;
        for (let j = 0; j < n; j++) acc += s.eigenVectors[i * n + j] * z[j];
        y[i] = acc;
      }
      const x = new Float64Array(n);
      for (let i = 0; i < n; i++) x[i] = s.mean[i] + s.sigma * y[i];
      ys.push(y);
      xs.push(x);
    }
    this.pending = ys;
    return xs;
  }

  /**
   * Fitness of the candidates of the last ask() (lower is better; NaN counts as worst). Updates mean, evolution
   * paths, covariance and step size in the tutorial's order. Returns why the run stopped (after a restart, if
   * restarts remain, the reason is reported and the next ask() starts the new run), or undefined.
   */
  tell(fitness: ArrayLike<number>): string | undefined {
    const ys = this.pending;
    if (!ys) throw new Error('CmaEs.tell: call ask() first');
    if (fitness.length !== ys.length) throw new RangeError(`CmaEs.tell: expected ${ys.length} fitness values, got ${fitness.length}`);
    this.pending = undefined;
    const { n, s, p } = this;
    const diag = s.options.covariance === 'diagonal';
    const f = Array.from(fitness, (v) => (Number.isNaN(v) ? Infinity : v));
    const order = f.map((_, k) => k).sort((a, b) => f[a] - f[b] || a - b);
    s.evaluations += ys.length;
    const bestK = order[0];
    if (!s.best || f[bestK] < s.best.f) {
      s.best = { x: Array.from(ys[bestK], (y, i) => s.mean[i] + s.sigma * y), f: f[bestK] };
    }

    // Selection and recombination: m ← m + σ·y_w.
    const yw = new Float64Array(n);
    for (let i = 0; i < p.mu; i++) {
      const y = ys[order[i]];
      for (let j = 0; j < n; j++) yw[j] += p.weights[i] * y[j];
    }
    for (let j = 0; j < n; j++) s.mean[j] += s.sigma * yw[j];

    // Step-size path: p_σ ← (1 − c_σ) p_σ + √(c_σ(2 − c_σ) μ_eff) C^{-1/2} y_w.
    const invSqrtCyw = this.invSqrtC(yw);
    const csFactor = Math.sqrt(p.cSigma * (2 - p.cSigma) * p.muEff);
    let psNorm2 = 0;
    for (let j = 0; j < n; j++) {
      s.ps[j] = (1 - p.cSigma) * s.ps[j] + csFactor * invSqrtCyw[j];
      psNorm2 += s.ps[j] * s.ps[j];
    }
    const psNorm = Math.sqrt(psNorm2);
    // h_σ stalls the rank-one path while ‖p_σ‖ is large (σ is growing fast), so C does not grow with it.
    const hSigma = psNorm / Math.sqrt(1 - (1 - p.cSigma) ** (2 * (s.generation - s.runStart + 1))) < (1.4 + 2 / (n + 1)) * p.chiN ? 1 : 0;
    const ccFactor = Math.sqrt(p.cc * (2 - p.cc) * p.muEff);
    for (let j = 0; j < n; j++) s.pc[j] = (1 - p.cc) * s.pc[j] + hSigma * ccFactor * yw[j];

    // Covariance: C ← (1 + c₁δ(h_σ) − c₁ − c_μ Σw) C + c₁ p_c p_cᵀ + c_μ Σ wᵢ yᵢ yᵢᵀ (Σw = 1 here).
    const deltaH = (1 - hSigma) * p.cc * (2 - p.cc);
    const keep = 1 + p.c1 * deltaH - p.c1 - p.cMu;
    if (diag) {
      for (let j = 0; j < n; j++) {
        let rankMu = 0;
        for (let i = 0; i < p.mu; i++) rankMu += p.weights[i] * ys[order[i]][j] ** 2;
        s.cov[j] = keep * s.cov[j] + p.c1 * s.pc[j] * s.pc[j] + p.cMu * rankMu;
      }
    } else {
      for (let a = 0; a < n; a++) {
        for (let b = a; b < n; b++) {
          let rankMu = 0;
          for (let i = 0; i < p.mu; i++) rankMu += p.weights[i] * ys[order[i]][a] * ys[order[i]][b];
          const c = keep * s.cov[a * n + b] + p.c1 * s.pc[a] * s.pc[b] + p.cMu * rankMu;
          s.cov[a * n + b] = s.cov[b * n + a] = c;
        }
      }
    }

    // Cumulative step-size adaptation: σ grows when the path is longer than under random selection.
    s.sigma *= Math.exp((p.cSigma / p.dSigma) * (psNorm / p.chiN - 1));
    s.generation++;
    this.updateEigen(false);
    const stop = this.stopReason(f[bestK]);
    if (stop && s.restartsDone < s.options.restarts) this.restart();
    return stop;
  }

  /** C^{-1/2} v = B D⁻¹ Bᵀ v (diagonal: v / √c). */
  private invSqrtC(v: Float64Array): Float64Array {
    const { n, s } = this;
    const out = new Float64Array(n);
    if (s.options.covariance === 'diagonal') {
      for (let j = 0; j < n; j++) out[j] = v[j] / s.eigenSqrt[j];
      return out;
    }
    const t = new Float64Array(n);
    for (let k = 0; k < n; k++) {
      let acc = 0;
      for (let i = 0; i < n; i++) acc += s.eigenVectors[i * n + k] * v[i];
      t[k] = acc / s.eigenSqrt[k];
    }
    for (let i = 0; i < n; i++) {
      let acc = 0;
      for (let k = 0; k < n; k++) acc += s.eigenVectors[i * n + k] * t[k];
      out[i] = acc;
    }
    return out;
  }

  /** Decompose C again, lazily (every λ/((c₁ + c_μ)·n·10) generations, the tutorial's O(n²)-per-sample rule). */
  private updateEigen(force: boolean): void {
    const { n, s, p } = this;
    if (s.options.covariance === 'diagonal') {
      for (let j = 0; j < n; j++) s.eigenSqrt[j] = Math.sqrt(s.cov[j]);
      return;
    }
    if (!force && s.generation - s.eigenGeneration < s.lambda / ((p.c1 + p.cMu) * n * 10)) return;
    const { values, vectors } = symmetricEigen(Float64Array.from(s.cov), n);
    s.eigenVectors = Array.from(vectors);
    s.eigenSqrt = Array.from(values, (v) => Math.sqrt(Math.max(v, 0)));
    s.eigenGeneration = s.generation;
  }

  /** The tutorial's (B.3) termination criteria that matter here; undefined while the run should go on. */
  private stopReason(bestF: number): string | undefined {
    const { n, s } = this;
    const o = s.options;
    s.bestHistory.push(bestF);
    const window = 10 + Math.ceil((30 * n) / s.lambda);
    if (s.bestHistory.length > window) s.bestHistory.shift();
    if (s.bestHistory.length === window && Math.max(...s.bestHistory) - Math.min(...s.bestHistory) < o.tolFun) return 'tolFun';
    const stds = this.stds;
    if (stds.every((d) => d < o.tolX * o.sigma0) && s.pc.every((v) => s.sigma * Math.abs(v) < o.tolX * o.sigma0)) return 'tolX';
    const d = s.eigenSqrt;
    const maxD = Math.max(...d);
    const minD = Math.min(...d);
    if (!(minD > 0) || (maxD / minD) ** 2 > 1e14) return 'conditionCov';
    if (!Number.isFinite(s.sigma) || s.sigma === 0) return 'sigma';
    return undefined;
  }

  /** IPOP: a fresh run from x0 with λ doubled; the best solution so far and the counters are kept. */
  private restart(): void {
    const s = this.s;
    const lambda = s.lambda * 2;
    this.s = freshState(s.options, lambda, s.restartsDone + 1, s.best, s.evaluations, s.generation);
    this.p = cmaParameters(this.n, lambda, s.options.covariance === 'diagonal');
  }
}

function freshState(
  options: CmaEsState['options'], lambda: number, restartsDone: number, best: CmaEsState['best'], evaluations: number, generation: number,
): CmaEsState {
  const n = options.x0.length;
  const diag = options.covariance === 'diagonal';
  const cov = new Array<number>(diag ? n : n * n).fill(0);
  const eigenVectors = new Array<number>(diag ? 0 : n * n).fill(0);
  for (let i = 0; i < n; i++) {
    cov[diag ? i : i * n + i] = 1;
    if (!diag) eigenVectors[i * n + i] = 1;
  }
  return {
    kind: 'cmaes', options, lambda, mean: [...options.x0], sigma: options.sigma0, pc: new Array(n).fill(0), ps: new Array(n).fill(0),
    cov, eigenVectors, eigenSqrt: new Array(n).fill(1), eigenGeneration: generation, generation, runStart: generation, evaluations, restartsDone,
    bestHistory: [], best, rng: [],
  };
}
