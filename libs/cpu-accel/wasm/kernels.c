// Portable training kernels for the tfjs wasm backend (no native build needed): C compiled to wasm32 + SIMD128 and
// instantiated on tfjs-backend-wasm's own WebAssembly.Memory, so they work on tensors in place. Freestanding: no libc,
// no data segments; the shadow stack (if the compiler uses one) is a block the JS side allocates on the tfjs heap and
// installs through the exported __stack_pointer. Single-threaded (the tfjs wasm backend runs one thread in Node).
// Build: build.mjs (clang + wasm-ld); the .wasm is committed so that users need no compiler.
#include <wasm_simd128.h>

typedef __SIZE_TYPE__ size_t;
static inline int imin(int a, int b) { return a < b ? a : b; }
#define EXPORT(name) __attribute__((export_name(#name)))

// ---------------------------------------------------------------- GEMM: C (+)= A·B, packed MR×NR f32x4 micro-kernel
#define MR 4
#define NR 8
#define KC 256
#define MC 120

static void pack_a(int mc, int kc, const float* a, int ars, int acs, float* ap) {
  for (int i0 = 0; i0 < mc; i0 += MR) {
    const int mr = imin(MR, mc - i0);
    const float* s = a + i0 * ars;
    int p = 0;
    if (mr == MR && ars == 1) {  // the MR values of one p are contiguous
      for (; p < kc; p++) { wasm_v128_store(ap, wasm_v128_load(s + p * acs)); ap += MR; }
    } else if (mr == MR && acs == 1) {  // rows contiguous: transpose 4×4 blocks
      const float *r0 = s, *r1 = s + ars, *r2 = s + 2 * ars, *r3 = s + 3 * ars;
      for (; p + 4 <= kc; p += 4) {
        const v128_t a0 = wasm_v128_load(r0 + p), a1 = wasm_v128_load(r1 + p), a2 = wasm_v128_load(r2 + p), a3 = wasm_v128_load(r3 + p);
        const v128_t t0 = wasm_i32x4_shuffle(a0, a1, 0, 4, 1, 5), t1 = wasm_i32x4_shuffle(a2, a3, 0, 4, 1, 5);
        const v128_t t2 = wasm_i32x4_shuffle(a0, a1, 2, 6, 3, 7), t3 = wasm_i32x4_shuffle(a2, a3, 2, 6, 3, 7);
        wasm_v128_store(ap, wasm_i64x2_shuffle(t0, t1, 0, 2));
        wasm_v128_store(ap + 4, wasm_i64x2_shuffle(t0, t1, 1, 3));
        wasm_v128_store(ap + 8, wasm_i64x2_shuffle(t2, t3, 0, 2));
        wasm_v128_store(ap + 12, wasm_i64x2_shuffle(t2, t3, 1, 3));
        ap += 4 * MR;
      }
    }
    for (; p < kc; p++) {
      for (int r = 0; r < MR; r++) ap[r] = r < mr ? s[r * ars + p * acs] : 0.f;
      ap += MR;
    }
  }
}
static void pack_b(int kc, int nc, const float* b, int brs, int bcs, float* bp) {
  for (int j0 = 0; j0 < nc; j0 += NR) {
    const int nr = imin(NR, nc - j0);
    const float* s = b + j0 * bcs;
    if (bcs == 1 && nr == NR) {
      for (int p = 0; p < kc; p++) { wasm_v128_store(bp, wasm_v128_load(s + p * brs)); wasm_v128_store(bp + 4, wasm_v128_load(s + p * brs + 4)); bp += NR; }
    } else {
      for (int p = 0; p < kc; p++) { for (int c = 0; c < NR; c++) bp[c] = c < nr ? s[p * brs + c * bcs] : 0.f; bp += NR; }
    }
  }
}
#define FMA(c, a, b) c = wasm_f32x4_add(c, wasm_f32x4_mul(a, b))
// One MR×NR block of C from packed panels; partial blocks go through `tile`.
static void micro(int kc, const float* ap, const float* bp, float* c, int ldc, int acc, int mr, int nr, float* tile) {
  const v128_t z = wasm_f32x4_splat(0.f);
  v128_t c00 = z, c01 = z, c10 = z, c11 = z, c20 = z, c21 = z, c30 = z, c31 = z;
  for (int p = 0; p < kc; p++) {
    const v128_t b0 = wasm_v128_load(bp), b1 = wasm_v128_load(bp + 4);
    v128_t a;
    a = wasm_v128_load32_splat(ap + 0); FMA(c00, a, b0); FMA(c01, a, b1);
    a = wasm_v128_load32_splat(ap + 1); FMA(c10, a, b0); FMA(c11, a, b1);
    a = wasm_v128_load32_splat(ap + 2); FMA(c20, a, b0); FMA(c21, a, b1);
    a = wasm_v128_load32_splat(ap + 3); FMA(c30, a, b0); FMA(c31, a, b1);
    ap += MR; bp += NR;
  }
  const int full = mr == MR && nr == NR;
  float* o = full ? c : tile;
  const int ld = full ? ldc : NR;
  const int add = full && acc;
#define STORE(r, v0, v1) do { float* q = o + (r) * ld; \
    if (add) { v0 = wasm_f32x4_add(v0, wasm_v128_load(q)); v1 = wasm_f32x4_add(v1, wasm_v128_load(q + 4)); } \
    wasm_v128_store(q, v0); wasm_v128_store(q + 4, v1); } while (0)
  STORE(0, c00, c01); STORE(1, c10, c11); STORE(2, c20, c21); STORE(3, c30, c31);
  if (!full) {
    for (int r = 0; r < mr; r++) for (int j = 0; j < nr; j++) c[r * ldc + j] = (acc ? c[r * ldc + j] : 0.f) + tile[r * NR + j];
  }
}
// C[i·ldc + j] (+)= Σ_p A[i·ars + p·acs] · B[p·brs + j·bcs]; scratch = Ap (MC·KC) | Bp (KC·⌈N⌉NR) | tile (MR·NR)
static void gemm(int m, int n, int k, const float* a, int ars, int acs, const float* b, int brs, int bcs,
                 float* c, int ldc, int acc, float* scratch) {
  float* ap = scratch;
  float* bp = ap + MC * KC;
  float* tile = bp + KC * ((n + NR - 1) / NR * NR);
  for (int pc = 0; pc < k; pc += KC) {
    const int kc = imin(KC, k - pc);
    const int acc2 = acc || pc > 0;
    pack_b(kc, n, b + pc * brs, brs, bcs, bp);
    for (int ic = 0; ic < m; ic += MC) {
      const int mc = imin(MC, m - ic);
      pack_a(mc, kc, a + ic * ars + pc * acs, ars, acs, ap);
      for (int jr = 0; jr < n; jr += NR)
        for (int ir = 0; ir < mc; ir += MR)
          micro(kc, ap + ir * kc, bp + jr * kc, c + (ic + ir) * ldc + jr, ldc, acc2, imin(MR, mc - ir), imin(NR, n - jr), tile);
    }
  }
}

