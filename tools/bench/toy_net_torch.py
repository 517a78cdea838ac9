# PyTorch anchor for tools/bench/train-step.ts: the toy Conv+BN+SiLU net of the CPU-acceleration prototype
# (shared/reference/cpu-acceleration-spike/e2e_torch.py), trained with momentum SGD (forward + mean-square loss +
# backward + step) and run for fused inference (BatchNorm folded into the convs, no_grad), 2 threads.
# usage: /usr/bin/python3 toy_net_torch.py <train_size> <train_batch> <infer_size> <infer_batch> <steps>
# prints one JSON line: median ms per training step / inference, for NCHW and channels_last.
import sys, time, json, statistics, torch, torch.nn as nn
torch.set_num_threads(2); torch.manual_seed(0)
S, B, IS, IB, STEPS = (int(a) for a in sys.argv[1:6])
class Conv(nn.Module):
    def __init__(s, c1, c2, k, st, p, bn=True):
        super().__init__(); s.c = nn.Conv2d(c1, c2, k, st, p, bias=not bn); s.bn = nn.BatchNorm2d(c2, eps=1e-3) if bn else None
    def forward(s, x):
        x = s.c(x)
        return x if s.bn is None else nn.functional.silu(s.bn(x))
    def fuse(s):
        if s.bn is not None: s.c = torch.nn.utils.fusion.fuse_conv_bn_eval(s.c, s.bn); s.bn = None; s.act = True
        return s
class Net(nn.Module):
    def __init__(s):
        super().__init__()
        s.L0, s.L1 = Conv(3,16,6,2,2), Conv(16,32,3,2,1)
        s.L2a, s.L2b, s.L2c, s.L2d = Conv(32,16,1,1,0), Conv(16,16,3,1,1), Conv(32,16,1,1,0), Conv(32,32,1,1,0)
        s.L3, s.L4a, s.L4b, s.L5 = Conv(32,64,3,2,1), Conv(64,32,1,1,0), Conv(96,64,1,1,0), Conv(96,32,1,1,0)
        s.H = Conv(32,18,1,1,0,bn=False); s.mp = nn.MaxPool2d(5,1,2); s.up = nn.Upsample(scale_factor=2, mode='nearest')
    def forward(s, x):
        x1 = s.L1(s.L0(x)); a = s.L2a(x1); b = a + s.L2b(a); x2 = s.L2d(torch.cat([b, s.L2c(x1)], 1))
        x3 = s.L3(x2); t = s.L4a(x3); m1 = s.mp(t); m2 = s.mp(m1); x4 = s.L4b(torch.cat([t, m1, m2], 1))
        x5 = s.L5(torch.cat([s.up(x4), x2], 1)); return s.H(x5)
class Fused(nn.Module):
    def __init__(s, net):
        super().__init__(); s.net = net
        for m in net.modules():
            if isinstance(m, Conv) and m.bn is not None:
                m.c = torch.nn.utils.fusion.fuse_conv_bn_eval(m.c, m.bn); m.bn = nn.Identity()
    def forward(s, x): return s.net(x)
def train(fmt):
    net = Net(); x = torch.rand(B, 3, S, S) * 2 - 1
    if fmt == 'channels_last': net = net.to(memory_format=torch.channels_last); x = x.contiguous(memory_format=torch.channels_last)
    opt = torch.optim.SGD(net.parameters(), lr=0.01, momentum=0.9); ts = []
    for i in range(STEPS + 2):
        t0 = time.perf_counter(); opt.zero_grad(); loss = net(x).square().mean(); loss.backward(); opt.step(); loss.item()
        if i >= 2: ts.append((time.perf_counter() - t0) * 1e3)
    return statistics.median(ts)
def infer(fmt):
    net = Net().eval()
    with torch.no_grad():
        f = Fused(net).eval(); x = torch.rand(IB, 3, IS, IS)
        if fmt == 'channels_last': f = f.to(memory_format=torch.channels_last); x = x.contiguous(memory_format=torch.channels_last)
        ts = []
        for i in range(STEPS + 2):
            t0 = time.perf_counter(); f(x).sum().item()
            if i >= 2: ts.append((time.perf_counter() - t0) * 1e3)
    return statistics.median(ts)
print(json.dumps({'torch': torch.__version__, 'train_nchw': train('nchw'), 'train_channels_last': train('channels_last'),
                  'infer_nchw': infer('nchw'), 'infer_channels_last': infer('channels_last')}))
