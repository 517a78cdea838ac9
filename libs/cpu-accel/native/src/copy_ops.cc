// Memory-bound kernels the wasm backend runs slowly on YOLOv5 graphs: last-axis concat / split and nearest-neighbour
// resize (alignCorners = false, halfPixelCenters = false: the nn.Upsample(mode='nearest') case) with its gradient.
#include "common.h"
#include <cstring>
#include <vector>

// concatLast([a0, a1, ...], out, M): a_i is [M, C_i], out is [M, sum C_i]
Napi::Value ConcatLast(const Napi::CallbackInfo& info) {
  auto arr = info[0].As<Napi::Array>(); float* out = vca::F32(info[1]); const long M = (long)vca::Num(info[2]);
  const int n = (int)arr.Length();
  std::vector<const float*> p(n); std::vector<long> c(n); long tot = 0;
  for (int i = 0; i < n; i++) { Napi::Value v = arr.Get(i); p[i] = vca::F32(v); c[i] = M ? (long)vca::Len(v) / M : 0; tot += c[i]; }
#pragma omp parallel for schedule(static)
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
#pragma omp parallel for schedule(static)
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
#pragma omp parallel for collapse(2) schedule(static)
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
#pragma omp parallel for schedule(static)
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