// B packed whole, once, for GEMMs that reuse it (the weights of a convolution): KC-row blocks of ⌈n⌉NR columns.
static int round_nr(int n) { return (n + NR - 1) / NR * NR; }
static void pack_b_all(int k, int n, const float* b, int brs, int bcs, float* bp) {
  for (int pc = 0; pc < k; pc += KC) pack_b(imin(KC, k - pc), n, b + pc * brs, brs, bcs, bp + pc * round_nr(n));
}
// C (+)= A·B with B from pack_b_all; ap: MC·KC floats, tile: MR·NR floats
static void gemm_pb(int m, int n, int k, const float* a, int ars, int acs, const float* bpa, float* c, int ldc, int acc, float* ap, float* tile) {
  for (int pc = 0; pc < k; pc += KC) {
    const int kc = imin(KC, k - pc);
    const int acc2 = acc || pc > 0;
    const float* bp = bpa + pc * round_nr(n);
    for (int ic = 0; ic < m; ic += MC) {
      const int mc = imin(MC, m - ic);
      pack_a(mc, kc, a + ic * ars + pc * acs, ars, acs, ap);
      for (int jr = 0; jr < n; jr += NR)
        for (int ir = 0; ir < mc; ir += MR)
          micro(kc, ap + ir * kc, bp + jr * kc, c + (ic + ir) * ldc + jr, ldc, acc2, imin(MR, mc - ir), imin(NR, n - jr), tile);
    }
  }
}

