import { readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';

/**
 * Multi-threaded convolutions for the portable path. tfjs-backend-wasm's heap is not shared memory, so the threaded
 * kernels run the same C code (`wasm/kernels-mt.wasm`, built for a shared memory) on a memory of their own: the main
 * thread copies the operands in, it and `threads − 1` worker threads take chunks of the batch (whole images) from a
 * shared counter, and the result is copied back. A chunk nobody else has taken yet is run by the main thread, so a
 * worker that the OS does not schedule (busy machine) delays nothing but its own chunk. Results do not depend on
 * which thread ran which chunk: forward / input-gradient chunks write disjoint images; the filter gradient is summed
 * per fixed image range, then the ranges are added in a fixed order.
 */
export type ConvKind = 'fwd' | 'bwdData' | 'bwdWeights';
const KIND_ID: Record<ConvKind, number> = { fwd: 0, bwdData: 1, bwdWeights: 2 };

interface MtExports {
  __stack_pointer: { value: number };
  conv_scratch_floats(dims: number): number;
  add_inplace(a: number, b: number, n: number): void;
}
interface WasmMemory {
  buffer: ArrayBuffer;
  grow(pages: number): number;
}
interface WasmApi {
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object, imports: object) => { exports: unknown };
  Memory: new (d: { initial: number; maximum: number; shared: boolean }) => WasmMemory;
}
const WA = (globalThis as unknown as { WebAssembly: WasmApi }).WebAssembly;

// Memory layout: [0, CTL) unused, control words at CTL, one 64 KiB stack per thread, then the job's data.
const CTL = 1024;
const STACK_BYTES = 64 * 1024;
const MAX_THREADS = 8;
const DATA = 2 * STACK_BYTES + MAX_THREADS * STACK_BYTES;
const PAGE = 65536;
const MAX_PAGES = 32768; // 2 GiB, as kernels-mt.wasm declares
// Control word indices (Int32) at CTL.
const JOB = 0, CLAIM = 1, DONE = 2, NCHUNKS = 3, KIND = 4, DIMS = 5, A = 6, B = 7, OUT = 8, SCRATCH = 9, SCRATCH_STRIDE = 10,
  N = 11, PART = 12, OUT_BYTES = 13, FAILED = 14;
const CHUNK_BITS = 11;
const MAX_CHUNKS = (1 << CHUNK_BITS) - 1;

// Run by the main thread and the workers (the worker gets this source text: keep it self-contained, plain JS).
const WORK_SOURCE = `
function runChunk(E, ctl, c, slot) {
  const nch = ctl[${NCHUNKS}], n = ctl[${N}];
  const n0 = Math.floor((c * n) / nch), n1 = Math.floor(((c + 1) * n) / nch);
  const scratch = ctl[${SCRATCH}] + slot * ctl[${SCRATCH_STRIDE}];
  const kind = ctl[${KIND}];
  if (kind === 0) E.conv_fwd(ctl[${DIMS}], ctl[${A}], ctl[${B}], ctl[${OUT}], scratch, n0, n1);
  else if (kind === 1) E.conv_bwd_data(ctl[${DIMS}], ctl[${A}], ctl[${B}], ctl[${OUT}], scratch, n0, n1);
  else E.conv_bwd_weights(ctl[${DIMS}], ctl[${A}], ctl[${B}], c === 0 ? ctl[${OUT}] : ctl[${PART}] + (c - 1) * ctl[${OUT_BYTES}], scratch, n0, n1);
}
function work(E, ctl, job, slot) {
  for (;;) {
    const w = Atomics.load(ctl, ${CLAIM});
    if (w >>> ${CHUNK_BITS} !== (job & 0xfffff)) return;
    const c = w & ${(1 << CHUNK_BITS) - 1};
    if (c >= ctl[${NCHUNKS}]) return;
    if (Atomics.compareExchange(ctl, ${CLAIM}, w, w + 1) !== w) continue;
    try { runChunk(E, ctl, c, slot); } catch (e) { Atomics.store(ctl, ${FAILED}, 1); }
    Atomics.add(ctl, ${DONE}, 1);
    Atomics.notify(ctl, ${DONE});
  }
}`;

const WORKER_SOURCE = `
const { workerData } = require('node:worker_threads');
${WORK_SOURCE}
const { module, memory, slot, stackTop, ctlOffset } = workerData;
const E = new WebAssembly.Instance(module, { env: { memory } }).exports;
E.__stack_pointer.value = stackTop;
const ctl = new Int32Array(memory.buffer, ctlOffset, 64);
let seen = Atomics.load(ctl, ${JOB});
for (;;) {
  Atomics.wait(ctl, ${JOB}, seen);
  seen = Atomics.load(ctl, ${JOB});
  work(E, ctl, seen, slot);
}`;

type WorkFn = (E: unknown, ctl: Int32Array, job: number, slot: number) => void;
// The same source text the workers run.
const mainWork = new Function(`${WORK_SOURCE}\nreturn work;`)() as WorkFn;

const align16 = (n: number): number => (n + 15) & ~15;

export class SimdThreadPool {
  private readonly memory: WasmMemory;
  private readonly E: MtExports;
  private readonly workers: Worker[] = [];
  private job = 0;

