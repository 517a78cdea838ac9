/**
 * Converter benchmark: our `prepareData` vs the original's Python `data_prepare` (train.py) on the same images.
 * The set: `--unique` synthetic frames rendered once, copied (distinct files, real bytes) up to `--n` images with a
 * matching labels.json. The Python baseline is a faithful re-creation of data_prepare with the paths as parameters
 * (random.sample split, `idx in val_idx` list membership, PIL.Image.open for sizes, shutil.copy, diet over all images,
 * class counts), minus tqdm; it needs /usr/bin/python3 with numpy and PIL. Both sides use the same val count and
 * diet source 'all' so they do the same work. Runs alternate (ours, Python, …), each into a new output folder
 * after a `sync` (untimed); all outputs are deleted at the end (see below why not between runs).
 *
 *   node --conditions=@vigil/source --import tsx tools/bench/prepare-data.ts [--n 20000] [--unique 400] [--reps 3] [--keep]
 */
import { spawnSync } from 'node:child_process';
import { readFileSync, rmSync } from 'node:fs';
import { copyFile, mkdir, readFile, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { generateSyntheticData, prepareData } from '@vigil/dataset';
import { median } from './stats.js';

const { values } = parseArgs({
  options: { n: { type: 'string', default: '20000' }, unique: { type: 'string', default: '400' }, reps: { type: 'string', default: '3' }, dir: { type: 'string' }, keep: { type: 'boolean', default: false } },
});
const N = Number(values.n);
const UNIQUE = Math.min(N, Number(values.unique));
const REPS = Number(values.reps);
const root = values.dir ?? join(tmpdir(), `vigil-bench-prepare-${N}`);
const trainDir = join(root, 'task03_train');
const VAL = Math.floor(N * 0.2);

async function makeSet(): Promise<void> {
  const marker = join(root, 'bench-set.json');
  const want = JSON.stringify({ N, UNIQUE });
  if ((await readFile(marker, 'utf8').catch(() => '')) === want) return;
  await rm(root, { recursive: true, force: true });
  const t = performance.now();
  await generateSyntheticData(join(root, 'unique'), { train: UNIQUE, test: 0, seed: 1 });
  const ann = JSON.parse(await readFile(join(root, 'unique/task03_train/labels.json'), 'utf8')).annotations as { file_name: string; objects: unknown[] }[];
  await mkdir(join(trainDir, 'images'), { recursive: true });
  const out: { file_name: string; objects: unknown[] }[] = [];
  for (let i = 0; i < N; i += 64) {
    const jobs: Promise<void>[] = [];
    for (let k = i; k < Math.min(N, i + 64); k++) {
      const a = ann[k % UNIQUE]!;
      const name = `img_${String(k).padStart(6, '0')}.jpg`;
      out.push({ file_name: name, objects: a.objects });
      jobs.push(copyFile(join(root, 'unique/task03_train/images', a.file_name), join(trainDir, 'images', name)));
    }
    await Promise.all(jobs);
  }
  await writeFile(join(trainDir, 'labels.json'), JSON.stringify({ annotations: out }));
  await writeFile(marker, want);
  console.log(`made the set: ${N} images (${UNIQUE} unique renders) in ${((performance.now() - t) / 1000).toFixed(1)} s → ${trainDir}`);
}

const PY = String.raw`
import json, os, random, shutil, sys, time
import numpy as np
from PIL import Image

def xyxy2xywh(x):
    y = np.copy(x)
    y[:, 0] = (x[:, 0] + x[:, 2]) / 2
    y[:, 1] = (x[:, 1] + x[:, 3]) / 2
    y[:, 2] = x[:, 2] - x[:, 0]
    y[:, 3] = x[:, 3] - x[:, 1]
    return y

def data_prepare(path_train_dir, out, val_count):
    random.seed(100)
    names = ['eye_opened', 'eye_closed', 'mouth_opened', 'mouth_closed', 'face', 'phone', 'cigar']
    new_dir = out + '/drowsy_face'
    if os.path.exists(new_dir):
        shutil.rmtree(new_dir)
    os.makedirs(new_dir + '/images/train'); os.makedirs(new_dir + '/images/val')
    os.makedirs(new_dir + '/labels/train'); os.makedirs(new_dir + '/labels/val')
    with open(path_train_dir + '/labels.json') as f:
        json_anno = json.load(f)["annotations"]
        val_idx = random.sample(list(range(len(json_anno))), val_count)
        json_anno_val, json_anno_train = [], []
        for idx, json_img in enumerate(json_anno):
            if idx in val_idx:
                json_anno_val.append(json_img)
            else:
                json_anno_train.append(json_img)
        with open(new_dir + '/raw_val.json', 'w') as f_val:
            json.dump({'annotations': json_anno_val}, f_val)
        with open(new_dir + '/raw_train.json', 'w') as f_train:
            json.dump({'annotations': json_anno_train}, f_train)

    def convert_split(src_json, root, split):
        with open(src_json) as f:
            for json_img in json.load(f)["annotations"]:
                img_id = json_img['file_name']
                f_txt = open(root + '/labels/' + split + '/' + img_id.split('.')[0] + '.txt', 'w')
                img_ = Image.open(path_train_dir + '/images/' + img_id)
                img_size = img_.size
                for img_obj in json_img['objects']:
                    class_id = str(names.index(img_obj['class']))
                    p = img_obj['position']
                    xywh = xyxy2xywh(np.array([[p[0]/img_size[0], p[1]/img_size[1], p[2]/img_size[0], p[3]/img_size[1]]]))[0]
                    f_txt.write(f"{class_id} {xywh[0]:.5f} {xywh[1]:.5f} {xywh[2]:.5f} {xywh[3]:.5f}\n")
                f_txt.close()
                shutil.copy(path_train_dir + '/images/' + img_id, root + '/images/' + split + '/' + img_id)
    convert_split(new_dir + '/raw_val.json', new_dir, 'val')
    convert_split(new_dir + '/raw_train.json', new_dir, 'train')

    json_anno_diet = []
    with open(path_train_dir + '/labels.json') as f:
        fidx = 0
        for img_info in json.load(f)["annotations"]:
            c = {o['class'] for o in img_info['objects']}
            if 'cigar' in c or 'phone' in c:
                json_anno_diet.append(img_info)
            elif 'eye_closed' in c and 'mouth_closed' in c:
                json_anno_diet.append(img_info)
            elif 'eye_closed' in c and 'mouth_opened' in c:
                json_anno_diet.append(img_info)
            elif 'mouth_opened' in c:
                fidx += 1
                if fidx % 3 == 0:
                    json_anno_diet.append(img_info)
    with open(new_dir + '/diet_train.json', 'w') as f_diet:
        json.dump({'annotations': json_anno_diet}, f_diet)
    new_dir_diet = out + '/drowsy_face_diet'
    if os.path.exists(new_dir_diet):
        shutil.rmtree(new_dir_diet)
    os.makedirs(new_dir_diet + '/images/train'); os.makedirs(new_dir_diet + '/labels/train')
    convert_split(new_dir + '/diet_train.json', new_dir_diet, 'train')

    counts = []
    for j in ['diet_train.json', 'raw_train.json', 'raw_val.json']:
        d = {n: 0 for n in names}
        for img_info in json.load(open(new_dir + '/' + j))['annotations']:
            for o in img_info['objects']:
                d[o['class']] += 1
        counts.append(d)
    return counts, len(json_anno_diet)

t = time.perf_counter()
counts, ndiet = data_prepare(sys.argv[1], sys.argv[2], int(sys.argv[3]))
print(json.dumps({'s': time.perf_counter() - t, 'diet': ndiet, 'counts': counts}))
`;

await makeSet();
// Warm the page cache for both sides.
for (const f of await readdir(join(trainDir, 'images'))) await stat(join(trainDir, 'images', f));
const load = () => readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');
console.log(`converter benchmark: ${N} images, val ${VAL}, diet source 'all'; load average ${load()}`);

// Every run writes into a new, empty output folder, and the outputs are deleted only after the last run. This disk is
// ext4 without a journal: there, creating a file skips every inode freed in the last 60–300 s (ext4's
// recently_deleted check, one inode-table lookup each), so deleting a previous run's ~50,000 files just before a run
// made file creation up to 10× slower (both sides) and the numbers meaningless.
const outRoot = join(root, `out-${process.pid}`);
rmSync(outRoot, { recursive: true, force: true });
// Interleaved (ours, Python, ours, Python, …) so that the machine's noise falls on both sides alike.
const ours: number[] = [];
const pyTimes: number[] = [];
let last: Awaited<ReturnType<typeof prepareData>> | undefined;
let pyNote = '';
for (let r = 0; r < REPS; r++) {
  spawnSync('sync'); // flush the previous run's writes (untimed)
  const t = performance.now();
  last = await prepareData({ trainDir, outDir: join(outRoot, `vigil-${r}`), valCount: VAL, dietSource: 'all' });
  ours.push((performance.now() - t) / 1000);
  spawnSync('sync');
  const py = spawnSync('/usr/bin/python3', ['-c', PY, trainDir, join(outRoot, `python-${r}`), String(VAL)], { encoding: 'utf8' });
  if (py.status !== 0) {
    pyNote = `skipped (${py.stderr.trim().split('\n').pop()})`;
    continue;
  }
  const res = JSON.parse(py.stdout.trim().split('\n').pop()!) as { s: number; diet: number; counts: Record<string, number>[] };
  const same = res.diet === last.images.diet && JSON.stringify(Object.values(res.counts[0]!)) === JSON.stringify(last.counts.diet);
  pyNote = `diet ${res.diet} (${same ? 'same diet counts as ours' : 'DIFFERENT diet counts'})`;
  pyTimes.push(res.s);
  console.log(`  rep ${r + 1}: ours ${ours[r]!.toFixed(2)} s, original ${res.s.toFixed(2)} s (load ${load()})`);
}
console.log(`ours: median ${median(ours).toFixed(2)} s of ${REPS} [${ours.map((s) => s.toFixed(2)).join(', ')}] — train ${last!.images.train}, val ${last!.images.val}, diet ${last!.images.diet}, links ${JSON.stringify(last!.links)}`);
if (pyTimes.length === 0) console.log(`original (Python): ${pyNote}`);
else {
  console.log(`original (Python data_prepare re-creation, PIL + shutil.copy): median ${median(pyTimes).toFixed(2)} s of ${pyTimes.length} [${pyTimes.map((s) => s.toFixed(2)).join(', ')}] — ${pyNote}`);
  const paired = pyTimes.map((p, i) => p / ours[i]!);
  console.log(`ratio: ${(median(pyTimes) / median(ours)).toFixed(1)}× faster (ratio of the medians); per run pair ${paired.map((x) => x.toFixed(1)).join(', ')} → median ${median(paired).toFixed(1)}×`);
}
console.log(`load average at the end: ${load()}`);
// Deleting ~250,000 files here slows any file creation on this disk for the next 1–5 minutes (see above): with
// --keep they stay, to be deleted when no benchmark follows.
if (values.keep) console.log(`outputs kept in ${outRoot} (delete them when no benchmark follows)`);
else await rm(outRoot, { recursive: true, force: true });
