import * as tf from '@tensorflow/tfjs-core';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import type { Conv2DBackpropFilterAttrs, Conv2DBackpropInputAttrs, KernelFunc, NamedAttrMap, TensorInfo } from '@tensorflow/tfjs-core';
import { originalKernel, replaceKernel } from './kernel-registry.js';

/**
 * Portable training kernels for the tfjs wasm backend, composed from kernels it already has (XNNPACK convolutions),
 * so training works without the native addon:
 * - Conv2DBackpropFilter (missing in tfjs-backend-wasm 4.22.0: no training at all without it):
 *   dW[kh,kw,c,k] = Σ_{n,oh,ow} xpad[n, kh + SH·oh, kw + SW·ow, c] · dy[n,oh,ow,k]
 *   = conv2d(input xᵀ [C,H,W,N], filter dyᵀ [OH,OW,N,K], dilation = stride) → [C,KH',KW',K], then slice + transpose.
 * - Conv2DBackpropInput (the stock one is a scalar loop): one stride-1 conv of dy with a rearranged filter produces
 *   all stride² output phases at once ("sub-pixel" decomposition, dx[s·q + r − pt] = Σ_j dy[q − j] · w[r + s·j]),
 *   then DepthToSpace and a slice.
 * Intermediates are disposed inside the kernels; the tf.* op layer is never called from a kernel.
 */
const BACKEND = 'wasm';

type Run = (name: string, inputs: Record<string, TensorInfo> | TensorInfo[], attrs?: NamedAttrMap) => TensorInfo;

function runner(backend: BackendWasm, tmp: TensorInfo[]): Run {
  return (name, inputs, attrs = {}) => {
    const k = tf.getKernel(name, BACKEND);
    if (!k) throw new Error(`@vigil/cpu-accel: wasm kernel ${name} is missing`);
    const out = k.kernelFunc({ inputs: inputs as never, backend, attrs }) as TensorInfo;
    tmp.push(out);
    return out;
  };
}

function finish(backend: BackendWasm, tmp: TensorInfo[], result: TensorInfo): TensorInfo {
  for (const t of tmp) if (t !== result) backend.disposeData(t.dataId);
  return result;
}

/** Conv2DBackpropFilter for wasm from a dilated XNNPACK convolution. */
export const conv2DBackpropFilterComposite: KernelFunc = ({ inputs, backend, attrs }) => {
  const { x, dy } = inputs as { x: TensorInfo; dy: TensorInfo };
  const a = attrs as unknown as Conv2DBackpropFilterAttrs;
  if (a.dataFormat === 'NCHW') throw new Error('@vigil/cpu-accel: Conv2DBackpropFilter on wasm supports NHWC only');
  const be = backend as BackendWasm;
  const ci = tf.backend_util.computeConv2DInfo(x.shape as [number, number, number, number], a.filterShape, a.strides, 1, a.pad, a.dimRoundingMode, false, 'channelsLast');
  const { padInfo: p, filterHeight: KH, filterWidth: KW, strideHeight: SH, strideWidth: SW, inChannels: C, outChannels: K } = ci;
  const tmp: TensorInfo[] = [];
  const run = runner(be, tmp);
  const xt = run('Transpose', { x }, { perm: [3, 1, 2, 0] });
  const dyt = run('Transpose', { x: dy }, { perm: [1, 2, 0, 3] });
  let g = run('Conv2D', { x: xt, filter: dyt }, {
    strides: [1, 1], pad: [[0, 0], [p.top, p.bottom], [p.left, p.right], [0, 0]], dataFormat: 'NHWC', dilations: [SH, SW],
  } as unknown as NamedAttrMap);
  if (g.shape[1] !== KH || g.shape[2] !== KW) g = run('Slice', { x: g }, { begin: [0, 0, 0, 0], size: [C, KH, KW, K] });
  return finish(be, tmp, run('Transpose', { x: g }, { perm: [1, 2, 0, 3] }));
};