// ---------------------------------------------------------------- convolutions via im2col + GEMM (NHWC, HWIO)
// dims: N,H,W,C, OH,OW,K, KH,KW, SH,SW, PT,PL, DH,DW. The im2col matrix [OH·OW, KH·KW·C] of one image is built a block
// of output rows at a time (row_block rows, ~256 KB), so it stays in cache between im2col and GEMM.
enum { dN, dH, dW, dC, dOH, dOW, dK, dKH, dKW, dSH, dSW, dPT, dPL, dDH, dDW };
static void im2col_rows(const int* d, const float* x, int r0, int r1, float* cols) {
  const int H = d[dH], W = d[dW], C = d[dC], OW = d[dOW], KH = d[dKH], KW = d[dKW];
  for (int r = r0; r < r1; r++) {
    const int oh = r / OW, ow = r % OW;
    float* o = cols + (r - r0) * KH * KW * C;
    for (int kh = 0; kh < KH; kh++) {
      const int ih = oh * d[dSH] + kh * d[dDH] - d[dPT];
      for (int kw = 0; kw < KW; kw++, o += C) {
        const int iw = ow * d[dSW] + kw * d[dDW] - d[dPL];
        if (ih < 0 || ih >= H || iw < 0 || iw >= W) { for (int c = 0; c < C; c++) o[c] = 0.f; continue; }
        const float* s = x + (ih * W + iw) * C;
        for (int c = 0; c < C; c++) o[c] = s[c];
      }
    }
  }
}
static void col2im_rows(const int* d, const float* cols, int r0, int r1, float* dx) {
  const int H = d[dH], W = d[dW], C = d[dC], OW = d[dOW], KH = d[dKH], KW = d[dKW];
  for (int r = r0; r < r1; r++) {
    const int oh = r / OW, ow = r % OW;
    const float* o = cols + (r - r0) * KH * KW * C;
    for (int kh = 0; kh < KH; kh++) {
      const int ih = oh * d[dSH] + kh * d[dDH] - d[dPT];
      for (int kw = 0; kw < KW; kw++, o += C) {
        const int iw = ow * d[dSW] + kw * d[dDW] - d[dPL];
        if (ih < 0 || ih >= H || iw < 0 || iw >= W) continue;
        float* s = dx + (ih * W + iw) * C;
        for (int c = 0; c < C; c++) s[c] += o[c];
      }
    }
  }
}
static int pointwise(const int* d) { return d[dKH] == 1 && d[dKW] == 1 && d[dSH] == 1 && d[dSW] == 1 && d[dPT] == 0 && d[dPL] == 0; }
// Output rows per im2col block: ~64 Ki floats, at least `min_rows`, a multiple of MR, at most OH·OW.
static int row_block(const int* d, int min_rows) {
  const int P = d[dOH] * d[dOW], KKC = d[dKH] * d[dKW] * d[dC];
  int rb = (1 << 16) / KKC;
  if (rb < min_rows) rb = min_rows;
  rb -= rb % MR;
  return rb < P ? rb : P;
}
#define RB_MIN_DATA MC
#define RB_MIN_WEIGHTS KC

