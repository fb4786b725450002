// Orthogonal weight initialization (Saxe et al. 2014), the scheme Stable-Baselines3 uses for its MLPs.

import type { Rng } from '../rng.js';

/**
 * A rows × cols matrix (row-major) with orthonormal columns when rows ≥ cols, orthonormal rows otherwise, times
 * `gain`. Built by Gram–Schmidt on standard-normal vectors (orthogonalized twice for stability), which makes it
 * a uniformly (Haar) distributed orthogonal frame. Deterministic given the rng state.
 */
export function orthogonal(rows: number, cols: number, gain: number, rng: Rng): Float64Array {
  const length = Math.max(rows, cols);
  const count = Math.min(rows, cols);
  const vectors: Float64Array[] = [];
  for (let v = 0; v < count; v++) {
    const q = new Float64Array(length);
    rng.fillNormal(q);
    for (let pass = 0; pass < 2; pass++) {
      for (const previous of vectors) {
        let projection = 0;
        for (let i = 0; i < length; i++) projection += q[i] * previous[i];
        for (let i = 0; i < length; i++) q[i] -= projection * previous[i];
      }
    }
    let norm = 0;
    for (let i = 0; i < length; i++) norm += q[i] * q[i];
    norm = Math.sqrt(norm);
    for (let i = 0; i < length; i++) q[i] /= norm;
    vectors.push(q);
  }
  const matrix = new Float64Array(rows * cols);
  for (let r = 0; r < rows; r++) {
    for (let c = 0; c < cols; c++) {
      matrix[r * cols + c] = gain * (rows >= cols ? vectors[c][r] : vectors[r][c]);
    }
  }
  return matrix;
}