/** Conv2DBackpropInput for wasm as one stride-1 XNNPACK convolution + DepthToSpace (falls back to the stock kernel). */
export const conv2DBackpropInputComposite: KernelFunc = (args) => {
  const { inputs, backend, attrs } = args;
  const { dy, filter } = inputs as { dy: TensorInfo; filter: TensorInfo };
  const a = attrs as unknown as Conv2DBackpropInputAttrs;
  const stock = originalKernel('Conv2DBackpropInput', BACKEND);
  const ci = tf.backend_util.computeConv2DInfo(a.inputShape, filter.shape as [number, number, number, number], a.strides, 1, a.pad, a.dimRoundingMode, false, 'channelsLast');
  const { padInfo: p, filterHeight: KH, filterWidth: KW, strideHeight: SH, strideWidth: SW, inChannels: C, outChannels: K } = ci;
  const { outHeight: OH, outWidth: OW, batchSize: N, inHeight: H, inWidth: W } = ci;
  const JH = Math.ceil(KH / SH), JW = Math.ceil(KW / SW);
  const q0h = Math.floor(p.top / SH), q0w = Math.floor(p.left / SW);
  const padT = JH - 1 - q0h, padL = JW - 1 - q0w;
  if (a.dataFormat === 'NCHW' || SH !== SW || padT < 0 || padL < 0) {
    if (!stock) throw new Error('@vigil/cpu-accel: no Conv2DBackpropInput kernel for this case on wasm');
    return stock(args);
  }
  const padB = Math.max(0, Math.ceil((H + p.top) / SH) - OH), padR = Math.max(0, Math.ceil((W + p.left) / SW) - OW);
  const be = backend as BackendWasm;
  const tmp: TensorInfo[] = [];
  const run = runner(be, tmp);
  // G[th, tw, k, (rh·SW + rw)·C + c] = w[rh + SH·(JH−1−th), rw + SW·(JW−1−tw), c, k]
  let w = filter;
  if (JH * SH !== KH || JW * SW !== KW) w = run('PadV2', { x: filter }, { paddings: [[0, JH * SH - KH], [0, JW * SW - KW], [0, 0], [0, 0]], constantValue: 0 });
  w = run('Reshape', { x: w }, { shape: [JH, SH, JW, SW, C, K] });
  w = run('Transpose', { x: w }, { perm: [0, 2, 5, 1, 3, 4] });
  if (JH > 1 || JW > 1) w = run('Reverse', { x: w }, { dims: [0, 1] });
  w = run('Reshape', { x: w }, { shape: [JH, JW, K, SH * SW * C] });
  let t = run('Conv2D', { x: dy, filter: w }, {
    strides: [1, 1], pad: [[0, 0], [padT, padB], [padL, padR], [0, 0]], dataFormat: 'NHWC', dilations: [1, 1],
  } as unknown as NamedAttrMap);
  if (SH > 1) t = run('DepthToSpace', { x: t }, { blockSize: SH, dataFormat: 'NHWC' });
  const bh = p.top - SH * q0h, bw = p.left - SW * q0w;
  if (t.shape[1] !== H || t.shape[2] !== W || bh || bw) t = run('Slice', { x: t }, { begin: [0, bh, bw, 0], size: [N, H, W, C] });
  return finish(be, tmp, t);
};

/**
 * Identity without a copy (shares the buffer and counts a reference, as the cpu and webgl backends do): tfjs tensors
 * are immutable, and the engine clones every tensor it saves for the backward pass, so the stock wasm copy costs
 * ~10% of a training step.
 */
export const identityZeroCopy: KernelFunc = (args) => {
  const { x } = args.inputs as { x: TensorInfo };
  if (x.dtype === 'string') return originalKernel('Identity', BACKEND)!(args);
  (args.backend as BackendWasm).incRef(x.dataId);
  return { dataId: x.dataId, shape: x.shape, dtype: x.dtype };
};

/** Registers the portable wasm training kernels (idempotent). */
export function registerPortableKernels(): void {
  replaceKernel('Identity', BACKEND, identityZeroCopy);
  replaceKernel('Conv2DBackpropFilter', BACKEND, conv2DBackpropFilterComposite);
  replaceKernel('Conv2DBackpropInput', BACKEND, conv2DBackpropInputComposite);
}
