// Generalized advantage estimation (Schulman et al. 2016) over a rollout of nSteps × numEnvs, time-major
// (index t·numEnvs + e), f64 throughout.
//
//   δ_t = r_t + γ · V_next,t − V(s_t),   A_t = δ_t + γλ · (1 − done_t) · A_{t+1},   R_t = A_t + V(s_t)
// where the episode bootstraps unless it ended by termination:
//   terminated_t        → V_next = 0 and the recursion restarts (done)
//   truncated_t         → V_next = truncationValues[t, e] = V(final observation), supplied by the caller; done
//   neither, t < T − 1  → V_next = V(s_{t+1}) = values[t + 1, e]
//   neither, t = T − 1  → V_next = lastValues[e] = V(observation after the rollout)
// If both flags are set the step counts as terminated (no bootstrap). Flags are bytes (0 or 1).

export function gae(
  rewards: usize, values: usize, terminated: usize, truncated: usize, truncationValues: usize, lastValues: usize,
  nSteps: i32, numEnvs: i32, gamma: f64, lambda: f64, advantages: usize, returns: usize,
): void {
  for (let e = 0; e < numEnvs; e++) {
    let next: f64 = 0; // A_{t+1}; 0 past the end of the rollout
    for (let t = nSteps - 1; t >= 0; t--) {
      const i = <usize>t * <usize>numEnvs + <usize>e;
      const off = i << 3;
      const value = load<f64>(values + off);
      let nextValue: f64;
      let done = true;
      if (load<u8>(terminated + i) != 0) nextValue = 0;
      else if (load<u8>(truncated + i) != 0) nextValue = load<f64>(truncationValues + off);
      else {
        done = false;
        nextValue = t == nSteps - 1 ? load<f64>(lastValues + (<usize>e << 3)) : load<f64>(values + off + (<usize>numEnvs << 3));
      }
      const delta = load<f64>(rewards + off) + gamma * nextValue - value;
      next = delta + (done ? 0 : gamma * lambda * next);
      store<f64>(advantages + off, next);
      store<f64>(returns + off, next + value);
    }
  }
}