// Floats of scratch the conv kernels need (the JS side allocates them, 16-byte aligned):
// cols (row block) | ap (MC·KC) | tile (MR·NR) | bp (packed B: the whole filter, or KC rows of dy).
EXPORT(conv_scratch_floats) int conv_scratch_floats(const int* d) {
  const int KKC = d[dKH] * d[dKW] * d[dC], K = d[dK];
  const int rbd = row_block(d, RB_MIN_DATA), rbw = row_block(d, RB_MIN_WEIGHTS);
  const int rb = rbd > rbw ? rbd : rbw;
  int bp = KKC * round_nr(K);
  if (K * round_nr(KKC) > bp) bp = K * round_nr(KKC);
  if (KC * round_nr(K) > bp) bp = KC * round_nr(K);
  return (rb + MR) * KKC + MC * KC + MR * NR + bp + 16;
}
static float* cols_end(const int* d, float* scratch, int rb) {
  const int KKC = d[dKH] * d[dKW] * d[dC];
  return scratch + (((rb + MR) * KKC + 3) & ~3);
}
// The conv kernels process images [n0, n1) of the batch (the threaded path hands out ranges of images).
// y = conv2d(x, w)
EXPORT(conv_fwd) void conv_fwd(const int* d, const float* x, const float* w, float* y, float* scratch, int n0, int n1) {
  const int P = d[dOH] * d[dOW], KKC = d[dKH] * d[dKW] * d[dC], xs = d[dH] * d[dW] * d[dC], K = d[dK];
  const int rb = row_block(d, RB_MIN_DATA);
  float* cols = scratch;
  float* ap = cols_end(d, scratch, rb);
  float* tile = ap + MC * KC;
  float* bp = tile + MR * NR;
  pack_b_all(KKC, K, w, K, 1, bp);
  if (pointwise(d)) { gemm_pb((n1 - n0) * P, K, KKC, x + n0 * xs, KKC, 1, bp, y + n0 * P * K, K, 0, ap, tile); return; }
  for (int n = n0; n < n1; n++) {
    for (int r0 = 0; r0 < P; r0 += rb) {
      const int r1 = imin(P, r0 + rb);
      im2col_rows(d, x + n * xs, r0, r1, cols);
      gemm_pb(r1 - r0, K, KKC, cols, KKC, 1, bp, y + (n * P + r0) * K, K, 0, ap, tile);
    }
  }
}
// dx = conv2d_backprop_input(dy, w)
EXPORT(conv_bwd_data) void conv_bwd_data(const int* d, const float* dy, const float* w, float* dx, float* scratch, int n0, int n1) {
  const int P = d[dOH] * d[dOW], KKC = d[dKH] * d[dKW] * d[dC], xs = d[dH] * d[dW] * d[dC], K = d[dK];
  const int rb = row_block(d, RB_MIN_DATA);
  float* cols = scratch;
  float* ap = cols_end(d, scratch, rb);
  float* tile = ap + MC * KC;
  float* bp = tile + MR * NR;
  pack_b_all(K, KKC, w, 1, K, bp);
  if (pointwise(d)) { gemm_pb((n1 - n0) * P, KKC, K, dy + n0 * P * K, K, 1, bp, dx + n0 * xs, KKC, 0, ap, tile); return; }
  for (int n = n0; n < n1; n++) {
    float* o = dx + n * xs;
    for (int i = 0; i < xs; i++) o[i] = 0.f;
    for (int r0 = 0; r0 < P; r0 += rb) {
      const int r1 = imin(P, r0 + rb);
      gemm_pb(r1 - r0, KKC, K, dy + (n * P + r0) * K, K, 1, bp, cols, KKC, 0, ap, tile);
      col2im_rows(d, cols, r0, r1, o);
    }
  }
}
// dw = conv2d_backprop_filter(x, dy) over images [n0, n1) (dw is overwritten, not accumulated into)
EXPORT(conv_bwd_weights) void conv_bwd_weights(const int* d, const float* x, const float* dy, float* dw, float* scratch, int n0, int n1) {
  const int P = d[dOH] * d[dOW], KKC = d[dKH] * d[dKW] * d[dC], xs = d[dH] * d[dW] * d[dC], K = d[dK];
  const int rb = row_block(d, RB_MIN_WEIGHTS);
  float* cols = scratch;
  float* gs = cols_end(d, scratch, rb);  // gemm's own layout: ap | bp | tile
  if (pointwise(d)) {
    for (int n = n0; n < n1; n++) gemm(KKC, K, P, x + n * xs, 1, KKC, dy + n * P * K, K, 1, dw, K, n > n0, gs);
    return;
  }
  for (int n = n0; n < n1; n++) {
    for (int r0 = 0; r0 < P; r0 += rb) {
      const int r1 = imin(P, r0 + rb);
      im2col_rows(d, x + n * xs, r0, r1, cols);
      gemm(KKC, K, r1 - r0, cols, 1, KKC, dy + (n * P + r0) * K, K, 1, dw, K, n > n0 || r0 > 0, gs);
    }
  }
}

