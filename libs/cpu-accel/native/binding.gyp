{
  "targets": [{
    "target_name": "vigil_cpu_accel",
    "sources": ["src/addon.cc", "src/conv.cc", "src/bn_silu.cc", "src/pool.cc", "src/copy_ops.cc"],
    "include_dirs": ["<!(node -p \"require('node-addon-api').include_dir\")"],
    "defines": ["NAPI_DISABLE_CPP_EXCEPTIONS", "NAPI_VERSION=8"],
    "cflags_cc!": ["-fno-exceptions"],
    "cflags_cc": ["-O3", "-std=c++17", "-march=native", "-fopenmp", "-ffast-math", "-fexceptions"],
    "ldflags": ["-fopenmp"],
    "libraries": ["-ldnnl"]
  }]
}
