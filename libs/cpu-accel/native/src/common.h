// Shared helpers of the Vigil CPU-acceleration addon. All kernels work in place on caller-owned float32 buffers
// (views of the tfjs wasm heap): the JS side allocates every output before taking the views.
#pragma once
#include <napi.h>
#include <cstdint>

namespace vca {
inline float* F32(const Napi::Value& v) { return v.As<Napi::Float32Array>().Data(); }
inline size_t Len(const Napi::Value& v) { return v.As<Napi::Float32Array>().ElementLength(); }
inline const int32_t* I32(const Napi::Value& v) { return v.As<Napi::Int32Array>().Data(); }
inline int Int(const Napi::Value& v) { return v.As<Napi::Number>().Int32Value(); }
inline double Num(const Napi::Value& v) { return v.As<Napi::Number>().DoubleValue(); }
}  // namespace vca

// Entry points (one file per concept).
Napi::Value ConvFwd(const Napi::CallbackInfo& info);
Napi::Value ConvBwdData(const Napi::CallbackInfo& info);
Napi::Value ConvBwdWeights(const Napi::CallbackInfo& info);
Napi::Value DnnlVersion(const Napi::CallbackInfo& info);
Napi::Value BnSiluFwd(const Napi::CallbackInfo& info);
Napi::Value BnSiluBwd(const Napi::CallbackInfo& info);
Napi::Value MaxPoolFwd(const Napi::CallbackInfo& info);
Napi::Value MaxPoolBwd(const Napi::CallbackInfo& info);
Napi::Value ConcatLast(const Napi::CallbackInfo& info);
Napi::Value SplitLast(const Napi::CallbackInfo& info);
Napi::Value ResizeNearestFwd(const Napi::CallbackInfo& info);
Napi::Value ResizeNearestBwd(const Napi::CallbackInfo& info);
Napi::Value AddSame(const Napi::CallbackInfo& info);
Napi::Value TransposeRows(const Napi::CallbackInfo& info);
