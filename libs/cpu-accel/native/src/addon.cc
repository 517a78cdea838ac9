// Node-API entry of the Vigil CPU-acceleration addon (oneDNN convolutions + memory-bound helper kernels).
#include "common.h"
#include <omp.h>
#include <pthread.h>
#include <sched.h>
#include <vector>

static Napi::Value Threads(const Napi::CallbackInfo& info) { return Napi::Number::New(info.Env(), omp_get_max_threads()); }

namespace {
cpu_set_t allowedAtPin;  // the CPUs the process could use before pinning: what forked children get back
void RestoreAffinityInChild() { sched_setaffinity(0, sizeof(allowedAtPin), &allowedAtPin); }
}  // namespace

// pinThreads(): pins OpenMP thread t (the calling JS main thread is t = 0) to the t-th CPU the process may use, so each
// kernel finds the rows its thread wrote in the previous kernel in that core's cache. A child process forked later
// gets the original CPU set back (pthread_atfork), not the main thread's single CPU. Returns how many threads were
// pinned (0 with one thread, or with fewer CPUs than threads). libgomp reuses its workers, so this holds afterwards.
static Napi::Value PinThreads(const Napi::CallbackInfo& info) {
  // The first call records the process's CPU set; later calls (e.g. from another JS realm) re-pin against it.
  static bool recorded = false;
  if (!recorded) {
    CPU_ZERO(&allowedAtPin);
    if (sched_getaffinity(0, sizeof(allowedAtPin), &allowedAtPin) != 0) return Napi::Number::New(info.Env(), 0);
    recorded = true;
  }
  int pinned = 0;
  const int T = omp_get_max_threads();
  std::vector<int> cpus;
  for (int c = 0; c < CPU_SETSIZE; c++) if (CPU_ISSET(c, &allowedAtPin)) cpus.push_back(c);
  static bool atfork = false;
  if (T > 1 && (int)cpus.size() >= T && !atfork) atfork = pthread_atfork(nullptr, nullptr, RestoreAffinityInChild) == 0;
  if (T > 1 && (int)cpus.size() >= T && atfork) {
#pragma omp parallel num_threads(T) reduction(+ : pinned)
    {
      cpu_set_t one;
      CPU_ZERO(&one);
      CPU_SET(cpus[omp_get_thread_num()], &one);
      if (pthread_setaffinity_np(pthread_self(), sizeof(one), &one) == 0) pinned++;
    }
  }
  return Napi::Number::New(info.Env(), pinned);
}

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
  exports.Set("pinThreads", Napi::Function::New(env, PinThreads));
  return exports;
}
NODE_API_MODULE(vigil_cpu_accel, Init)