// a[i] += b[i] (sums the per-thread partial filter gradients)
EXPORT(add_inplace) void add_inplace(float* a, const float* b, int n) {
  int i = 0;
  for (; i + 4 <= n; i += 4) wasm_v128_store(a + i, wasm_f32x4_add(wasm_v128_load(a + i), wasm_v128_load(b + i)));
  for (; i < n; i++) a[i] += b[i];
}

// ---------------------------------------------------------------- fused BatchNorm (batch statistics) + SiLU
// pmin/pmax (one x64 instruction each) instead of min/max (NaN-propagating: a multi-instruction sequence in V8);
// 2^n from the bits of n + 127 + 1.5·2^23 (n integral, |n| ≤ 128) instead of a saturating float→int conversion.
static inline v128_t exp_ps(v128_t x) {  // Cephes-style expf, ~1-2 ulp on [-87, 88]
  x = wasm_f32x4_pmin(wasm_f32x4_pmax(x, wasm_f32x4_splat(-87.3f)), wasm_f32x4_splat(88.3f));
  const v128_t fx = wasm_f32x4_nearest(wasm_f32x4_mul(x, wasm_f32x4_splat(1.44269504088896341f)));
  x = wasm_f32x4_sub(x, wasm_f32x4_mul(fx, wasm_f32x4_splat(0.693359375f)));
  x = wasm_f32x4_sub(x, wasm_f32x4_mul(fx, wasm_f32x4_splat(-2.12194440e-4f)));
  v128_t y = wasm_f32x4_splat(1.9875691500E-4f);
  y = wasm_f32x4_add(wasm_f32x4_mul(y, x), wasm_f32x4_splat(1.3981999507E-3f));
  y = wasm_f32x4_add(wasm_f32x4_mul(y, x), wasm_f32x4_splat(8.3334519073E-3f));
  y = wasm_f32x4_add(wasm_f32x4_mul(y, x), wasm_f32x4_splat(4.1665795894E-2f));
  y = wasm_f32x4_add(wasm_f32x4_mul(y, x), wasm_f32x4_splat(1.6666665459E-1f));
  y = wasm_f32x4_add(wasm_f32x4_mul(y, x), wasm_f32x4_splat(5.0000001201E-1f));
  y = wasm_f32x4_add(wasm_f32x4_mul(wasm_f32x4_mul(y, x), x), wasm_f32x4_add(x, wasm_f32x4_splat(1.f)));
  const v128_t e = wasm_i32x4_shl(wasm_f32x4_add(fx, wasm_f32x4_splat(12582912.f + 127.f)), 23);
  return wasm_f32x4_mul(y, e);
}
static inline v128_t sigmoid_ps(v128_t z) { return wasm_f32x4_div(wasm_f32x4_splat(1.f), wasm_f32x4_add(wasm_f32x4_splat(1.f), exp_ps(wasm_f32x4_neg(z)))); }
#define ROWS_PER_FLUSH 128
// The per-channel buffers (scale, shift, partial sums, …) are padded by the JS side to Cp = ⌈C/4⌉·4 channels, and the
// kernels run on [M, C] rows with C % 4 == 0 (JS uses them only then; other channel counts take the tfjs-op path).
// scratch: 4·C floats + 2·C doubles.
EXPORT(bn_silu_fwd) void bn_silu_fwd(const float* x, const float* g, const float* b, float eps, float* out, float* mean,
                                    float* var, int M, int C, float* fs, double* ds) {
  float* ls = fs; float* lq = fs + C; float* sc = fs + 2 * C; float* sh = fs + 3 * C;
  double* S = ds; double* Q = ds + C;
  for (int c = 0; c < C; c++) { S[c] = Q[c] = 0; ls[c] = lq[c] = 0; }
  for (int m = 0; m < M; m++) {
    const float* r = x + (long)m * C;
    for (int c = 0; c < C; c += 4) {
      const v128_t v = wasm_v128_load(r + c);
      wasm_v128_store(ls + c, wasm_f32x4_add(wasm_v128_load(ls + c), v));
      wasm_v128_store(lq + c, wasm_f32x4_add(wasm_v128_load(lq + c), wasm_f32x4_mul(v, v)));
    }
    if ((m + 1) % ROWS_PER_FLUSH == 0 || m == M - 1) for (int c = 0; c < C; c++) { S[c] += ls[c]; Q[c] += lq[c]; ls[c] = lq[c] = 0; }
  }
  for (int c = 0; c < C; c++) {
    const double mu = M ? S[c] / M : 0.0;
    double v = M ? Q[c] / M - mu * mu : 0.0;
    if (v < 0) v = 0;
    mean[c] = (float)mu; var[c] = (float)v;
    const double s = g[c] / __builtin_sqrt(v + eps);
    sc[c] = (float)s; sh[c] = (float)(b[c] - mu * s);
  }
  for (int m = 0; m < M; m++) {
    const float* r = x + (long)m * C; float* o = out + (long)m * C;
    for (int c = 0; c < C; c += 4) {
      const v128_t z = wasm_f32x4_add(wasm_f32x4_mul(wasm_v128_load(r + c), wasm_v128_load(sc + c)), wasm_v128_load(sh + c));
      wasm_v128_store(o + c, wasm_f32x4_div(z, wasm_f32x4_add(wasm_f32x4_splat(1.f), exp_ps(wasm_f32x4_neg(z)))));  // z·σ(z)
    }
  }
}
// Gradients of bn_silu_fwd w.r.t. x (full batch-norm backward), gamma, beta. scratch: 5·C floats + 2·C doubles.
EXPORT(bn_silu_bwd) void bn_silu_bwd(const float* x, const float* g, const float* b, const float* mean, const float* var,
                                    float eps, const float* dy, float* dx, float* dg, float* db, int M, int C, float* fs, double* ds) {
  float* lb = fs; float* lg = fs + C; float* rs = fs + 2 * C; float* k2 = fs + 3 * C; float* k3 = fs + 4 * C;
  double* SB = ds; double* SG = ds + C;
  for (int c = 0; c < C; c++) { SB[c] = SG[c] = 0; lb[c] = lg[c] = 0; rs[c] = (float)(1.0 / __builtin_sqrt((double)var[c] + eps)); }
  const v128_t one = wasm_f32x4_splat(1.f);
  for (int m = 0; m < M; m++) {
    const float* r = x + (long)m * C; const float* d = dy + (long)m * C; float* o = dx + (long)m * C;
    for (int c = 0; c < C; c += 4) {
      const v128_t xh = wasm_f32x4_mul(wasm_f32x4_sub(wasm_v128_load(r + c), wasm_v128_load(mean + c)), wasm_v128_load(rs + c));
      const v128_t z = wasm_f32x4_add(wasm_f32x4_mul(xh, wasm_v128_load(g + c)), wasm_v128_load(b + c));
      const v128_t s = sigmoid_ps(z);
      const v128_t dz = wasm_f32x4_mul(wasm_v128_load(d + c), wasm_f32x4_mul(s, wasm_f32x4_add(one, wasm_f32x4_mul(z, wasm_f32x4_sub(one, s)))));
      wasm_v128_store(o + c, dz);
      wasm_v128_store(lb + c, wasm_f32x4_add(wasm_v128_load(lb + c), dz));
      wasm_v128_store(lg + c, wasm_f32x4_add(wasm_v128_load(lg + c), wasm_f32x4_mul(dz, xh)));
    }
    if ((m + 1) % ROWS_PER_FLUSH == 0 || m == M - 1) for (int c = 0; c < C; c++) { SB[c] += lb[c]; SG[c] += lg[c]; lb[c] = lg[c] = 0; }
  }
  // dx = gamma·rstd·(dz − mean(dz) − xhat·mean(dz·xhat)); lb is reused for gamma·rstd
  for (int c = 0; c < C; c++) {
    db[c] = (float)SB[c]; dg[c] = (float)SG[c];
    lb[c] = g[c] * rs[c]; k2[c] = M ? (float)(SB[c] / M) : 0.f; k3[c] = M ? (float)(SG[c] / M) : 0.f;
  }
  for (int m = 0; m < M; m++) {
    const float* r = x + (long)m * C; float* o = dx + (long)m * C;
    for (int c = 0; c < C; c += 4) {
      const v128_t xh = wasm_f32x4_mul(wasm_f32x4_sub(wasm_v128_load(r + c), wasm_v128_load(mean + c)), wasm_v128_load(rs + c));
      wasm_v128_store(o + c, wasm_f32x4_mul(wasm_v128_load(lb + c),
        wasm_f32x4_sub(wasm_f32x4_sub(wasm_v128_load(o + c), wasm_v128_load(k2 + c)), wasm_f32x4_mul(xh, wasm_v128_load(k3 + c)))));
    }
  }
}

