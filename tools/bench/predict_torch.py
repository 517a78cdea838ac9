# PyTorch anchor for tools/bench/predict.ts: the ORIGINAL predict.py `test()` (SEED_SRC = checkout of
# PJunhyuk/2021AICompetition-03) on a folder of images with 2 weights files and TTA, CPU, 2 threads.
# usage: SEED_SRC=/tmp/seed /usr/bin/python3 predict_torch.py make <out.pt> <seed> <cfg: n6|s6> <img>
#        SEED_SRC=/tmp/seed /usr/bin/python3 predict_torch.py run <images_dir> <img> <batch> <tta 0|1> <scratch> <a.pt> [<b.pt> ...]
# `make` writes a seeded model as the original's checkpoint dict (fp32; Detect biases/weights lifted as in
# apps/predict/src/predict/fixtures/make-predict-golden.py so that images have tens of boxes above conf 0.006).
# `run` prints one JSON line: wall seconds of test() (model load + loader + inference + NMS + JSON) and the output file.
import argparse, json, os, sys, time, types
from copy import deepcopy
from pathlib import Path

SEED = os.environ['SEED_SRC']
sys.path.insert(0, SEED)
for _missing in ['seaborn', 'thop']:
    try:
        __import__(_missing)
    except ImportError:
        sys.modules[_missing] = types.ModuleType(_missing)
import cv2
import numpy as np
for _alias, _t in [('int', int), ('float', float), ('bool', bool)]:
    if not hasattr(np, _alias):
        setattr(np, _alias, _t)
import torch
import yaml

torch.set_num_threads(2)
NAMES = ['eye_opened', 'eye_closed', 'mouth_opened', 'mouth_closed', 'face', 'phone', 'cigar']


def make(out, seed, cfg_name, img, sample):
    from models.yolo import Model
    cfg = yaml.safe_load(open(os.path.join(SEED, 'models/hub/yolov5l6.yaml')))
    cfg['depth_multiple'], cfg['width_multiple'] = {'n6': (0.33, 0.25), 's6': (0.33, 0.5)}[cfg_name]
    torch.manual_seed(seed)
    m = Model(cfg, ch=3, nc=7)
    m.names = NAMES
    g = torch.Generator().manual_seed(seed + 100)
    det = m.model[-1]
    with torch.no_grad():
        for name, p in m.named_parameters():
            if p.dim() == 4 and not name.startswith(f'model.{len(m.model) - 1}.'):
                p.mul_(2.0)
        for conv in det.m:
            b = conv.bias.view(det.na, -1)
            b[:, 4] = torch.empty(det.na).uniform_(-8.5, -7.0, generator=g)
            b[:, 5:] = torch.empty(det.na, det.nc).uniform_(-4.0, -2.0, generator=g)
        m.eval()
        im = cv2.imread(sample)[:, :, ::-1]
        r = img / max(im.shape[:2])
        im = cv2.resize(im, (int(im.shape[1] * r), int(im.shape[0] * r)), interpolation=cv2.INTER_AREA)
        x = torch.from_numpy(np.ascontiguousarray(im)).permute(2, 0, 1)[None].float() / 255
        x = torch.nn.functional.pad(x, (0, (64 - x.shape[3] % 64) % 64, 0, (64 - x.shape[2] % 64) % 64), value=0.447)
        _, raw = m(x)
        for conv, rr in zip(det.m, raw):
            conv.weight.mul_(1.5 / float((rr - conv.bias.view(1, det.na, 1, 1, -1)).std()))
    torch.save({'epoch': -1, 'best_fitness': None, 'training_results': None, 'model': deepcopy(m),
                'optimizer': None, 'wandb_id': None}, out)


def run(images, img, batch, tta, scratch, weights):
    import predict as seed_predict
    data = {'test': images, 'val': images, 'train': images, 'nc': 7, 'names': NAMES}
    opt = argparse.Namespace(device='cpu', project=scratch, name='bench', exist_ok=True, task='test',
                             single_cls=False, save_json=True, augment=tta)
    t = time.perf_counter()
    seed_predict.test(data, weights, batch_size=batch, imgsz=img, conf_thres=0.006, iou_thres=0.7, save_json=True,
                      single_cls=False, augment=tta, verbose=False, plots=False, opt=opt)
    secs = time.perf_counter() - t
    out = str(Path(scratch) / 'bench' / f'{Path(weights[0]).stem}_predictions.json')
    print(json.dumps({'seconds': secs, 'out': out}))


if __name__ == '__main__':
    if sys.argv[1] == 'make':
        make(sys.argv[2], int(sys.argv[3]), sys.argv[4], int(sys.argv[5]), sys.argv[6])
    else:
        run(sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), sys.argv[5] == '1', sys.argv[6], sys.argv[7:])
