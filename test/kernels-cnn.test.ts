// Convolutional network kernels (conv layers in front of the MLP: forward, JVP, VJP) against the plain-TS
// reference of test/cnn-reference.ts and central finite differences, over odd image sizes, kernels, strides and
// paddings, both activations and both precisions.
import { expect } from 'chai';
import { MlpNetwork, type ConvLayerSpec } from '../sdk/policies/mlp.js';
import type { Activation } from './kernels-reference.js';
import { cnnForward, cnnJvp, cnnVjp, refCnn } from './cnn-reference.js';
import { ACTIVATIONS, NetworkRunner, PRECISIONS, dot, normals, relativeError, seeded } from './kernels-fixtures.js';
import type { Precision } from '../sdk/wasm/loader.js';
import type { Rng } from '../sdk/rng.js';

interface Case {
  image: { height: number; width: number; channels: number };
  conv: ConvLayerSpec[];
  hidden: number[];
  out: number;
  /** Rows: more than one chunk (128) and more than one im2col block (256 pixels) in some cases. */
  n: number;
}

const CASES: Case[] = [
  { image: { height: 7, width: 5, channels: 3 }, conv: [{ filters: 5, kernel: 3, stride: 2, padding: 1 }], hidden: [6], out: 3, n: 131 },
  { image: { height: 10, width: 10, channels: 4 }, conv: [{ filters: 8, kernel: 3, stride: 1 }, { filters: 6, kernel: 2, stride: 2 }], hidden: [9], out: 5, n: 19 },
  { image: { height: 6, width: 9, channels: 1 }, conv: [{ filters: 3, kernel: 4, stride: 3, padding: 2 }], hidden: [], out: 2, n: 7 },
  { image: { height: 5, width: 5, channels: 2 }, conv: [{ filters: 7, kernel: 1, stride: 1 }, { filters: 4, kernel: 5, stride: 1, padding: 2 }, { filters: 3, kernel: 3, stride: 2 }], hidden: [5, 4], out: 1, n: 3 },
];

const TOLERANCE = { f64: 1e-12, f32: 1e-5 };
const FD_STEP = 1e-5;
const FD_TOLERANCE = 1e-6;

function label(c: Case): string {
  const conv = c.conv.map((l) => `${l.filters}k${l.kernel}s${l.stride}p${l.padding ?? 0}`).join(',');
  return `${c.image.height}×${c.image.width}×${c.image.channels} [${conv}] → [${c.hidden}] → ${c.out}, n=${c.n}`;
}

/** Weights N(0, 1/fan-in), biases N(0, 0.3²): activations neither vanish nor saturate, relu units on both sides. */
function randomCnn(c: Case, activation: Activation, precision: Precision, rng: Rng): { net: MlpNetwork; theta: Float64Array } {
  const net = new MlpNetwork({
    inputSize: c.image.height * c.image.width * c.image.channels, conv: { image: c.image, layers: c.conv },
    hiddenSizes: c.hidden, outputSize: c.out, activation, precision, extraParameters: 0,
  });
  const theta = new Float64Array(net.numParameters);
  const blocks = [
    ...net.convLayers.map((l) => ({ at: l.weightOffset, out: l.outC, fanIn: l.kernel * l.kernel * l.inC })),
    ...net.layers.map((l) => ({ at: l.weightOffset, out: l.outDim, fanIn: l.inDim })),
  ];
  for (const { at, out, fanIn } of blocks) {
    for (let i = 0; i < out * fanIn; i++) theta[at + i] = rng.normal() / Math.sqrt(fanIn);
    for (let o = 0; o < out; o++) theta[at + out * fanIn + o] = 0.3 * rng.normal();
  }
  net.setParameters(theta, 'test');
  return { net, theta: net.getParameters() };
}

describe('kernels: CNN forward, JVP and VJP', () => {
  for (const c of CASES) {
    for (const activation of ACTIVATIONS) {
      for (const precision of PRECISIONS) {
        describe(`${label(c)} ${activation} ${precision}`, () => {
          const rng = seeded(7 + c.n);
          const { net, theta } = randomCnn(c, activation, precision, rng);
          const refNet = refCnn(c.image, c.conv, c.hidden, c.out, activation);
          const runner = new NetworkRunner(net, normals(rng, c.n * net.inputSize), c.n);
          const acts = cnnForward(refNet, theta, runner.inputs, c.n);
          const out = runner.forward();
          after(() => {
            runner.release();
            net.dispose();
          });

          it('has the reference parameter count and forward output, with or without the activation cache', () => {
            expect(net.numParameters).to.equal(theta.length);
            expect(relativeError(out, acts[acts.length - 1])).to.be.below(TOLERANCE[precision]);
            const hidden = Float64Array.from(acts.slice(1, -1).flatMap((a) => Array.from(a)));
            expect(relativeError(runner.hiddenValues(), hidden)).to.be.below(TOLERANCE[precision]);
            expect(runner.forwardWithoutCache()).to.deep.equal(out);
          });

          it('JVP matches the reference', () => {
            const v = normals(rng, net.numParameters);
            expect(relativeError(runner.jvp(v), cnnJvp(refNet, theta, acts, c.n, v))).to.be.below(TOLERANCE[precision]);
          });

          it('VJP matches the reference', () => {
            const g = normals(rng, c.n * net.outputSize);
            const gSeen = precision === 'f32' ? Float64Array.from(Float32Array.from(g)) : g;
            expect(relativeError(runner.vjp(g), cnnVjp(refNet, theta, acts, c.n, gSeen))).to.be.below(TOLERANCE[precision]);
          });

          if (precision === 'f64') {
            const forwardAt = (step: number, v: Float64Array): Float64Array => {
              net.setParameters(theta.map((t, i) => t + step * v[i]), 'test');
              const y = runner.forward();
              net.setParameters(theta, 'test');
              runner.forward();
              return y;
            };
            const unit = (): Float64Array => {
              const v = normals(rng, net.numParameters);
              const norm = Math.sqrt(dot(v, v));
              return v.map((e) => e / norm);
            };

            it('JVP equals central differences of the forward pass', () => {
              const v = unit();
              const plus = forwardAt(FD_STEP, v), minus = forwardAt(-FD_STEP, v);
              expect(relativeError(runner.jvp(v), plus.map((p, i) => (p - minus[i]) / (2 * FD_STEP)))).to.be.below(FD_TOLERANCE);
            });

            it('VJP gives ⟨Jᵀg, v⟩ = central difference of ⟨g, f(θ + εv)⟩', () => {
              const v = unit();
              const g = normals(rng, c.n * net.outputSize);
              const fd = (dot(g, forwardAt(FD_STEP, v)) - dot(g, forwardAt(-FD_STEP, v))) / (2 * FD_STEP);
              expect(Math.abs(dot(runner.vjp(g), v) - fd)).to.be.below(FD_TOLERANCE * Math.max(1, Math.abs(fd)));
            });
          }
        });
      }
    }
  }

  it('refuses a kernel that does not fit the image, naming the layer', () => {
    expect(() => new MlpNetwork({
      inputSize: 3 * 3, conv: { image: { height: 3, width: 3, channels: 1 }, layers: [{ filters: 2, kernel: 5, stride: 1 }] },
      hiddenSizes: [], outputSize: 1, activation: 'relu', precision: 'f32', extraParameters: 0,
    })).to.throw(/conv\[0\]: a 5×5 kernel does not fit the 3×3 input/);
  });
});
