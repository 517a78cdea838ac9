/** A one-line progress bar on a stream (redrawn in place on a terminal, a line per 10 % otherwise). */
export class ProgressBar {
  private lastDecile = -1;
  private readonly t0 = performance.now();
  constructor(
    private readonly total: number,
    private readonly label: string,
    private readonly stream: NodeJS.WriteStream | undefined = process.stderr,
  ) {}

  update(done: number): void {
    if (!this.stream || this.total === 0) return;
    const frac = Math.min(1, done / this.total);
    const secs = (performance.now() - this.t0) / 1000;
    const rate = done > 0 ? done / secs : 0;
    const eta = rate > 0 ? (this.total - done) / rate : 0;
    const width = 30;
    const filled = Math.round(frac * width);
    const line = `${this.label} ${String(Math.round(frac * 100)).padStart(3)}% |${'█'.repeat(filled)}${' '.repeat(width - filled)}| ${done}/${this.total} [${secs.toFixed(0)}s<${eta.toFixed(0)}s, ${rate.toFixed(2)} img/s]`;
    if (this.stream.isTTY) {
      this.stream.write(`\r${line}${done >= this.total ? '\n' : ''}`);
    } else {
      const decile = Math.floor(frac * 10);
      if (decile !== this.lastDecile) {
        this.lastDecile = decile;
        this.stream.write(`${line}\n`);
      }
    }
  }
}
