// The episode's return and each reward term, summed as they accrue, drawn on a plain 2D canvas.
const COLOURS = ['#111111', '#d62728', '#1f77b4', '#2ca02c', '#ff7f0e', '#9467bd', '#8c564b', '#e377c2'];

export class RewardChart {
  private readonly series = new Map<string, number[]>();

  constructor(private readonly canvas: HTMLCanvasElement) {}

  reset(names: readonly string[]): void {
    this.series.clear();
    for (const name of names) this.series.set(name, [0]);
  }

  /** Adds one step: the running sum of each named value. */
  push(values: Record<string, number>): void {
    for (const [name, points] of this.series) points.push(points[points.length - 1] + (values[name] ?? 0));
  }

  draw(): void {
    const c = this.canvas.getContext('2d');
    if (!c) return;
    const { width, height } = this.canvas;
    c.clearRect(0, 0, width, height);
    let min = 0;
    let max = 1;
    let steps = 1;
    for (const points of this.series.values()) {
      for (const v of points) { min = Math.min(min, v); max = Math.max(max, v); }
      steps = Math.max(steps, points.length - 1);
    }
    const pad = 36;
    const x = (i: number) => pad + (i / steps) * (width - pad - 8);
    const y = (v: number) => height - 18 - ((v - min) / (max - min)) * (height - 30);
    c.strokeStyle = '#999';
    c.beginPath();
    c.moveTo(pad, y(0));
    c.lineTo(width - 8, y(0));
    c.stroke();
    c.font = '11px sans-serif';
    c.fillStyle = '#333';
    c.fillText(max.toFixed(0), 2, y(max) + 4);
    c.fillText(min.toFixed(0), 2, y(min));
    c.fillText(`${steps} steps`, width - 70, height - 4);
    let k = 0;
    for (const [name, points] of this.series) {
      const colour = COLOURS[k % COLOURS.length];
      c.strokeStyle = colour;
      c.lineWidth = k === 0 ? 2 : 1.2;
      c.beginPath();
      points.forEach((v, i) => (i === 0 ? c.moveTo(x(i), y(v)) : c.lineTo(x(i), y(v))));
      c.stroke();
      c.fillStyle = colour;
      c.fillText(`${name} ${points[points.length - 1].toFixed(1)}`, pad + 4 + 150 * (k % 4), 12 + 13 * Math.floor(k / 4));
      k++;
    }
  }
}
