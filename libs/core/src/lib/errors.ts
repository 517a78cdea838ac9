/**
 * An error caused by the user's input (a file, a flag, a record) rather than by a bug.
 * Apps print only its message (no stack trace) and exit with a non-zero code.
 * The message names the file/record, says what is wrong and what to do.
 */
export class VigilUserError extends Error {
  override readonly name = 'VigilUserError';
  constructor(
    message: string,
    /** Optional file the problem is in. */
    readonly file?: string,
  ) {
    super(message);
  }
}

/** Throws a {@link VigilUserError} when `cond` is false. */
export function ensure(cond: unknown, message: string | (() => string)): asserts cond {
  if (!cond) throw new VigilUserError(typeof message === 'string' ? message : message());
}

/** Validates that `value` is a finite number inside [min, max]; names the option in the error. */
export function checkRange(name: string, value: number, min: number, max: number): void {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < min || value > max) {
    throw new VigilUserError(`${name} must be a number in [${min}, ${max}], got ${String(value)}`);
  }
}

/**
 * Runs a CLI entry point: a {@link VigilUserError} prints `<name>: <message>` (no stack trace) and exits with code 2;
 * anything else is a bug and propagates with its stack.
 */
export async function runCli(name: string, main: () => Promise<void>): Promise<void> {
  try {
    await main();
  } catch (e) {
    if (e instanceof VigilUserError) {
      process.stderr.write(`${name}: ${e.message}\n`);
      process.exitCode = 2;
      return;
    }
    throw e;
  }
}
