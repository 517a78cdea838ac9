// Max pooling forward and gradient on NHWC float32 buffers. Ties: the first maximum in (kh, kw) scan order wins
// (as TF / tfjs). Padding cells never win (they are -inf in TF).
#include "common.h"
#include <cfloat>
#include <cstring>
#include <vector>

namespace {
struct Pool { int N, H, W, C, OH, OW, KH, KW, SH, SW, PT, PL; };
Pool ReadPool(const Napi::Value& v) {
  const int32_t* d = vca::I32(v);
  return Pool{d[0], d[1], d[2], d[3], d[4], d[5], d[6], d[7], d[8], d[9], d[10], d[11]};
}
}

// maxPool(x, y, dims[N,H,W,C,OH,OW,KH,KW,SH,SW,PT,PL])
Napi::Value MaxPoolFwd(const Napi::CallbackInfo& info) {
  const float* x = vca::F32(info[0]); float* y = vca::F32(info[1]);
  const Pool p = ReadPool(info[2]);
#pragma omp parallel for collapse(2) schedule(static)
  for (int n = 0; n < p.N; n++) for (int oh = 0; oh < p.OH; oh++) {
    const float* xn = x + (size_t)n * p.H * p.W * p.C;
    for (int ow = 0; ow < p.OW; ow++) {
      float* o = y + (((size_t)n * p.OH + oh) * p.OW + ow) * p.C;
      for (int c = 0; c < p.C; c++) o[c] = -FLT_MAX;
      for (int kh = 0; kh < p.KH; kh++) {
        const int ih = oh * p.SH + kh - p.PT; if (ih < 0 || ih >= p.H) continue;
        for (int kw = 0; kw < p.KW; kw++) {
          const int iw = ow * p.SW + kw - p.PL; if (iw < 0 || iw >= p.W) continue;
          const float* r = xn + ((size_t)ih * p.W + iw) * p.C;
#pragma omp simd
          for (int c = 0; c < p.C; c++) o[c] = r[c] > o[c] ? r[c] : o[c];
        }
      }
    }
  }
  return info.Env().Undefined();
}

// maxPoolGrad(x, dy, dx, dims): dx[argmax of each window] += dy. The argmax search is branch-free over channels
// (vectorised); the first valid window cell seeds it, so -inf / equal values keep the first position like tfjs.
Napi::Value MaxPoolBwd(const Napi::CallbackInfo& info) {
  const float* x = vca::F32(info[0]); const float* dy = vca::F32(info[1]); float* dx = vca::F32(info[2]);
  const Pool p = ReadPool(info[3]);
  memset(dx, 0, sizeof(float) * (size_t)p.N * p.H * p.W * p.C);
#pragma omp parallel for schedule(static)
  for (int n = 0; n < p.N; n++) {
    std::vector<float> best(p.C); std::vector<int32_t> at(p.C);
    const float* xn = x + (size_t)n * p.H * p.W * p.C; float* dxn = dx + (size_t)n * p.H * p.W * p.C;
    const float* dyn = dy + (size_t)n * p.OH * p.OW * p.C;
    float* bp = best.data(); int32_t* ap = at.data();
    for (int oh = 0; oh < p.OH; oh++) for (int ow = 0; ow < p.OW; ow++) {
      bool seeded = false;
      for (int kh = 0; kh < p.KH; kh++) {
        const int ih = oh * p.SH + kh - p.PT; if (ih < 0 || ih >= p.H) continue;
        for (int kw = 0; kw < p.KW; kw++) {
          const int iw = ow * p.SW + kw - p.PL; if (iw < 0 || iw >= p.W) continue;
          const int32_t base = (ih * p.W + iw) * p.C; const float* r = xn + base;
          if (!seeded) {
#pragma omp simd
            for (int c = 0; c < p.C; c++) { bp[c] = r[c]; ap[c] = base + c; }
            seeded = true;
            continue;
          }
#pragma omp simd
          for (int c = 0; c < p.C; c++) { const bool u = r[c] > bp[c]; bp[c] = u ? r[c] : bp[c]; ap[c] = u ? base + c : ap[c]; }
        }
      }
      if (!seeded) continue;
      const float* gy = dyn + ((size_t)oh * p.OW + ow) * p.C;
      for (int c = 0; c < p.C; c++) dxn[ap[c]] += gy[c];
    }
  }
  return info.Env().Undefined();
}
