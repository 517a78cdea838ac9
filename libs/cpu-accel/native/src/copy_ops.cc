// Memory-bound kernels the wasm backend runs slowly on YOLOv5 graphs: last-axis concat / split and nearest-neighbour
// resize (alignCorners = false, halfPixelCenters = false: the nn.Upsample(mode='nearest') case) with its gradient.
#include "common.h"
#include <cstring>
#include <vector>

namespace {
// Copies and adds below this many floats run on the calling thread: two threads save microseconds there, while a
// parallel region waits for its slowest thread, and on a 2-core machine a descheduled worker (V8's GC helpers, another
// process) turned 0.02 ms copies into 1–3 ms stalls in the training step.
constexpr long kParallelMin = 1L << 20;
}

// concatLast([a0, a1, ...], out, M): a_i is [M, C_i], out is [M, sum C_i]
Napi::Value ConcatLast(const Napi::CallbackInfo& info) {
  auto arr = info[0].As<Napi::Array>(); float* out = vca::F32(info[1]); const long M = (long)vca::Num(info[2]);
  const int n = (int)arr.Length();
  std::vector<const float*> p(n); std::vector<long> c(n); long tot = 0;
  for (int i = 0; i < n; i++) { Napi::Value v = arr.Get(i); p[i] = vca::F32(v); c[i] = M ? (long)vca::Len(v) / M : 0; tot += c[i]; }
#pragma omp parallel for schedule(static) if (M * tot >= kParallelMin)
  for (long m = 0; m < M; m++) {
    float* o = out + m * tot;
    for (int i = 0; i < n; i++) { memcpy(o, p[i] + m * c[i], c[i] * sizeof(float)); o += c[i]; }
  }
  return info.Env().Undefined();
}

// splitLast(x, [o0, o1, ...], M)
Napi::Value SplitLast(const Napi::CallbackInfo& info) {
  const float* x = vca::F32(info[0]); auto arr = info[1].As<Napi::Array>(); const long M = (long)vca::Num(info[2]);
  const int n = (int)arr.Length();
  std::vector<float*> p(n); std::vector<long> c(n); long tot = 0;
  for (int i = 0; i < n; i++) { Napi::Value v = arr.Get(i); p[i] = vca::F32(v); c[i] = M ? (long)vca::Len(v) / M : 0; tot += c[i]; }
#pragma omp parallel for schedule(static) if (M * tot >= kParallelMin)
  for (long m = 0; m < M; m++) {
    const float* s = x + m * tot;
    for (int i = 0; i < n; i++) { memcpy(p[i] + m * c[i], s, c[i] * sizeof(float)); s += c[i]; }
  }
  return info.Env().Undefined();
}

namespace {
inline int Src(int o, double scale, int in) { int s = (int)(o * scale); return s > in - 1 ? in - 1 : s; }
}

// resizeNearest(x, y, dims[N,H,W,C,OH,OW])
Napi::Value ResizeNearestFwd(const Napi::CallbackInfo& info) {
  const float* x = vca::F32(info[0]); float* y = vca::F32(info[1]); const int32_t* d = vca::I32(info[2]);
  const int N = d[0], H = d[1], W = d[2], C = d[3], OH = d[4], OW = d[5];
  const double hs = (double)H / OH, ws = (double)W / OW;
#pragma omp parallel for collapse(2) schedule(static) if ((long)N * OH * OW * C >= kParallelMin)
  for (int n = 0; n < N; n++) for (int oy = 0; oy < OH; oy++) {
    const int sy = Src(oy, hs, H);
    for (int ox = 0; ox < OW; ox++) {
      const int sx = Src(ox, ws, W);
      memcpy(y + (((size_t)n * OH + oy) * OW + ox) * C, x + (((size_t)n * H + sy) * W + sx) * C, C * sizeof(float));
    }
  }
  return info.Env().Undefined();
}

// resizeNearestGrad(dy, dx, dims[N,H,W,C,OH,OW]): dx[n, src(y), src(x)] += dy[n, y, x]
Napi::Value ResizeNearestBwd(const Napi::CallbackInfo& info) {
  const float* dy = vca::F32(info[0]); float* dx = vca::F32(info[1]); const int32_t* d = vca::I32(info[2]);
  const int N = d[0], H = d[1], W = d[2], C = d[3], OH = d[4], OW = d[5];
  memset(dx, 0, sizeof(float) * (size_t)N * H * W * C);
  const double hs = (double)H / OH, ws = (double)W / OW;
#pragma omp parallel for schedule(static) if ((long)N * OH * OW * C >= kParallelMin)
  for (int n = 0; n < N; n++) for (int oy = 0; oy < OH; oy++) {
    const int sy = Src(oy, hs, H);
    for (int ox = 0; ox < OW; ox++) {
      const int sx = Src(ox, ws, W);
      float* o = dx + (((size_t)n * H + sy) * W + sx) * C; const float* gy = dy + (((size_t)n * OH + oy) * OW + ox) * C;
#pragma omp simd
      for (int c = 0; c < C; c++) o[c] += gy[c];
    }
  }
  return info.Env().Undefined();
}

// addSame(a, b, out): out = a + b, same number of elements (the gradient accumulations and residual adds of a step)
Napi::Value AddSame(const Napi::CallbackInfo& info) {
  const float* a = vca::F32(info[0]); const float* b = vca::F32(info[1]); float* o = vca::F32(info[2]);
  const long n = (long)vca::Len(info[2]);
#pragma omp parallel for simd schedule(static)
  for (long i = 0; i < n; i++) o[i] = a[i] + b[i];
  return info.Env().Undefined();
}

namespace {
// Copies `n` floats; the short runs of a space-to-depth (C = 1..4) unrolled by the compiler.
template <int K> inline void CopyK(float* o, const float* s) { for (int k = 0; k < K; k++) o[k] = s[k]; }
inline void CopyRun(float* o, const float* s, int n) {
  switch (n) {
    case 1: CopyK<1>(o, s); break;
    case 2: CopyK<2>(o, s); break;
    case 3: CopyK<3>(o, s); break;
    case 4: CopyK<4>(o, s); break;
    default: memcpy(o, s, n * sizeof(float));
  }
}
}  // namespace

// transposeRows(x, out, dims[11]): a transpose that keeps the last axis (rows of n = dims[5] floats), in the layout of
// the wasm kernel transpose_rows: dims[0..5] = output shape padded to rank 6 with leading 1s, dims[6..10] = the input
// strides (in floats) of the first five output axes. Output written in order; OpenMP over the two outer axes.
Napi::Value TransposeRows(const Napi::CallbackInfo& info) {
  const float* x = vca::F32(info[0]); float* out = vca::F32(info[1]); const int32_t* d = vca::I32(info[2]);
  const int n = d[5];
  const long inner = (long)d[2] * d[3] * d[4] * n;
#pragma omp parallel for collapse(2) schedule(static) if ((long)d[0] * d[1] * inner >= kParallelMin)
  for (int a = 0; a < d[0]; a++) for (int b = 0; b < d[1]; b++) {
    float* o = out + ((long)a * d[1] + b) * inner;
    for (int c = 0; c < d[2]; c++) for (int e = 0; e < d[3]; e++) {
      const float* s = x + (long)a * d[6] + (long)b * d[7] + (long)c * d[8] + (long)e * d[9];
      for (int f = 0; f < d[4]; f++, s += d[10], o += n) CopyRun(o, s, n);
    }
  }
  return info.Env().Undefined();
}
