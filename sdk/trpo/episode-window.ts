// The episode statistics of the log (rollout/ep_rew_mean, rollout/ep_len_mean): raw returns, not scaled ones.

/** Mean episode return and length over a window of the most recent episodes (SB3 keeps 100). */
export class EpisodeWindow {
  private returns: number[] = [];
  private lengths: number[] = [];
  total = 0;

  constructor(private readonly capacity = 100) {}

  add(ret: number, len: number): void {
    this.returns.push(ret);
    this.lengths.push(len);
    this.total++;
    if (this.returns.length > this.capacity) {
      this.returns.shift();
      this.lengths.shift();
    }
  }

  meanReturn(): number {
    return this.returns.length ? this.returns.reduce((a, b) => a + b, 0) / this.returns.length : NaN;
  }

  meanLength(): number {
    return this.lengths.length ? this.lengths.reduce((a, b) => a + b, 0) / this.lengths.length : NaN;
  }

  toJSON(): { returns: number[]; lengths: number[]; total: number } {
    return { returns: [...this.returns], lengths: [...this.lengths], total: this.total };
  }

  /** Replace the contents with a toJSON() record (checkpoint restore). */
  load(j: { returns: number[]; lengths: number[]; total: number }): void {
    this.returns = [...j.returns];
    this.lengths = [...j.lengths];
    this.total = j.total;
  }
}
