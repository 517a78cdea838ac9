// oneDNN (Debian libdnnl 2.x) 2-D convolution forward / backward-data / backward-weights on NHWC activations and
// HWIO filters (tfjs layouts), in place on caller buffers. Activations are handed to oneDNN in their own nhwc layout
// (measured 1.5-2x faster than letting oneDNN choose a blocked layout and reordering); filters use the layout the
// primitive prefers (reordered per call: filters are small). Primitives are cached per shape.
#include "common.h"
#include <oneapi/dnnl/dnnl.hpp>
#include <memory>
#include <string>
#include <unordered_map>

using namespace dnnl;
using tag = memory::format_tag;
using dt = memory::data_type;

namespace {
engine& Eng() { static engine e(engine::kind::cpu, 0); return e; }
stream& Strm() { static stream s(Eng()); return s; }

// dims: N,H,W,C, OH,OW,K, KH,KW, SH,SW, PT,PL,PB,PR, DH,DW (dilation as in tfjs: 1 = none)
constexpr int kDims = 17;
struct Dims { int N, H, W, C, OH, OW, K, KH, KW, SH, SW, PT, PL, PB, PR, DH, DW; };
Dims ReadDims(const Napi::Value& v) {
  const int32_t* p = vca::I32(v);
  return Dims{p[0], p[1], p[2], p[3], p[4], p[5], p[6], p[7], p[8], p[9], p[10], p[11], p[12], p[13], p[14], p[15], p[16]};
}
std::string Key(const int32_t* p, int extra0, float extra1, int hasBias) {
  std::string k;
  for (int i = 0; i < kDims; i++) { k += std::to_string(p[i]); k += ','; }
  k += std::to_string(extra0) + ',' + std::to_string(extra1) + ',' + std::to_string(hasBias);
  return k;
}

struct ConvDescs {
  memory::desc src, wt, dst, bias, wtAny;
  memory::dims strides, dil, pl, pr;
};
ConvDescs MakeDescs(const Dims& d) {
  ConvDescs c;
  memory::dims src{d.N, d.C, d.H, d.W}, wt{d.K, d.C, d.KH, d.KW}, dst{d.N, d.K, d.OH, d.OW};
  c.src = memory::desc(src, dt::f32, tag::nhwc);
  c.wt = memory::desc(wt, dt::f32, tag::hwio);
  c.wtAny = memory::desc(wt, dt::f32, tag::any);
  c.dst = memory::desc(dst, dt::f32, tag::nhwc);
  c.bias = memory::desc({d.K}, dt::f32, tag::x);
  c.strides = {d.SH, d.SW};
  c.dil = {d.DH - 1, d.DW - 1};
  c.pl = {d.PT, d.PL};
  c.pr = {d.PB, d.PR};
  return c;
}

// Activation codes shared with src/lib/native-addon.ts.
enum Act { kLinear = 0, kRelu = 1, kRelu6 = 2, kLeakyRelu = 3, kSigmoid = 4, kElu = 5, kSilu = 6 };

struct Fwd { convolution_forward::primitive_desc pd; convolution_forward prim; };
struct Train {
  ConvDescs d;
  convolution_forward::primitive_desc fwdPd;
  convolution_backward_data::primitive_desc bdPd; convolution_backward_data bd;
  convolution_backward_weights::primitive_desc bwPd; convolution_backward_weights bw;
};
std::unordered_map<std::string, std::unique_ptr<Fwd>> fwdCache;
std::unordered_map<std::string, std::unique_ptr<Train>> trainCache;

Fwd& GetFwd(const Napi::Value& dimsV, int act, float alpha, bool hasBias) {
  const int32_t* p = vca::I32(dimsV);
  std::string k = Key(p, act, alpha, hasBias);
  auto it = fwdCache.find(k);
  if (it != fwdCache.end()) return *it->second;
  Dims d = ReadDims(dimsV);
  ConvDescs c = MakeDescs(d);
  post_ops po;
  switch (act) {
    case kRelu: po.append_eltwise(1.f, algorithm::eltwise_relu, 0.f, 0.f); break;
    case kRelu6: po.append_eltwise(1.f, algorithm::eltwise_clip, 0.f, 6.f); break;
    case kLeakyRelu: po.append_eltwise(1.f, algorithm::eltwise_relu, alpha, 0.f); break;
    case kSigmoid: po.append_eltwise(1.f, algorithm::eltwise_logistic, 0.f, 0.f); break;
    case kElu: po.append_eltwise(1.f, algorithm::eltwise_elu, 1.f, 0.f); break;
    case kSilu: po.append_eltwise(1.f, algorithm::eltwise_swish, 1.f, 0.f); break;
    default: break;
  }
  primitive_attr attr;
  attr.set_post_ops(po);
  auto desc = hasBias
      ? convolution_forward::desc(prop_kind::forward_inference, algorithm::convolution_direct, c.src, c.wtAny, c.bias, c.dst, c.strides, c.dil, c.pl, c.pr)
      : convolution_forward::desc(prop_kind::forward_inference, algorithm::convolution_direct, c.src, c.wtAny, c.dst, c.strides, c.dil, c.pl, c.pr);
  auto f = std::make_unique<Fwd>();
  f->pd = convolution_forward::primitive_desc(desc, attr, Eng());
  f->prim = convolution_forward(f->pd);
  auto& ref = *f;
  fwdCache.emplace(k, std::move(f));
  return ref;
}

Train& GetTrain(const Napi::Value& dimsV) {
  const int32_t* p = vca::I32(dimsV);
  std::string k = Key(p, 0, 0.f, 0);
  auto it = trainCache.find(k);
  if (it != trainCache.end()) return *it->second;
  auto t = std::make_unique<Train>();
  t->d = MakeDescs(ReadDims(dimsV));
  const ConvDescs& c = t->d;
  auto fd = convolution_forward::desc(prop_kind::forward_training, algorithm::convolution_direct, c.src, c.wtAny, c.dst, c.strides, c.dil, c.pl, c.pr);
  t->fwdPd = convolution_forward::primitive_desc(fd, Eng());
  auto bdd = convolution_backward_data::desc(algorithm::convolution_direct, c.src, c.wtAny, c.dst, c.strides, c.dil, c.pl, c.pr);
  t->bdPd = convolution_backward_data::primitive_desc(bdd, Eng(), t->fwdPd);
  t->bd = convolution_backward_data(t->bdPd);
  auto bwd = convolution_backward_weights::desc(algorithm::convolution_direct, c.src, c.wtAny, c.dst, c.strides, c.dil, c.pl, c.pr);
  t->bwPd = convolution_backward_weights::primitive_desc(bwd, Eng(), t->fwdPd);
  t->bw = convolution_backward_weights(t->bwPd);
  auto& ref = *t;
  trainCache.emplace(k, std::move(t));
  return ref;
}

// Wraps a user buffer; reorders into the primitive's preferred layout when it differs.
memory In(const memory::desc& want, const memory::desc& user, float* ptr) {
  memory u(user, Eng(), ptr);
  if (want == user) return u;
  memory m(want, Eng());
  reorder(u, m).execute(Strm(), u, m);
  return m;
}

Napi::Value Fail(const Napi::CallbackInfo& info, const char* what, const dnnl::error& e) {
  Napi::Error::New(info.Env(), std::string("vigil cpu-accel: oneDNN ") + what + " failed: " + e.what()).ThrowAsJavaScriptException();
  return info.Env().Undefined();
}
}  // namespace