// ---------------------------------------------------------------- transpose keeping the last axis (YOLOv5's Focus)
// out (shape d[0..5], row-major) = x permuted: d[6 + i] is the input stride of output axis i (i < 5); the last axis
// (length d[5]) is contiguous in both, so rows of d[5] floats are copied.
EXPORT(transpose_rows) void transpose_rows(const float* x, float* out, const int* d) {
  const int n = d[5];
  for (int a = 0; a < d[0]; a++) for (int b = 0; b < d[1]; b++) for (int c = 0; c < d[2]; c++) for (int e = 0; e < d[3]; e++) {
    const float* s = x + (long)a * d[6] + (long)b * d[7] + (long)c * d[8] + (long)e * d[9];
    for (int f = 0; f < d[4]; f++, s += d[10], out += n) for (int k = 0; k < n; k++) out[k] = s[k];
  }
}

// ---------------------------------------------------------------- SGD step (torch.optim.SGD after its first step)
// d = g + wd·p; buf' = mom·buf + d; d = nesterov ? d + mom·buf' : buf'; p' = p − lr·d — each operation rounded to
// float32 in the order the optimizer's tfjs ops use, so the result is the same as theirs.
EXPORT(sgd_step) void sgd_step(const float* p, const float* g, const float* buf, float lr, float wd, float mom, int nesterov,
                              float* po, float* bo, int n) {
  const v128_t vlr = wasm_f32x4_splat(lr), vwd = wasm_f32x4_splat(wd), vm = wasm_f32x4_splat(mom);
  int i = 0;
  for (; i + 4 <= n; i += 4) {
    const v128_t pv = wasm_v128_load(p + i);
    v128_t d = wasm_v128_load(g + i);
    if (wd != 0.f) d = wasm_f32x4_add(d, wasm_f32x4_mul(pv, vwd));
    const v128_t b = wasm_f32x4_add(wasm_f32x4_mul(wasm_v128_load(buf + i), vm), d);
    d = nesterov ? wasm_f32x4_add(d, wasm_f32x4_mul(b, vm)) : b;
    wasm_v128_store(bo + i, b);
    wasm_v128_store(po + i, wasm_f32x4_sub(pv, wasm_f32x4_mul(d, vlr)));
  }
  for (; i < n; i++) {
    float d = g[i];
    if (wd != 0.f) d = d + p[i] * wd;
    const float b = buf[i] * mom + d;
    d = nesterov ? d + b * mom : b;
    bo[i] = b;
    po[i] = p[i] - d * lr;
  }
}

