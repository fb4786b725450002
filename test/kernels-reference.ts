// Plain-TypeScript f64 reference of the kernel math, written independently of the wasm code (straight loops, no
// chunking, no packing): the oracle of the kernel tests and the "plain TS" baseline of bench/kernels.ts.
// θ layout: per layer W [out][in] row-major then b [out]; Gaussian log-std after the network parameters.

export type Activation = 'tanh' | 'relu';

export interface RefNet {
  dims: number[];
  activation: Activation;
}

export function paramCount(net: RefNet): number {
  let count = 0;
  for (let l = 0; l + 1 < net.dims.length; l++) count += net.dims[l + 1] * (net.dims[l] + 1);
  return count;
}

/** Activations of every layer: acts[0] = x, acts[l + 1] = layer l's output (the last one linear). */
export function forward(net: RefNet, theta: ArrayLike<number>, x: ArrayLike<number>, n: number): Float64Array[] {
  const { dims } = net;
  const acts: Float64Array[] = [Float64Array.from(x)];
  let offset = 0;
  for (let l = 0; l + 1 < dims.length; l++) {
    const inDim = dims[l], outDim = dims[l + 1];
    const input = acts[l];
    const output = new Float64Array(n * outDim);
    const last = l + 2 === dims.length;
    for (let r = 0; r < n; r++) {
      for (let o = 0; o < outDim; o++) {
        let z = theta[offset + outDim * inDim + o];
        for (let i = 0; i < inDim; i++) z += theta[offset + o * inDim + i] * input[r * inDim + i];
        output[r * outDim + o] = last ? z : activate(net.activation, z);
      }
    }
    acts.push(output);
    offset += outDim * (inDim + 1);
  }
  return acts;
}

function activate(activation: Activation, z: number): number {
  return activation === 'tanh' ? Math.tanh(z) : Math.max(0, z);
}

/** φ'(z) from h = φ(z). */
function derivative(activation: Activation, h: number): number {
  return activation === 'tanh' ? 1 - h * h : h > 0 ? 1 : 0;
}

/** Output tangent J v (n × d_L) for a parameter tangent v. */
export function jvp(net: RefNet, theta: ArrayLike<number>, acts: Float64Array[], n: number, v: ArrayLike<number>): Float64Array {
  const { dims } = net;
  let tangent = new Float64Array(n * dims[0]);
  let offset = 0;
  for (let l = 0; l + 1 < dims.length; l++) {
    const inDim = dims[l], outDim = dims[l + 1];
    const next = new Float64Array(n * outDim);
    const last = l + 2 === dims.length;
    for (let r = 0; r < n; r++) {
      for (let o = 0; o < outDim; o++) {
        let dz = v[offset + outDim * inDim + o];
        for (let i = 0; i < inDim; i++) {
          dz += v[offset + o * inDim + i] * acts[l][r * inDim + i] + theta[offset + o * inDim + i] * tangent[r * inDim + i];
        }
        next[r * outDim + o] = last ? dz : dz * derivative(net.activation, acts[l + 1][r * outDim + o]);
      }
    }
    tangent = next;
    offset += outDim * (inDim + 1);
  }
  return tangent;
}

/** Parameter gradient Σ_r J_rᵀ g_r for output cotangents g (n × d_L). */
export function vjp(net: RefNet, theta: ArrayLike<number>, acts: Float64Array[], n: number, g: ArrayLike<number>): Float64Array {
  const { dims } = net;
  const grad = new Float64Array(paramCount(net));
  const offsets: number[] = [];
  let offset = 0;
  for (let l = 0; l + 1 < dims.length; l++) {
    offsets.push(offset);
    offset += dims[l + 1] * (dims[l] + 1);
  }
  let cot = Float64Array.from(g);
  for (let l = dims.length - 2; l >= 0; l--) {
    const inDim = dims[l], outDim = dims[l + 1], base = offsets[l];
    const previous = new Float64Array(n * inDim);
    for (let r = 0; r < n; r++) {
      for (let o = 0; o < outDim; o++) {
        const c = cot[r * outDim + o];
        grad[base + outDim * inDim + o] += c;
        for (let i = 0; i < inDim; i++) {
          grad[base + o * inDim + i] += c * acts[l][r * inDim + i];
          previous[r * inDim + i] += c * theta[base + o * inDim + i];
        }
      }
    }
    if (l > 0) for (let j = 0; j < previous.length; j++) previous[j] *= derivative(net.activation, acts[l][j]);
    cot = previous;
  }
  return grad;
}

// --- distributions ----------------------------------------------------------------------------------------------

const LOG_2PI = Math.log(2 * Math.PI);

export function gaussianLogProb(mean: ArrayLike<number>, logStd: ArrayLike<number>, a: ArrayLike<number>, n: number, A: number): Float64Array {
  const out = new Float64Array(n);
  for (let r = 0; r < n; r++) {
    let lp = 0;
    for (let j = 0; j < A; j++) {
      const sd = Math.exp(logStd[j]);
      const d = a[r * A + j] - mean[r * A + j];
      lp += -(d * d) / (2 * sd * sd) - Math.log(sd) - 0.5 * LOG_2PI;
    }
    out[r] = lp;
  }
  return out;
}

export function gaussianKl(
  meanOld: ArrayLike<number>, logStdOld: ArrayLike<number>, meanNew: ArrayLike<number>, logStdNew: ArrayLike<number>, n: number, A: number,
): Float64Array {
  const out = new Float64Array(n);
  for (let r = 0; r < n; r++) {
    for (let j = 0; j < A; j++) {
      const v0 = Math.exp(2 * logStdOld[j]), v1 = Math.exp(2 * logStdNew[j]);
      const d = meanOld[r * A + j] - meanNew[r * A + j];
      out[r] += 0.5 * Math.log(v1 / v0) + (v0 + d * d) / (2 * v1) - 0.5;
    }
  }
  return out;
}

