// Jacobian cache of an MLP (see mlp.ts for the network and its layouts).
//
// Optional, for Fisher products on a fixed batch: S_l = ∂Y/∂Z_l per row (d_L × d_{l+1}) for the
// layers below the last hidden one, l < L − 2. With it, JVP and VJP skip pushing tangents through the layers in
// between: dY = Σ_{l<L−2} S_l·(H_{l−1}dW_lᵀ + db_l) + (the top two layers as usual), and G_l = S_lᵀ g. For
// d_L ≪ width this removes the middle layers' second product (one product per layer instead of two). Layout: for
// each cached layer a block of n·d_L rows of width d_{l+1} (row r·d_L + a holds ∂Y_a/∂Z_l of state r).

import { CHUNK, Mlp, dim, hiddenRow, mulDerivative, weightOffset, wsGemm } from './mlp';
import { gemmNN } from './gemm';
import { hsum, lanes, splat } from './simd';

// @ts-ignore: decorator
@inline export function firstPropagated(net: Mlp, jacobian: usize): i32 {
  return jacobian == 0 || net.conv != 0 ? 0 : max(0, net.layers - 2);
}

/** Elements of the Jacobian cache for n rows (0 when the network has fewer than two hidden layers). */
export function jacobianCount(net: Mlp, n: i32): i32 {
  if (net.conv != 0) return 0; // CNNs propagate through every layer (the dense part is short)
  let count = 0;
  for (let l = 0; l < net.layers - 2; l++) count += n * dim(net, net.layers) * dim(net, l + 1);
  return count;
}

/** Elements of the scratch buildJacobianCache needs: one chunk of S_{L−2}. */
export function jacobianScratchCount(net: Mlp): i32 {
  return net.layers < 3 || net.conv != 0 ? 0 : CHUNK * dim(net, net.layers) * dim(net, net.layers - 1);
}

/** Pointer to the rows of state r0 in the cached S_l (cache laid out for n rows). */
export function jacobianRow<T>(net: Mlp, jacobian: usize, l: i32, n: i32, r0: i32): usize {
  const A = <usize>dim(net, net.layers);
  let offset: usize = 0;
  for (let m = 0; m < l; m++) offset += <usize>n * A * <usize>dim(net, m + 1);
  return jacobian + (offset + <usize>r0 * A * <usize>dim(net, l + 1)) * sizeof<T>();
}

/** y[r][a] += Σ_j S[r][a][j] · t[r][j] (S: rows·A × d, t: rows × d, y: rows × A); vectors along j. */
export function jacobianApply<T>(s: usize, t: usize, y: usize, rows: i32, A: i32, d: i32): void {
  const L = lanes<T>();
  const dv = d - d % L;
  const rowBytes = <usize>d * sizeof<T>();
  for (let r = 0; r < rows; r++) {
    const tr = t + <usize>r * rowBytes;
    for (let a = 0; a < A; a++) {
      const sr = s + (<usize>r * <usize>A + <usize>a) * rowBytes;
      let acc0 = splat<T>(0), acc1 = splat<T>(0);
      let j = 0;
      for (; j + 2 * L <= dv; j += 2 * L) {
        const off = <usize>j * sizeof<T>();
        acc0 = v128.add<T>(acc0, v128.mul<T>(v128.load(sr + off), v128.load(tr + off)));
        acc1 = v128.add<T>(acc1, v128.mul<T>(v128.load(sr + off, 16), v128.load(tr + off, 16)));
      }
      for (; j < dv; j += L) {
        const off = <usize>j * sizeof<T>();
        acc0 = v128.add<T>(acc0, v128.mul<T>(v128.load(sr + off), v128.load(tr + off)));
      }
      let sum = hsum<T>(v128.add<T>(acc0, acc1));
      for (; j < d; j++) sum += <f64>load<T>(sr + <usize>j * sizeof<T>()) * <f64>load<T>(tr + <usize>j * sizeof<T>());
      const py = y + (<usize>r * <usize>A + <usize>a) * sizeof<T>();
      store<T>(py, load<T>(py) + <T>sum);
    }
  }
}

/**
 * g[r][j] = Σ_a u[r][a] · S[r][a][j] (S: rows·A × d, u: rows × A, g: rows × d); two vectors of j at a time stay in
 * registers while a runs, so g is written once.
 */
