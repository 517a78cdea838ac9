/**
 * A one-line progress renderer for long work (the original's tqdm): on a terminal the line is redrawn in place at
 * most every 100 ms; elsewhere (logs, pipes) only the final line is printed, so log files stay readable.
 */
export class ProgressBar {
  private last = 0;
  private readonly t0 = performance.now();
  private readonly tty: boolean;

  constructor(
    private readonly label: string,
    private readonly total: number,
    private readonly stream: NodeJS.WriteStream = process.stderr,
  ) {
    this.tty = !!stream.isTTY;
  }

  /** `text` = the description (e.g. the loss line); `done` = units finished. */
  update(done: number, text = ''): void {
    const now = performance.now();
    const final = done >= this.total;
    if (!final && (!this.tty || now - this.last < 100)) return;
    this.last = now;
    const line = this.render(done, text, now);
    if (this.tty) this.stream.write(`\r\x1b[K${line}${final ? '\n' : ''}`);
    else if (final) this.stream.write(`${line}\n`);
  }

  private render(done: number, text: string, now: number): string {
    const frac = this.total > 0 ? Math.min(1, done / this.total) : 1;
    const width = 20;
    const fill = Math.round(frac * width);
    const el = (now - this.t0) / 1000;
    const eta = done > 0 ? (el / done) * (this.total - done) : NaN;
    const pct = `${Math.round(frac * 100)}`.padStart(3);
    return `${this.label}${text} ${pct}%|${'█'.repeat(fill)}${' '.repeat(width - fill)}| ${done}/${this.total} [${fmt(el)}<${fmt(eta)}]`;
  }
}

function fmt(s: number): string {
  if (!Number.isFinite(s)) return '?';
  const m = Math.floor(s / 60);
  return `${String(m).padStart(2, '0')}:${String(Math.floor(s % 60)).padStart(2, '0')}`;
}

/** A progress callback for the data lib's `{ phase, done, total }` events: one bar per phase. */
export function phaseProgress(label: string): (e: { phase: string; done: number; total: number }) => void {
  let bar: ProgressBar | undefined;
  let phase = '';
  return (e) => {
    if (!bar || e.phase !== phase) {
      phase = e.phase;
      bar = new ProgressBar(`${label}${e.phase} `, e.total);
    }
    bar.update(e.done);
  };
}
