/** A check that failed: the runner prints its message as one line (no stack trace). */
export declare class Failure extends Error {}
/**
 * Checks the example's output: a header line `<image>: <n> detection(s)` (n ≥ 1), then n lines
 * `<class> <score> [x1, y1, x2, y2]` with classes from `names`, scores descending, boxes inside `width × height`.
 * Returns n; throws {@link Failure} naming the first problem.
 */
export declare function checkDetectOutput(stdout: string, names: readonly string[], width: number, height: number): number;
