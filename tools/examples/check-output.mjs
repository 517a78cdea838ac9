// Checks of tools/examples/run-external.mjs that do not need a scratch project (unit-tested in tools/examples.spec.ts).

/** A check that failed: the runner prints its message as one line (no stack trace). */
export class Failure extends Error {}

/** Checks the example's output: a header line, then `<class> <score> [x1, y1, x2, y2]` lines inside the image. */
export function checkDetectOutput(stdout, names, width, height) {
  const fail = (msg) => {
    throw new Failure(msg);
  };
  const lines = stdout.trim().split('\n');
  const head = /^(.+): (\d+) detection\(s\)$/.exec(lines[0] ?? '');
  if (!head) fail(`the example's first line should be "<image>: <n> detection(s)", got: ${JSON.stringify(lines[0] ?? '')}`);
  const n = Number(head[2]);
  if (n < 1) fail('the example found no detections (expected at least one at this threshold)');
  if (lines.length !== n + 1) fail(`the example announced ${n} detection(s) but printed ${lines.length - 1} line(s)`);
  const row = /^(\S+) (0\.\d{3}|1\.000) \[(-?\d+), (-?\d+), (-?\d+), (-?\d+)\]$/;
  let last = Infinity;
  for (const line of lines.slice(1)) {
    const m = row.exec(line);
    if (!m) fail(`malformed detection line: ${JSON.stringify(line)} (expected "<class> <score> [x1, y1, x2, y2]")`);
    if (!names.includes(m[1])) fail(`detection class "${m[1]}" is not one of the checkpoint's names (${names.join(', ')})`);
    const score = Number(m[2]);
    if (score > last) fail('detections are not sorted by score');
    last = score;
    const [x1, y1, x2, y2] = m.slice(3).map(Number);
    if (!(x1 >= 0 && y1 >= 0 && x2 <= width && y2 <= height && x1 <= x2 && y1 <= y2)) {
      fail(`box [${x1}, ${y1}, ${x2}, ${y2}] is not inside the ${width}×${height} image`);
    }
  }
  return n;
}
