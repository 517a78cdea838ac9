// Fused BatchNorm (training: batch statistics over N,H,W) + SiLU on NHWC float32 buffers viewed as [M, C] rows.
// Statistics are accumulated in float over blocks of rows, then in double, so a 1M-value mean keeps ~1e-7
// relative accuracy (a plain float32 running sum loses ~3e-4). OpenMP over rows.
#include "common.h"
#include <cmath>
#include <vector>
#include <omp.h>

namespace {
inline float Sigmoid(float z) { return 1.f / (1.f + std::exp(-z)); }
constexpr long kBlock = 256;  // rows summed in float before flushing into double
}

// bnSiluFwd(x, gamma, beta, eps, out, mean, var): out = silu((x - mean) / sqrt(var + eps) * gamma + beta),
// mean / var (biased) over all rows. One parallel region (statistics, then the normalisation over the same rows per
// thread): one fork/join a call instead of two — the worker is often asleep between kernels of a training step.
Napi::Value BnSiluFwd(const Napi::CallbackInfo& info) {
  const float* x = vca::F32(info[0]); const float* g = vca::F32(info[1]); const float* b = vca::F32(info[2]);
  const double eps = vca::Num(info[3]);
  float* out = vca::F32(info[4]); float* mean = vca::F32(info[5]); float* var = vca::F32(info[6]);
  const long C = (long)vca::Len(info[1]), M = C ? (long)vca::Len(info[0]) / C : 0;
  const int T = omp_get_max_threads();
  std::vector<double> s(T * C, 0.0), q(T * C, 0.0);
  std::vector<float> scale(C), shift(C);
#pragma omp parallel num_threads(T)
  {
    const int t = omp_get_thread_num(); double* st = &s[t * C]; double* qt = &q[t * C];
    std::vector<float> ls(C, 0.f), lq(C, 0.f);
    long rows = 0;
#pragma omp for schedule(static)
    for (long m = 0; m < M; m++) {
      const float* r = x + m * C;
#pragma omp simd
      for (long c = 0; c < C; c++) { ls[c] += r[c]; lq[c] += r[c] * r[c]; }
      if (++rows == kBlock) { for (long c = 0; c < C; c++) { st[c] += ls[c]; qt[c] += lq[c]; ls[c] = lq[c] = 0.f; } rows = 0; }
    }
    for (long c = 0; c < C; c++) { st[c] += ls[c]; qt[c] += lq[c]; }
#pragma omp barrier
#pragma omp single
    for (long c = 0; c < C; c++) {
      double sm = 0, sq = 0;
      for (int k = 0; k < T; k++) { sm += s[k * C + c]; sq += q[k * C + c]; }
      const double mu = M ? sm / M : 0.0;
      double v = M ? sq / M - mu * mu : 0.0;
      if (v < 0) v = 0;
      mean[c] = (float)mu; var[c] = (float)v;
      const double sc = g[c] / std::sqrt(v + eps);
      scale[c] = (float)sc; shift[c] = (float)(b[c] - mu * sc);
    }
    // (implicit barrier after single)
    const float* sc = scale.data(); const float* sh = shift.data();
#pragma omp for schedule(static)
    for (long m = 0; m < M; m++) {
      const float* r = x + m * C; float* o = out + m * C;
#pragma omp simd
      for (long c = 0; c < C; c++) { const float z = r[c] * sc[c] + sh[c]; o[c] = z * Sigmoid(z); }
    }
  }
  return info.Env().Undefined();
}

// bnSiluBwd(x, gamma, beta, mean, var, eps, dy, dx, dgamma, dbeta): gradients of bnSiluFwd w.r.t. x, gamma, beta
// (mean and var are functions of x: the full batch-norm backward). One parallel region, as the forward.
Napi::Value BnSiluBwd(const Napi::CallbackInfo& info) {
  const float* x = vca::F32(info[0]); const float* g = vca::F32(info[1]); const float* b = vca::F32(info[2]);
  const float* mean = vca::F32(info[3]); const float* var = vca::F32(info[4]); const double eps = vca::Num(info[5]);
  const float* dy = vca::F32(info[6]);
  float* dx = vca::F32(info[7]); float* dg = vca::F32(info[8]); float* db = vca::F32(info[9]);
  const long C = (long)vca::Len(info[1]), M = C ? (long)vca::Len(info[0]) / C : 0;
  std::vector<float> rstd(C);
  for (long c = 0; c < C; c++) rstd[c] = (float)(1.0 / std::sqrt((double)var[c] + eps));
  const int T = omp_get_max_threads();
  std::vector<double> sb(T * C, 0.0), sg(T * C, 0.0);
  std::vector<float> k1(C), k2(C), k3(C);
#pragma omp parallel num_threads(T)
  {
    const int t = omp_get_thread_num();
    std::vector<float> lb(C, 0.f), lg(C, 0.f);
    long rows = 0;
    // pass 1: dz = dy * silu'(z) stored in dx; per-channel sums of dz and dz * xhat
#pragma omp for schedule(static)
    for (long m = 0; m < M; m++) {
      const float* r = x + m * C; const float* d = dy + m * C; float* o = dx + m * C;
#pragma omp simd
      for (long c = 0; c < C; c++) {
        const float xh = (r[c] - mean[c]) * rstd[c];
        const float z = xh * g[c] + b[c];
        const float sg1 = Sigmoid(z);
        const float dz = d[c] * sg1 * (1.f + z * (1.f - sg1));
        o[c] = dz; lb[c] += dz; lg[c] += dz * xh;
      }
      if (++rows == kBlock) { for (long c = 0; c < C; c++) { sb[t * C + c] += lb[c]; sg[t * C + c] += lg[c]; lb[c] = lg[c] = 0.f; } rows = 0; }
    }
    for (long c = 0; c < C; c++) { sb[t * C + c] += lb[c]; sg[t * C + c] += lg[c]; }
#pragma omp barrier
#pragma omp single
    for (long c = 0; c < C; c++) {
      double a = 0, q = 0;
      for (int k = 0; k < T; k++) { a += sb[k * C + c]; q += sg[k * C + c]; }
      db[c] = (float)a; dg[c] = (float)q;
      // dx = gamma * rstd * (dz - mean(dz) - xhat * mean(dz * xhat))
      k1[c] = g[c] * rstd[c]; k2[c] = M ? (float)(a / M) : 0.f; k3[c] = M ? (float)(q / M) : 0.f;
    }
    const float* K1 = k1.data(); const float* K2 = k2.data(); const float* K3 = k3.data(); const float* rs = rstd.data();
#pragma omp for schedule(static)
    for (long m = 0; m < M; m++) {
      const float* r = x + m * C; float* o = dx + m * C;
#pragma omp simd
      for (long c = 0; c < C; c++) { const float xh = (r[c] - mean[c]) * rs[c]; o[c] = K1[c] * (o[c] - K2[c] - xh * K3[c]); }
    }
  }
  return info.Env().Undefined();
}
