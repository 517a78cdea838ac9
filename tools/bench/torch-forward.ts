import { spawnSync } from 'node:child_process';
import { median } from './stats.js';

/** The original's fused PyTorch inference of a spec yaml on random input, timed per call (2 threads). */
const PY = String.raw`
import os, sys, time, json, types, logging
sys.path.insert(0, os.environ['SEED_SRC'])
sys.modules.setdefault('seaborn', types.ModuleType('seaborn'))
logging.disable(logging.CRITICAL)
import torch
torch.set_num_threads(2)
from models.yolo import Model
m = Model(sys.argv[1]).fuse().eval()
x = torch.rand(1, 3, int(sys.argv[2]), int(sys.argv[2]))
ts = []
with torch.no_grad():
    m(x)
    for _ in range(int(sys.argv[3])):
        t = time.perf_counter(); m(x); ts.append((time.perf_counter() - t) * 1e3)
print(json.dumps(ts))
`;

/**
 * Median ms of the original's PyTorch forward (batch 1, `img`×`img`, fused, 2 threads) when Debian's python3-torch and
 * a checkout of the original (SEED_SRC) are there; otherwise a string saying why not.
 */
export function torchForwardMs(cfgPath: string, img: number, reps: number): number | string {
  if (!process.env['SEED_SRC']) return 'set SEED_SRC=<checkout of the original> for the PyTorch baseline';
  const r = spawnSync('/usr/bin/python3', ['-c', PY, cfgPath, String(img), String(reps)], { encoding: 'utf8' });
  if (r.status !== 0) return `PyTorch baseline failed: ${(r.stderr || r.error?.message || '').trim().split('\n').pop()}`;
  return median(JSON.parse(r.stdout.trim().split('\n').pop()!) as number[]);
}
