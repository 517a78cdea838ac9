/**
 * A synchronous GPU → CPU read for tfjs-backend-webgpu on Dawn's Node binding.
 *
 * tfjs' `readSync` (behind `dataSync` / `arraySync`) copies the buffer through `OffscreenCanvas` textures and a 2-D
 * canvas' `getImageData`, the one synchronous GPU read a browser has; Node has no canvas. Dawn's binding resolves
 * `mapAsync` from `wgpuInstanceProcessEvents`, which it schedules by calling the global `setImmediate` with a native
 * callback (dawn/node/binding/AsyncRunner). {@link installEventPump} wraps `setImmediate` so those callbacks are
 * known; {@link mapReadSync} then runs them itself until the staging buffer is mapped, without yielding to the event
 * loop. The callbacks it runs early do not run again when their immediate fires.
 */

interface PendingEvent {
  fn: () => void;
  done: boolean;
}

const pending = new Set<PendingEvent>();
let installed = false;

/** Dawn's scheduling callback: a native function, no name, called with no arguments. */
function isDawnCallback(fn: unknown, args: unknown[]): fn is () => void {
  return typeof fn === 'function' && args.length === 0 && fn.name === '' && Function.prototype.toString.call(fn).includes('[native code]');
}

/** Wraps the global `setImmediate` to track Dawn's event-processing callbacks (idempotent; before Dawn is used). */
export function installEventPump(): void {
  if (installed) return;
  installed = true;
  const real = globalThis.setImmediate;
  const wrapped = function setImmediate(fn: (...a: unknown[]) => void, ...args: unknown[]) {
    if (!isDawnCallback(fn, args)) return real(fn, ...args);
    const ev: PendingEvent = { fn, done: false };
    pending.add(ev);
    return real(() => runEvent(ev));
  };
  Object.assign(wrapped, real); // keeps util.promisify.custom
  globalThis.setImmediate = wrapped as typeof globalThis.setImmediate;
}

function runEvent(ev: PendingEvent): void {
  if (ev.done) return;
  ev.done = true;
  pending.delete(ev);
  ev.fn();
}

/** Runs Dawn's queued event processing once; false when nothing was queued. */
function pumpOnce(): boolean {
  if (pending.size === 0) return false;
  for (const ev of [...pending]) runEvent(ev);
  return true;
}

/** Minimal view of a GPUBuffer with MAP_READ usage. */
export interface MappableBuffer {
  mapAsync(mode: number, offset?: number, size?: number): Promise<void>;
  readonly mapState: string;
  getMappedRange(offset?: number, size?: number): ArrayBuffer;
  unmap(): void;
}

const sleeper = new Int32Array(new SharedArrayBuffer(4));

/**
 * Maps `buffer` for reading and returns a copy of its bytes, blocking until the GPU has finished the work submitted
 * before (the caller submits the copy into it first). `mapModeRead` is `GPUMapMode.READ`. Throws after `timeoutMs`.
 */
export function mapReadSync(buffer: MappableBuffer, mapModeRead: number, timeoutMs = 600_000): ArrayBuffer {
  if (!installed) throw new Error('mapReadSync: installEventPump() was not called before Dawn was used');
  let failed: unknown;
  buffer.mapAsync(mapModeRead).catch((e: unknown) => (failed = e));
  const start = Date.now();
  let idle = 0;
  while (buffer.mapState !== 'mapped') {
    if (buffer.mapState === 'unmapped') throw new Error(`GPU buffer mapping failed${failed ? `: ${String(failed)}` : ''}`);
    if (!pumpOnce()) throw new Error('GPU buffer mapping cannot complete synchronously: Dawn scheduled no event processing');
    // the GPU (or its CPU emulation) works on other threads: back off a little instead of spinning a core
    if (++idle > 64) Atomics.wait(sleeper, 0, 0, 1);
    if (Date.now() - start > timeoutMs) throw new Error(`GPU buffer mapping did not complete within ${timeoutMs} ms`);
  }
  const bytes = buffer.getMappedRange().slice(0);
  buffer.unmap();
  return bytes;
}