export function jacobianTransposeApply<T>(s: usize, u: usize, g: usize, rows: i32, A: i32, d: i32): void {
  const L = lanes<T>();
  const dv = d - d % L;
  const rowBytes = <usize>d * sizeof<T>();
  for (let r = 0; r < rows; r++) {
    const gr = g + <usize>r * rowBytes;
    const ur = u + <usize>r * <usize>A * sizeof<T>();
    const sr = s + <usize>r * <usize>A * rowBytes;
    let j = 0;
    for (; j + 2 * L <= dv; j += 2 * L) {
      const off = <usize>j * sizeof<T>();
      let acc0 = splat<T>(0), acc1 = splat<T>(0);
      for (let a = 0; a < A; a++) {
        const uv = v128.splat<T>(load<T>(ur + <usize>a * sizeof<T>()));
        const p = sr + <usize>a * rowBytes + off;
        acc0 = v128.add<T>(acc0, v128.mul<T>(uv, v128.load(p)));
        acc1 = v128.add<T>(acc1, v128.mul<T>(uv, v128.load(p, 16)));
      }
      v128.store(gr + off, acc0);
      v128.store(gr + off, acc1, 16);
    }
    for (; j < dv; j += L) {
      const off = <usize>j * sizeof<T>();
      let acc = splat<T>(0);
      for (let a = 0; a < A; a++) {
        acc = v128.add<T>(acc, v128.mul<T>(v128.splat<T>(load<T>(ur + <usize>a * sizeof<T>())), v128.load(sr + <usize>a * rowBytes + off)));
      }
      v128.store(gr + off, acc);
    }
    for (; j < d; j++) {
      let sum: T = <T>0;
      for (let a = 0; a < A; a++) sum += load<T>(ur + <usize>a * sizeof<T>()) * load<T>(sr + <usize>a * rowBytes + <usize>j * sizeof<T>());
      store<T>(gr + <usize>j * sizeof<T>(), sum);
    }
  }
}

/**
 * Fills the Jacobian cache for n rows from the hidden cache of a forward pass at the current θ, chunk by chunk:
 *   S_{L−2} = W_{L−1} ⊙ φ'(Z_{L−2}) (each of the d_L rows of W_{L−1} scaled by the state's φ'), built in `scratch`;
 *   S_l = (S_{l+1} · W_{l+1}) ⊙ φ'(Z_l) for l = L−3 … 0: one product of the stacked (rows·d_L) × d_{l+2} matrix.
 */
export function buildJacobianCache<T>(net: Mlp, hidden: usize, n: i32, jacobian: usize, scratch: usize, ws: usize): void {
  const L = net.layers;
  if (L < 3 || net.conv != 0) return;
  const A = dim(net, L);
  const top = dim(net, L - 1);
  const wTop = net.params + <usize>weightOffset(net, L - 1) * sizeof<T>();
  const topBytes = <usize>top * sizeof<T>();
  for (let r0 = 0; r0 < n; r0 += CHUNK) {
    const rows = min(CHUNK, n - r0);
    const hTop = hiddenRow<T>(net, hidden, L - 2, n, r0);
    for (let r = 0; r < rows; r++) {
      const sr = scratch + <usize>r * <usize>A * topBytes;
      memory.copy(sr, wTop, <usize>A * topBytes);
      for (let a = 0; a < A; a++) mulDerivative<T>(sr + <usize>a * topBytes, hTop + <usize>r * topBytes, top, net.activation);
    }
    let previous = scratch, previousDim = top;
    for (let l = L - 3; l >= 0; l--) {
      const d = dim(net, l + 1);
      const dst = jacobianRow<T>(net, jacobian, l, n, r0);
      const w = net.params + <usize>weightOffset(net, l + 1) * sizeof<T>();
      gemmNN<T>(previous, previousDim, w, d, dst, d, rows * A, previousDim, d, 0, false, wsGemm<T>(net, ws));
      const h = hiddenRow<T>(net, hidden, l, n, r0);
      const dBytes = <usize>d * sizeof<T>();
      for (let r = 0; r < rows; r++) {
        for (let a = 0; a < A; a++) mulDerivative<T>(dst + (<usize>r * <usize>A + <usize>a) * dBytes, h + <usize>r * dBytes, d, net.activation);
      }
      previous = dst;
      previousDim = d;
    }
  }
}
