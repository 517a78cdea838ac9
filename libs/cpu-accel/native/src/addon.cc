// Node-API entry of the Vigil CPU-acceleration addon (oneDNN convolutions + memory-bound helper kernels).
#include "common.h"
#include <omp.h>

static Napi::Value Threads(const Napi::CallbackInfo& info) { return Napi::Number::New(info.Env(), omp_get_max_threads()); }

static Napi::Object Init(Napi::Env env, Napi::Object exports) {
  exports.Set("convFwd", Napi::Function::New(env, ConvFwd));
  exports.Set("convBwdData", Napi::Function::New(env, ConvBwdData));
  exports.Set("convBwdWeights", Napi::Function::New(env, ConvBwdWeights));
  exports.Set("bnSiluFwd", Napi::Function::New(env, BnSiluFwd));
  exports.Set("bnSiluBwd", Napi::Function::New(env, BnSiluBwd));
  exports.Set("maxPool", Napi::Function::New(env, MaxPoolFwd));
  exports.Set("maxPoolGrad", Napi::Function::New(env, MaxPoolBwd));
  exports.Set("concatLast", Napi::Function::New(env, ConcatLast));
  exports.Set("splitLast", Napi::Function::New(env, SplitLast));
  exports.Set("resizeNearest", Napi::Function::New(env, ResizeNearestFwd));
  exports.Set("resizeNearestGrad", Napi::Function::New(env, ResizeNearestBwd));
  exports.Set("addSame", Napi::Function::New(env, AddSame));
  exports.Set("transposeRows", Napi::Function::New(env, TransposeRows));
  exports.Set("dnnlVersion", Napi::Function::New(env, DnnlVersion));
  exports.Set("threads", Napi::Function::New(env, Threads));
  return exports;
}
NODE_API_MODULE(vigil_cpu_accel, Init)