// ---------------------------------------------------------------- max-pool gradient, last-axis concat/split, resize grad
// dims [N,H,W,C,OH,OW,KH,KW,SH,SW,PT,PL]; scratch: C floats + C ints. First maximum in scan order wins (as tfjs).
EXPORT(maxpool_grad) void maxpool_grad(const float* x, const float* dy, float* dx, const int* d, float* best, int* at) {
  const int N = d[0], H = d[1], W = d[2], C = d[3], OH = d[4], OW = d[5], KH = d[6], KW = d[7], SH = d[8], SW = d[9], PT = d[10], PL = d[11];
  const long tot = (long)N * H * W * C;
  for (long i = 0; i < tot; i++) dx[i] = 0.f;
  for (int n = 0; n < N; n++) {
    const float* xn = x + (long)n * H * W * C; float* dxn = dx + (long)n * H * W * C; const float* dyn = dy + (long)n * OH * OW * C;
    for (int oh = 0; oh < OH; oh++) for (int ow = 0; ow < OW; ow++) {
      for (int c = 0; c < C; c++) { best[c] = -3.4e38f; at[c] = -1; }
      for (int kh = 0; kh < KH; kh++) {
        const int ih = oh * SH + kh - PT;
        if (ih < 0 || ih >= H) continue;
        for (int kw = 0; kw < KW; kw++) {
          const int iw = ow * SW + kw - PL;
          if (iw < 0 || iw >= W) continue;
          const int base = (ih * W + iw) * C; const float* r = xn + base;
          for (int c = 0; c < C; c++) if (r[c] > best[c] || at[c] < 0) { best[c] = r[c]; at[c] = base + c; }
        }
      }
      const float* gy = dyn + (oh * OW + ow) * C;
      for (int c = 0; c < C; c++) if (at[c] >= 0) dxn[at[c]] += gy[c];
    }
  }
}
// ptrs[i]: tensor i ([M, cs[i]]); out: [M, Σcs]
EXPORT(concat_last) void concat_last(float** ptrs, const int* cs, int n, float* out, int M) {
  int tot = 0;
  for (int i = 0; i < n; i++) tot += cs[i];
  for (int m = 0; m < M; m++) {
    float* o = out + (long)m * tot;
    for (int i = 0; i < n; i++) { __builtin_memcpy(o, ptrs[i] + (long)m * cs[i], cs[i] * 4); o += cs[i]; }
  }
}
EXPORT(split_last) void split_last(const float* x, float** ptrs, const int* cs, int n, int M) {
  int tot = 0;
  for (int i = 0; i < n; i++) tot += cs[i];
  for (int m = 0; m < M; m++) {
    const float* s = x + (long)m * tot;
    for (int i = 0; i < n; i++) { __builtin_memcpy(ptrs[i] + (long)m * cs[i], s, cs[i] * 4); s += cs[i]; }
  }
}
// nearest resize gradient, alignCorners = halfPixelCenters = false: source = floor(o · (in / out)) in double, as tfjs
EXPORT(resize_nearest_grad) void resize_nearest_grad(const float* dy, float* dx, int N, int H, int W, int C, int OH, int OW) {
  const long tot = (long)N * H * W * C;
  for (long i = 0; i < tot; i++) dx[i] = 0.f;
  for (int n = 0; n < N; n++) for (int y = 0; y < OH; y++) {
    const int sy = imin(H - 1, (int)(y * ((double)H / OH)));
    for (int xx = 0; xx < OW; xx++) {
      const int sx = imin(W - 1, (int)(xx * ((double)W / OW)));
      float* o = dx + (((long)n * H + sy) * W + sx) * C; const float* gy = dy + (((long)n * OH + y) * OW + xx) * C;
      for (int c = 0; c < C; c++) o[c] += gy[c];
    }
  }
}
