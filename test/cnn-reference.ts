// Plain-TypeScript f64 reference of a convolutional network, written independently of the wasm code: direct
// loops over output pixels and taps (no im2col, no chunking, no packing). A dense layer is the convolution whose
// kernel covers its whole input (the NHWC flattening order is exactly a [out][h][w][c] filter), so the network is
// one list of layers. θ layout as the kernels': per layer the filters [out][kh][kw][in] then the biases.
// The oracle of test/kernels-cnn.test.ts and the plain-TS baseline of bench/cnn.ts.

import type { Activation } from './kernels-reference.js';

export interface RefLayer {
  inH: number; inW: number; inC: number;
  outH: number; outW: number; outC: number;
  kh: number; kw: number; stride: number; pad: number;
}

export interface RefCnn {
  layers: RefLayer[];
  activation: Activation;
}

export interface RefConvSpec { filters: number; kernel: number; stride: number; padding?: number }

/** The network of `conv` layers on an h × w × c image, then dense layers of `hidden` sizes and `out` outputs. */
export function refCnn(image: { height: number; width: number; channels: number }, conv: RefConvSpec[], hidden: number[], out: number, activation: Activation): RefCnn {
  const layers: RefLayer[] = [];
  let h = image.height, w = image.width, c = image.channels;
  for (const spec of conv) {
    const pad = spec.padding ?? 0;
    const outH = Math.floor((h + 2 * pad - spec.kernel) / spec.stride) + 1;
    const outW = Math.floor((w + 2 * pad - spec.kernel) / spec.stride) + 1;
    layers.push({ inH: h, inW: w, inC: c, outH, outW, outC: spec.filters, kh: spec.kernel, kw: spec.kernel, stride: spec.stride, pad });
    [h, w, c] = [outH, outW, spec.filters];
  }
  for (const size of [...hidden, out]) {
    layers.push({ inH: h, inW: w, inC: c, outH: 1, outW: 1, outC: size, kh: h, kw: w, stride: 1, pad: 0 });
    [h, w, c] = [1, 1, size];
  }
  return { layers, activation };
}

export function cnnParamCount(net: RefCnn): number {
  return net.layers.reduce((sum, l) => sum + l.outC * (l.kh * l.kw * l.inC + 1), 0);
}

function offsets(net: RefCnn): number[] {
  let offset = 0;
  return net.layers.map((l) => {
    const at = offset;
    offset += l.outC * (l.kh * l.kw * l.inC + 1);
    return at;
  });
}

/**
 * Every tap of one image that falls inside it: output index, weight index and input index (per image), so the
 * passes below are tight loops over images × taps.
 */
function taps(l: RefLayer): { out: Int32Array; weight: Int32Array; input: Int32Array } {
  const out: number[] = [], weight: number[] = [], input: number[] = [];
  for (let oy = 0; oy < l.outH; oy++) {
    for (let ox = 0; ox < l.outW; ox++) {
      for (let o = 0; o < l.outC; o++) {
        for (let ky = 0; ky < l.kh; ky++) {
          const y = oy * l.stride - l.pad + ky;
          if (y < 0 || y >= l.inH) continue;
          for (let kx = 0; kx < l.kw; kx++) {
            const x = ox * l.stride - l.pad + kx;
            if (x < 0 || x >= l.inW) continue;
            for (let c = 0; c < l.inC; c++) {
              out.push((oy * l.outW + ox) * l.outC + o);
              weight.push(((o * l.kh + ky) * l.kw + kx) * l.inC + c);
              input.push((y * l.inW + x) * l.inC + c);
            }
          }
        }
      }
    }
  }
  return { out: Int32Array.from(out), weight: Int32Array.from(weight), input: Int32Array.from(input) };
}

function outCount(l: RefLayer, n: number): number {
  return n * l.outH * l.outW * l.outC;
}

const act = (a: Activation, z: number) => (a === 'tanh' ? Math.tanh(z) : Math.max(0, z));
const slope = (a: Activation, h: number) => (a === 'tanh' ? 1 - h * h : h > 0 ? 1 : 0);

/** acts[0] = x, acts[l + 1] = layer l's output (the last one linear). */
export function cnnForward(net: RefCnn, theta: ArrayLike<number>, x: ArrayLike<number>, n: number): Float64Array[] {
  const acts = [Float64Array.from(x)];
  const at = offsets(net);
  net.layers.forEach((l, i) => {
    const input = acts[i];
    const z = new Float64Array(outCount(l, n));
    const bias = at[i] + l.outC * l.kh * l.kw * l.inC;
    for (let j = 0; j < z.length; j++) z[j] = theta[bias + (j % l.outC)];
    const t = taps(l), inSize = l.inH * l.inW * l.inC, outSize = l.outH * l.outW * l.outC;
    for (let r = 0; r < n; r++) {
      for (let j = 0; j < t.out.length; j++) z[r * outSize + t.out[j]] += theta[at[i] + t.weight[j]] * input[r * inSize + t.input[j]];
    }
    if (i < net.layers.length - 1) for (let j = 0; j < z.length; j++) z[j] = act(net.activation, z[j]);
    acts.push(z);
  });
  return acts;
}

/** Output tangent J v. */
export function cnnJvp(net: RefCnn, theta: ArrayLike<number>, acts: Float64Array[], n: number, v: ArrayLike<number>): Float64Array {
  const at = offsets(net);
  let tangent = new Float64Array(acts[0].length);
  net.layers.forEach((l, i) => {
    const dz = new Float64Array(outCount(l, n));
    const bias = at[i] + l.outC * l.kh * l.kw * l.inC;
    for (let j = 0; j < dz.length; j++) dz[j] = v[bias + (j % l.outC)];
    const input = acts[i], dInput = tangent;
    const t = taps(l), inSize = l.inH * l.inW * l.inC, outSize = l.outH * l.outW * l.outC;
    for (let r = 0; r < n; r++) {
      for (let j = 0; j < t.out.length; j++) {
        const w = at[i] + t.weight[j], inp = r * inSize + t.input[j];
        dz[r * outSize + t.out[j]] += v[w] * input[inp] + theta[w] * dInput[inp];
      }
    }
    if (i < net.layers.length - 1) for (let j = 0; j < dz.length; j++) dz[j] *= slope(net.activation, acts[i + 1][j]);
    tangent = dz;
  });
  return tangent;
}

/** Σ_r J_rᵀ g_r for output cotangents g. */
export function cnnVjp(net: RefCnn, theta: ArrayLike<number>, acts: Float64Array[], n: number, g: ArrayLike<number>): Float64Array {
  const at = offsets(net);
  const grad = new Float64Array(cnnParamCount(net));
  let cot = Float64Array.from(g);
  for (let i = net.layers.length - 1; i >= 0; i--) {
    const l = net.layers[i];
    const bias = at[i] + l.outC * l.kh * l.kw * l.inC;
    for (let j = 0; j < cot.length; j++) grad[bias + (j % l.outC)] += cot[j];
    const input = acts[i], previous = new Float64Array(input.length);
    const t = taps(l), inSize = l.inH * l.inW * l.inC, outSize = l.outH * l.outW * l.outC;
    for (let r = 0; r < n; r++) {
      for (let j = 0; j < t.out.length; j++) {
        const c = cot[r * outSize + t.out[j]], w = at[i] + t.weight[j], inp = r * inSize + t.input[j];
        grad[w] += c * input[inp];
        previous[inp] += c * theta[w];
      }
    }
    if (i > 0) for (let j = 0; j < previous.length; j++) previous[j] *= slope(net.activation, input[j]);
    cot = previous;
  }
  return grad;
}