// convFwd(x, w, bias | null, y, dims, act, alpha): y = act(conv(x, w) + bias)
Napi::Value ConvFwd(const Napi::CallbackInfo& info) {
  try {
    bool hasBias = info[2].IsTypedArray();
    Fwd& f = GetFwd(info[4], vca::Int(info[5]), (float)vca::Num(info[6]), hasBias);
    Dims d = ReadDims(info[4]);
    ConvDescs c = MakeDescs(d);
    memory src(c.src, Eng(), vca::F32(info[0]));
    memory w = In(f.pd.weights_desc(), c.wt, vca::F32(info[1]));
    memory y(c.dst, Eng(), vca::F32(info[3]));
    std::unordered_map<int, memory> args{{DNNL_ARG_SRC, src}, {DNNL_ARG_WEIGHTS, w}, {DNNL_ARG_DST, y}};
    if (hasBias) args.emplace(DNNL_ARG_BIAS, memory(c.bias, Eng(), vca::F32(info[2])));
    f.prim.execute(Strm(), args);
    Strm().wait();
  } catch (const dnnl::error& e) { return Fail(info, "convolution forward", e); }
  return info.Env().Undefined();
}

// convBwdData(dy, w, dx, dims)
Napi::Value ConvBwdData(const Napi::CallbackInfo& info) {
  try {
    Train& t = GetTrain(info[3]);
    memory dy(t.d.dst, Eng(), vca::F32(info[0]));
    memory w = In(t.bdPd.weights_desc(), t.d.wt, vca::F32(info[1]));
    memory dx(t.d.src, Eng(), vca::F32(info[2]));
    t.bd.execute(Strm(), {{DNNL_ARG_DIFF_DST, dy}, {DNNL_ARG_WEIGHTS, w}, {DNNL_ARG_DIFF_SRC, dx}});
    Strm().wait();
  } catch (const dnnl::error& e) { return Fail(info, "convolution backward-data", e); }
  return info.Env().Undefined();
}

// convBwdWeights(x, dy, dw, dims)
Napi::Value ConvBwdWeights(const Napi::CallbackInfo& info) {
  try {
    Train& t = GetTrain(info[3]);
    memory src(t.d.src, Eng(), vca::F32(info[0]));
    memory dy(t.d.dst, Eng(), vca::F32(info[1]));
    memory dwU(t.d.wt, Eng(), vca::F32(info[2]));
    bool direct = t.bwPd.diff_weights_desc() == t.d.wt;
    memory dw = direct ? dwU : memory(t.bwPd.diff_weights_desc(), Eng());
    t.bw.execute(Strm(), {{DNNL_ARG_SRC, src}, {DNNL_ARG_DIFF_DST, dy}, {DNNL_ARG_DIFF_WEIGHTS, dw}});
    if (!direct) reorder(dw, dwU).execute(Strm(), dw, dwU);
    Strm().wait();
  } catch (const dnnl::error& e) { return Fail(info, "convolution backward-weights", e); }
  return info.Env().Undefined();
}

Napi::Value DnnlVersion(const Napi::CallbackInfo& info) {
  const dnnl_version_t* v = dnnl_version();
  return Napi::String::New(info.Env(), std::to_string(v->major) + "." + std::to_string(v->minor) + "." + std::to_string(v->patch));
}
