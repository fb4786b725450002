// Seeded random numbers shared by envs, policies and the trainer.
//
// xoshiro128** (Blackman & Vigna) on four 32-bit words: fast in JS (pure 32-bit integer ops), small state that
// snapshots as four numbers, and the same stream on every machine. Seeds are expanded with splitmix32 so that
// nearby seeds (0, 1, 2, …) give unrelated streams. Normals use the Box–Muller transform with the spare kept,
// and the spare is part of the state so a restored generator continues exactly.

const TWO_POW_32 = 4294967296;

function splitmix32(x: number): [number, number] {
  x = (x + 0x9e3779b9) | 0;
  let z = x;
  z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
  z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
  z ^= z >>> 16;
  return [x, z >>> 0];
}

export class Rng {
  private s0 = 0;
  private s1 = 0;
  private s2 = 0;
  private s3 = 0;
  private spareNormal = NaN;

  /** `seed` is any safe integer; `stream` selects an independent stream for the same seed (e.g. env index). */
  constructor(seed = 0, stream = 0) {
    this.seed(seed, stream);
  }

  /**
   * Re-seed. Every safe integer is its own stream: the seed is split into 32-bit words, seed = hi·2³² + lo with
   * 0 ≤ lo < 2³² (so −1 is lo = 2³²−1, hi = −1; 2³² is lo = 0, hi = 1). lo goes through the splitmix chain as
   * it always has (seeds 0 … 2³²−1 keep their streams); a non-zero hi is mixed into the state words s1…s3 by
   * bijections that are zero for hi = 0. For a given stream, s0 determines lo and then s1 determines hi, so no
   * two seeds share a state.
   */
  seed(seed: number, stream = 0): void {
    if (!Number.isSafeInteger(seed)) throw new RangeError(`seed must be a safe integer, got ${seed}`);
    if (!Number.isSafeInteger(stream)) throw new RangeError(`stream must be a safe integer, got ${stream}`);
    const hi = Math.floor(seed / TWO_POW_32);
    const lo = seed - hi * TWO_POW_32; // in [0, 2³²)
    let x = lo | 0;
    let w: number;
    [x] = splitmix32(x);
    [x] = splitmix32(x ^ Math.imul(stream | 0, 0x632be5ab) ^ Math.floor(stream / TWO_POW_32));
    [x, w] = splitmix32(x); this.s0 = w;
    [x, w] = splitmix32(x); this.s1 = (w ^ fmix32(hi | 0)) >>> 0;
    [x, w] = splitmix32(x); this.s2 = (w ^ fmix32(Math.imul(hi | 0, 0x9e3779b9))) >>> 0;
    [x, w] = splitmix32(x); this.s3 = (w ^ fmix32(rotl(hi | 0, 16))) >>> 0;
    if ((this.s0 | this.s1 | this.s2 | this.s3) === 0) this.s0 = 1; // the all-zero state is a fixed point
    this.spareNormal = NaN;
  }

  /** Uniform 32-bit unsigned integer. */
  nextUint32(): number {
    const result = Math.imul(rotl(Math.imul(this.s1, 5), 7), 9) >>> 0;
    const t = this.s1 << 9;
    this.s2 ^= this.s0;
    this.s3 ^= this.s1;
    this.s1 ^= this.s2;
    this.s0 ^= this.s3;
    this.s2 ^= t;
    this.s3 = rotl(this.s3, 11);
    return result;
  }

  /** Uniform in [0, 1) with 53 random bits. */
  uniform(): number {
    const hi = this.nextUint32() >>> 5; // 27 bits
    const lo = this.nextUint32() >>> 6; // 26 bits
    return (hi * 67108864 + lo) / 9007199254740992;
  }

  /** Uniform in [low, high). */
  uniformRange(low: number, high: number): number {
    return low + (high - low) * this.uniform();
  }

  /** Uniform integer in [0, n). */
  integer(n: number): number {
    if (!(n >= 1 && Number.isSafeInteger(n))) throw new RangeError(`n must be a positive integer, got ${n}`);
    return Math.floor(this.uniform() * n);
  }

  /** Standard normal N(0, 1). */
  normal(): number {
    if (!Number.isNaN(this.spareNormal)) {
      const z = this.spareNormal;
      this.spareNormal = NaN;
      return z;
    }
    let u = 0;
    while (u === 0) u = this.uniform();
    const v = this.uniform();
    const r = Math.sqrt(-2 * Math.log(u));
    this.spareNormal = r * Math.sin(2 * Math.PI * v);
    return r * Math.cos(2 * Math.PI * v);
  }

  /** Fill `out` with N(0, 1) samples. */
  fillNormal(out: Float32Array | Float64Array, offset = 0, length = out.length - offset): void {
    for (let i = offset; i < offset + length; i++) out[i] = this.normal();
  }

  /** The full state as six finite numbers (JSON-safe): four state words, has-spare flag, spare normal. */
  getState(): number[] {
    const hasSpare = !Number.isNaN(this.spareNormal);
    return [this.s0, this.s1, this.s2, this.s3, hasSpare ? 1 : 0, hasSpare ? this.spareNormal : 0];
  }

  setState(state: readonly number[]): void {
    if (state.length !== 6 || !state.every(Number.isFinite)) {
      throw new RangeError(`Rng state must be 6 finite numbers (from getState()), got [${state.join(', ')}]`);
    }
    this.s0 = state[0] | 0;
    this.s1 = state[1] | 0;
    this.s2 = state[2] | 0;
    this.s3 = state[3] | 0;
    this.spareNormal = state[4] === 1 ? state[5] : NaN;
  }
}

/** MurmurHash3's 32-bit finalizer: a bijection with fmix32(0) = 0. */
function fmix32(h: number): number {
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 0;
}

function rotl(x: number, k: number): number {
  return (x << k) | (x >>> (32 - k));
}