  private constructor(readonly threads: number, modulePath: string) {
    const module = new WA.Module(readFileSync(modulePath));
    this.memory = new WA.Memory({ initial: Math.ceil((DATA + PAGE) / PAGE), maximum: MAX_PAGES, shared: true });
    this.E = new WA.Instance(module, { env: { memory: this.memory } }).exports as unknown as MtExports;
    this.E.__stack_pointer.value = 2 * STACK_BYTES;
    for (let slot = 1; slot < threads; slot++) {
      const w = new Worker(WORKER_SOURCE, {
        eval: true,
        workerData: { module, memory: this.memory, slot, stackTop: 2 * STACK_BYTES + slot * STACK_BYTES, ctlOffset: CTL },
      });
      w.unref();
      w.on('error', () => undefined); // a worker that fails only leaves its chunks to the main thread
      this.workers.push(w);
    }
  }

  /** A pool of `threads` threads (≥ 2), or undefined when fewer are wanted or it cannot start. */
  static create(threads: number, modulePath: string): SimdThreadPool | undefined {
    if (threads < 2) return undefined;
    try {
      return new SimdThreadPool(Math.min(threads, MAX_THREADS), modulePath);
    } catch {
      return undefined;
    }
  }

  /** Stops the worker threads (the pool is unusable afterwards). */
  dispose(): void {
    for (const w of this.workers) void w.terminate();
    this.workers.length = 0;
  }

  private ctl(): Int32Array {
    return new Int32Array(this.memory.buffer, CTL, 64);
  }

  /**
   * Runs one convolution kernel over the batch: `dims` as kernels.c's conv kernels take them (N first), `a` / `b` the
   * operands (x, w for fwd; dy, w for bwdData; x, dy for bwdWeights), `out` receives the result. Views may be on any
   * memory (they are copied); `out` is written after all threads finished.
   */
  conv(kind: ConvKind, dims: readonly number[], a: Float32Array, b: Float32Array, out: Float32Array): void {
    const n = dims[0]!;
    const nch = kind === 'bwdWeights' ? Math.min(this.threads, n) : Math.min(n, MAX_CHUNKS);
    // Close the claim word first (tag of the next job, no chunk left): a worker still looping on the previous job
    // fails its compare-exchange instead of taking a chunk while the arguments below are being rewritten.
    const job = (this.job + 1) & 0xfffff;
    Atomics.store(this.ctl(), CLAIM, (job << CHUNK_BITS) | MAX_CHUNKS);
    // Layout: dims | a | b | out | partials (bwdWeights) | scratch × threads
    const dimsAt = DATA;
    const aAt = align16(dimsAt + 4 * 16);
    const bAt = align16(aAt + 4 * a.length);
    const outAt = align16(bAt + 4 * b.length);
    const outBytes = align16(4 * out.length);
    const partAt = outAt + outBytes;
    const scratchAt = partAt + (kind === 'bwdWeights' ? (nch - 1) * outBytes : 0);
    new Int32Array(this.memory.buffer, dimsAt, dims.length).set(dims);
    const stride = align16(4 * this.E.conv_scratch_floats(dimsAt) + 16);
    const end = scratchAt + this.threads * stride;
    const have = this.memory.buffer.byteLength;
    if (end > have) this.memory.grow(Math.ceil((end - have) / PAGE));
    const buf = this.memory.buffer;
    new Float32Array(buf, aAt, a.length).set(a);
    new Float32Array(buf, bAt, b.length).set(b);
    const ctl = this.ctl();
    ctl[NCHUNKS] = nch;
    ctl[KIND] = KIND_ID[kind];
    ctl[DIMS] = dimsAt;
    ctl[A] = aAt;
    ctl[B] = bAt;
    ctl[OUT] = outAt;
    ctl[SCRATCH] = scratchAt;
    ctl[SCRATCH_STRIDE] = stride;
    ctl[N] = n;
    ctl[PART] = partAt;
    ctl[OUT_BYTES] = outBytes;
    ctl[FAILED] = 0;
    Atomics.store(ctl, DONE, 0);
    this.job = job;
    Atomics.store(ctl, CLAIM, job << CHUNK_BITS);
    Atomics.store(ctl, JOB, this.job);
    Atomics.notify(ctl, JOB);
    mainWork(this.E, ctl, this.job, 0);
    for (let d = Atomics.load(ctl, DONE); d < nch; d = Atomics.load(ctl, DONE)) Atomics.wait(ctl, DONE, d);
    if (ctl[FAILED]) throw new Error(`@vigil/cpu-accel: a threaded wasm-SIMD ${kind} convolution failed`);
    if (kind === 'bwdWeights') for (let c = 1; c < nch; c++) this.E.add_inplace(outAt, partAt + (c - 1) * outBytes, out.length);
    out.set(new Float32Array(buf, outAt, out.length));
  }
}

/** Environment variable: threads for the portable path's convolutions (1 = single-threaded, in place). */
export const THREADS_ENV = 'VIGIL_CPU_ACCEL_THREADS';

/**
 * Threads for the portable kernels: {@link THREADS_ENV} (a count, or `auto`; at most 8), else the CPU count (as the
 * native path's OpenMP). On an idle 2-core machine 2 threads train yolov5n6 1.35–1.38× faster than 1 (17.2 vs 12.5
 * img/s); with another job holding a core they were 6% slower (BENCHMARKS.md) — set `VIGIL_CPU_ACCEL_THREADS=1`
 * there. The filter-gradient partials are summed in a fixed order, so a run is deterministic for a thread count.
 */
export function simdThreadCount(env: Record<string, string | undefined> = process.env): number {
  const v = env[THREADS_ENV];
  if (v === 'auto') return Math.min(availableParallelism(), MAX_THREADS);
  if (v !== undefined && v !== '') {
    const n = Number(v);
    if (Number.isInteger(n) && n >= 1) return Math.min(n, MAX_THREADS);
  }
  return Math.min(availableParallelism(), MAX_THREADS);
}
