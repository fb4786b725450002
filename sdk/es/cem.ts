// The cross-entropy method for continuous search (Rubinstein's CE method as used for policy search by Szita &
// Lőrincz, "Learning Tetris Using the Noisy Cross-Entropy Method", Neural Computation 2006): a Gaussian with
// diagonal covariance; each generation samples popSize candidates, keeps the best eliteFrac of them and moves
// to their mean and variance. Without help the variance collapses before the optimum is found, so, as in the
// paper, extra noise Z_t is added to the elite variance: Z_t = extraStd² · max(1 − t / extraDecay, 0), a linear
// decrease to zero (their Z_t = max(5 − t/10, 0) is extraStd = √5, extraDecay = 50).
//
// Ask/tell, minimisation, seeded, state round-trips exactly between generations (like cmaes.ts).
import { Rng } from '../rng.js';

export interface CemOptions {
  x0: ArrayLike<number>;
  /** Initial standard deviation of every coordinate. */
  sigma0: number;
  seed?: number;
  popSize?: number;
  /** Fraction of the population kept as elites (at least one candidate). */
  eliteFrac?: number;
  /** Standard deviation of the extra noise at generation 0. */
  extraStd?: number;
  /** Generations over which the extra noise decreases linearly to 0 (0 = no extra noise). */
  extraDecay?: number;
}

export interface CemState {
  kind: 'cem';
  options: Required<Omit<CemOptions, 'x0'>> & { x0: number[] };
  mean: number[];
  /** Per-coordinate variance of the sampling distribution (elite variance + extra noise). */
  variance: number[];
  generation: number;
  evaluations: number;
  best: { x: number[]; f: number } | null;
  rng: number[];
}

export class Cem {
  readonly n: number;
  private s: CemState;
  private rng: Rng;
  private pending: Float64Array[] | undefined;

  constructor(options: CemOptions) {
    const n = options.x0.length;
    if (n < 1) throw new RangeError('CEM: x0 must have at least one coordinate');
    if (!Array.from(options.x0).every(Number.isFinite)) throw new RangeError('CEM: x0 must be finite');
    if (!(options.sigma0 > 0 && Number.isFinite(options.sigma0))) throw new RangeError(`CEM: sigma0 must be > 0, got ${options.sigma0}`);
    const o = {
      x0: Array.from(options.x0),
      sigma0: options.sigma0,
      seed: options.seed ?? 0,
      popSize: options.popSize ?? 50,
      eliteFrac: options.eliteFrac ?? 0.2,
      extraStd: options.extraStd ?? 0,
      extraDecay: options.extraDecay ?? 0,
    };
    if (!(Number.isSafeInteger(o.popSize) && o.popSize >= 2)) throw new RangeError(`CEM: popSize must be an integer ≥ 2, got ${o.popSize}`);
    if (!(o.eliteFrac > 0 && o.eliteFrac <= 1)) throw new RangeError(`CEM: eliteFrac must be in (0, 1], got ${o.eliteFrac}`);
    this.n = n;
    this.s = {
      kind: 'cem', options: o, mean: [...o.x0], variance: new Array(n).fill(o.sigma0 * o.sigma0),
      generation: 0, evaluations: 0, best: null, rng: [],
    };
    this.rng = new Rng(o.seed, 0);
  }

  static fromState(state: CemState): Cem {
    if (state?.kind !== 'cem') throw new TypeError('Cem.fromState: not a CEM state');
    const cem = new Cem(state.options);
    cem.s = structuredClone(state);
    cem.rng.setState(state.rng);
    return cem;
  }

  getState(): CemState {
    if (this.pending) throw new Error('Cem.getState: a generation is pending (ask() was called without tell())');
    return structuredClone({ ...this.s, rng: this.rng.getState() });
  }

  get mean(): Float64Array { return Float64Array.from(this.s.mean); }
  get stds(): Float64Array { return Float64Array.from(this.s.variance, Math.sqrt); }
  /** Root-mean-square standard deviation over the coordinates (the σ that logs report). */
  get sigma(): number { return Math.sqrt(this.s.variance.reduce((a, v) => a + v, 0) / this.n); }
  get popSize(): number { return this.s.options.popSize; }
  get numElites(): number { return Math.max(1, Math.round(this.s.options.eliteFrac * this.s.options.popSize)); }
  get generation(): number { return this.s.generation; }
  get evaluations(): number { return this.s.evaluations; }
  get best(): { x: Float64Array; f: number } | undefined {
    return this.s.best ? { x: Float64Array.from(this.s.best.x), f: this.s.best.f } : undefined;
  }

  /** The extra noise variance added at the end of generation t. */
  extraVariance(t: number): number {
    const { extraStd, extraDecay } = this.s.options;
    return extraDecay > 0 ? extraStd * extraStd * Math.max(1 - t / extraDecay, 0) : 0;
  }

  ask(): Float64Array[] {
    if (this.pending) throw new Error('Cem.ask: tell() the fitness of the previous candidates first');
    const { n, s } = this;
    const xs: Float64Array[] = [];
    for (let k = 0; k < s.options.popSize; k++) {
      const x = new Float64Array(n);
      for (let i = 0; i < n; i++) x[i] = s.mean[i] + Math.sqrt(s.variance[i]) * this.rng.normal();
      xs.push(x);
    }
    this.pending = xs;
    return xs;
  }

  /** Fitness of the last ask()'s candidates (lower is better; NaN is worst): refit to the elites, add noise. */
  tell(fitness: ArrayLike<number>): void {
    const xs = this.pending;
    if (!xs) throw new Error('Cem.tell: call ask() first');
    if (fitness.length !== xs.length) throw new RangeError(`Cem.tell: expected ${xs.length} fitness values, got ${fitness.length}`);
    this.pending = undefined;
    const { n, s } = this;
    const f = Array.from(fitness, (v) => (Number.isNaN(v) ? Infinity : v));
    const order = f.map((_, k) => k).sort((a, b) => f[a] - f[b] || a - b);
    const elites = order.slice(0, this.numElites).map((k) => xs[k]);
    s.evaluations += xs.length;
    if (!s.best || f[order[0]] < s.best.f) s.best = { x: Array.from(xs[order[0]]), f: f[order[0]] };
    const extra = this.extraVariance(s.generation);
    for (let i = 0; i < n; i++) {
      let mean = 0;
      for (const x of elites) mean += x[i];
      mean /= elites.length;
      let variance = 0;
      for (const x of elites) variance += (x[i] - mean) ** 2;
      s.mean[i] = mean;
      s.variance[i] = variance / elites.length + extra;
    }
    s.generation++;
  }
}