export function logSoftmax(logits: ArrayLike<number>, n: number, K: number): Float64Array {
  const out = new Float64Array(n * K);
  for (let r = 0; r < n; r++) {
    let m = -Infinity;
    for (let k = 0; k < K; k++) m = Math.max(m, logits[r * K + k]);
    let s = 0;
    for (let k = 0; k < K; k++) s += Math.exp(logits[r * K + k] - m);
    for (let k = 0; k < K; k++) out[r * K + k] = logits[r * K + k] - m - Math.log(s);
  }
  return out;
}

export function categoricalKl(logitsOld: ArrayLike<number>, logitsNew: ArrayLike<number>, n: number, K: number): Float64Array {
  const lp = logSoftmax(logitsOld, n, K), lq = logSoftmax(logitsNew, n, K);
  const out = new Float64Array(n);
  for (let r = 0; r < n; r++) for (let k = 0; k < K; k++) out[r] += Math.exp(lp[r * K + k]) * (lp[r * K + k] - lq[r * K + k]);
  return out;
}

// --- policies ---------------------------------------------------------------------------------------------------

export interface RefPolicy {
  net: RefNet;
  kind: 'gaussian' | 'categorical';
}

/** Mean KL(π_old ‖ π_θ) over the states x, and its gradient with respect to θ. */
export function meanKlAndGrad(policy: RefPolicy, thetaOld: ArrayLike<number>, theta: ArrayLike<number>, x: ArrayLike<number>, n: number): { kl: number; grad: Float64Array } {
  const { net } = policy;
  const P = paramCount(net);
  const K = net.dims[net.dims.length - 1];
  const old = forward(net, thetaOld, x, n).at(-1)!;
  const acts = forward(net, theta, x, n);
  const out = acts.at(-1)!;
  const cot = new Float64Array(n * K);
  if (policy.kind === 'gaussian') {
    const sOld = Array.from({ length: K }, (_, j) => thetaOld[P + j]);
    const s = Array.from({ length: K }, (_, j) => theta[P + j]);
    const kl = gaussianKl(old, sOld, out, s, n, K).reduce((a, b) => a + b, 0) / n;
    const gradS = new Float64Array(K);
    for (let r = 0; r < n; r++) {
      for (let j = 0; j < K; j++) {
        const v0 = Math.exp(2 * sOld[j]), v1 = Math.exp(2 * s[j]);
        const d = out[r * K + j] - old[r * K + j];
        cot[r * K + j] = d / v1 / n;
        gradS[j] += (1 - (v0 + d * d) / v1) / n;
      }
    }
    const grad = new Float64Array(P + K);
    grad.set(vjp(net, theta, acts, n, cot));
    grad.set(gradS, P);
    return { kl, grad };
  }
  const lp = logSoftmax(old, n, K), lq = logSoftmax(out, n, K);
  const kl = categoricalKl(old, out, n, K).reduce((a, b) => a + b, 0) / n;
  for (let i = 0; i < n * K; i++) cot[i] = (Math.exp(lq[i]) - Math.exp(lp[i])) / n;
  return { kl, grad: vjp(net, theta, acts, n, cot) };
}

/** Analytic Fisher-vector product (1/n) Σ Jᵀ M J v (+ the Gaussian log-std block 2 v_s), plain loops. */
export function fisherVectorProduct(policy: RefPolicy, theta: ArrayLike<number>, x: ArrayLike<number>, n: number, v: ArrayLike<number>): Float64Array {
  const { net } = policy;
  const P = paramCount(net);
  const K = net.dims[net.dims.length - 1];
  const acts = forward(net, theta, x, n);
  const jv = jvp(net, theta, acts, n, v);
  const u = new Float64Array(n * K);
  if (policy.kind === 'gaussian') {
    for (let r = 0; r < n; r++) for (let j = 0; j < K; j++) u[r * K + j] = jv[r * K + j] * Math.exp(-2 * theta[P + j]) / n;
    const out = new Float64Array(P + K);
    out.set(vjp(net, theta, acts, n, u));
    for (let j = 0; j < K; j++) out[P + j] = 2 * v[P + j];
    return out;
  }
  const lp = logSoftmax(acts.at(-1)!, n, K);
  for (let r = 0; r < n; r++) {
    let pDz = 0;
    for (let k = 0; k < K; k++) pDz += Math.exp(lp[r * K + k]) * jv[r * K + k];
    for (let k = 0; k < K; k++) u[r * K + k] = Math.exp(lp[r * K + k]) * (jv[r * K + k] - pDz) / n;
  }
  return vjp(net, theta, acts, n, u);
}

/** Adam as in PyTorch (bias-corrected), in place; returns the new step count. */
export function adam(
  theta: Float64Array, grad: ArrayLike<number>, m: Float64Array, v: Float64Array, step: number,
  lr: number, beta1: number, beta2: number, eps: number,
): number {
  const t = step + 1;
  for (let i = 0; i < theta.length; i++) {
    m[i] = beta1 * m[i] + (1 - beta1) * grad[i];
    v[i] = beta2 * v[i] + (1 - beta2) * grad[i] * grad[i];
    const mHat = m[i] / (1 - beta1 ** t), vHat = v[i] / (1 - beta2 ** t);
    theta[i] -= (lr * mHat) / (Math.sqrt(vHat) + eps);
  }
  return t;
}
