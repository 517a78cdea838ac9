import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Command } from 'commander';
import { VigilUserError, type Hyp } from '@vigil/core';
import type { FitnessSpec } from '@vigil/evaluator';
import { loadHyp } from '@vigil/trainer';
import { resolveDataRoot } from './data-root.js';

/** One training stage's settings (stage 1 = baseline on the diet set, stage 2 = fine-tune on the full train set). */
export interface StageConfig {
  index: 1 | 2;
  hyp: Hyp;
  hypSource: string;
  epochs: number;
  epochParts: number;
  savePeriod: number;
  freeze: number[];
}

/** Everything `vigil-train` needs, validated (the original's `opt`). */
export interface TrainConfig {
  /** `--data`: a YOLOv5 dataset YAML (absolute path); replaces the competition data root and its preparation. */
  data?: string;
  /** `--fine-tune-data`: a second stage (fine-tune) on this dataset YAML, after stage 1 on `data`. */
  fineTuneData?: string;
  dataRoot: string;
  synthetic: boolean;
  synthTrain: number;
  synthTest: number;
  prepare: boolean;
  preparedDir: string;
  dietSource: 'train' | 'all';
  valCount: number;
  cfg: string;
  /** --cfg was given on the command line (else a YOLOv5 `.pt` --weights brings its own architecture) */
  cfgGiven: boolean;
  weights: string;
  batch: number;
  img: number;
  project: string;
  name: string;
  /** `--exist-ok`: train into `<project>/<name>` even if it exists, instead of the next free `<name>N` */
  existOk: boolean;
  seed: number;
  optimizer: 'sgd' | 'adam';
  linearLr: boolean;
  labelSmoothing: number;
  workers: number;
  valPeriod: number;
  /** stop a stage when its fitness has not improved for this many epochs (0 = never) */
  patience: number;
  /** what selects best.vckpt */
  fitness: FitnessSpec;
  valConf: number;
  valIou: number;
  nbs: number;
  warmupMinIters: number;
  autoanchor: boolean;
  resume?: string | true;
  backend?: string;
  stage1: StageConfig;
  stage2: StageConfig;
}

/**
 * The embedded default's short schedule (SPEC §9): used only when the data is the embedded synthetic set and no
 * --hyp is given; each value applies only where the flag was not given on the command line. Chosen by measurement
 * (BENCHMARKS.md "vigil-train embedded default").
 */
export const SYNTHETIC_DEFAULTS: Record<string, string> = {
  cfg: 'yolov5n6',
  img: '320',
  batch: '8',
  hyp: 'hyp.synthetic-short.yaml',
  hyp_tune: 'hyp.synthetic-short-tune.yaml',
  epochs: '40',
  epoch_parts: '1',
  epochs_tune: '3',
  epoch_parts_tune: '4',
  nbs: '8',
  warmupMinIters: '30',
  synthTrain: '1000',
  valCount: '200',
  name: 'synthetic',
};

/**
 * Defaults that change with `--data` (any YOLO dataset): an epoch is the whole training set, as upstream YOLOv5 (the
 * original's 15 / 50 epoch parts are tuned to the competition's 275k images). Only for flags not given.
 */
export const DATASET_YAML_DEFAULTS: Record<string, string> = {
  epoch_parts: '1',
  epoch_parts_tune: '1',
  name: 'exp',
  // upstream validates every epoch (results.csv, best.pt and --patience need the numbers) and stops after 100
  // epochs without improvement; the competition path keeps the seed's cadence (validation at the end, no stopping)
  valPeriod: '1',
  patience: '100',
};

/** Checkpoint selection with --data: YOLOv5's fitness (utils/metrics.py: 0.1·mAP@0.5 + 0.9·mAP@0.5:0.95). */
export const YOLOV5_FITNESS: FitnessSpec = { map50: 0.1, map50_95: 0.9 };
/** The competition's checkpoint selection: the true mAP@0.75 (its metric; SPEC §7). */
export const COMPETITION_FITNESS: FitnessSpec = 'map75';

/** Flags that belong to the competition layout (task03_train/ → prepared folders) and make no sense with --data. */
const COMPETITION_ONLY = ['dataRoot', 'no_data_prepare', 'preparedDir', 'dietSource', 'valCount', 'synthTrain', 'synthTest'] as const;
/** Flags of the second stage, which runs with --data only when --fine-tune-data is given. */
const STAGE2_ONLY = ['epochs_tune', 'epoch_parts_tune', 'save_period_tune', 'hyp_tune', 'freeze'] as const;
const flagName = (key: string) => `--${key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`;

/** `--data` / `--fine-tune-data`, checked against the competition-only and stage-2 flags. */
function datasetYamlOptions(opts: Record<string, unknown>, fromCli: (key: string) => boolean): { data: string; fineTuneData?: string } | undefined {
  const data = opts['data'] as string | undefined;
  const tune = opts['fineTuneData'] as string | undefined;
  if (data === undefined) {
    if (tune !== undefined) throw new VigilUserError('--fine-tune-data needs --data <dataset.yaml> for the first stage');
    return undefined;
  }
  const clash = COMPETITION_ONLY.filter((k) => fromCli(k));
  if (clash.length) {
    throw new VigilUserError(`--data trains on a YOLO dataset YAML and skips the competition data preparation: drop ${clash.map(flagName).join(', ')}`);
  }
  if (tune === undefined) {
    const extra = STAGE2_ONLY.filter((k) => fromCli(k));
    if (extra.length) {
      throw new VigilUserError(`${extra.map(flagName).join(', ')} configure the fine-tune stage, which runs with --data only when --fine-tune-data <dataset.yaml> is given (it may be the same file)`);
    }
  }
  for (const [flag, f] of [['--data', data], ['--fine-tune-data', tune]] as const) {
    if (f !== undefined && !existsSync(f)) throw new VigilUserError(`${flag} ${f}: no such file (a YOLOv5 dataset YAML with train/val paths and names)`, f);
  }
  return { data: resolve(data), ...(tune !== undefined ? { fineTuneData: resolve(tune) } : {}) };
}

/** Folder of the app's own hyp files (apps/train/hyp). */
export function appHypDir(): string {
  let d = dirname(fileURLToPath(import.meta.url));
  for (let k = 0; k < 4; k++) {
    if (existsSync(join(d, 'hyp'))) return join(d, 'hyp');
    d = dirname(d);
  }
  return join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'hyp');
}

/** A hyp file by path, else by name among the app's hyp files, else a built-in set (hyp.scratch-p6, hyp.finetune-simple). */
export function resolveHyp(value: string): { hyp: Hyp; source: string } {
  if (existsSync(value)) return { hyp: loadHyp(value), source: resolve(value) };
  const own = join(appHypDir(), value.endsWith('.yaml') ? value : `${value}.yaml`);
  if (existsSync(own)) return { hyp: loadHyp(own), source: own };
  return { hyp: loadHyp(value), source: `${value.replace(/\.ya?ml$/, '')} (built in)` };
}

function int(flag: string, v: unknown, min = -Infinity): number {
  const n = Number(v);
  if (!Number.isInteger(n) || n < min) throw new VigilUserError(`--${flag} must be an integer${min > -Infinity ? ` ≥ ${min}` : ''}, got '${String(v)}'`);
  return n;
}

function num(flag: string, v: unknown, lo: number, hi: number): number {
  const n = Number(v);
  if (!Number.isFinite(n) || n < lo || n > hi) throw new VigilUserError(`--${flag} must be a number in [${lo}, ${hi}], got '${String(v)}'`);
  return n;
}

/** A run name is one folder name (no separators, not `.`/`..`): it is joined to --project. */
function checkedName(name: string): string {
  if (!name || name === '.' || name === '..' || /[/\\\0]/.test(name)) throw new VigilUserError(`--name '${name}' must be a folder name (no '/', not '.' or '..'); use --project for the parent folder`);
  return name;
}

/** Parses a layer list like "1,2,3,4,5,8,9,10,11" or "1-5,8-11" (empty = nothing frozen). */
export function parseLayerList(v: string): number[] {
  const out: number[] = [];
  for (const part of v.split(',').map((s) => s.trim()).filter(Boolean)) {
    const m = /^(\d+)(?:-(\d+))?$/.exec(part);
    if (!m) throw new VigilUserError(`--freeze: '${part}' is not a layer index or range (e.g. 1,2,3 or 1-5,8-11)`);
    const a = Number(m[1]);
    const b = m[2] !== undefined ? Number(m[2]) : a;
    if (b < a) throw new VigilUserError(`--freeze: range '${part}' is reversed`);
    for (let i = a; i <= b; i++) out.push(i);
  }
  return [...new Set(out)].sort((x, y) => x - y);
}

/** Builds the validated {@link TrainConfig} from commander's options (applying the synthetic defaults). */
export function buildConfig(opts: Record<string, unknown>, cmd: Pick<Command, 'getOptionValueSource'>): TrainConfig {
  const fromCli = (key: string) => {
    const src = cmd.getOptionValueSource(key);
    return src !== undefined && src !== 'default';
  };
  const yaml = datasetYamlOptions(opts, fromCli);
  const data = yaml ? { root: dirname(yaml.data), synthetic: false } : resolveDataRoot(opts['dataRoot'] as string | undefined);
  const synthRecipe = data.synthetic && !fromCli('hyp');
  const o: Record<string, unknown> = { ...opts };
  if (synthRecipe) for (const [k, v] of Object.entries(SYNTHETIC_DEFAULTS)) if (!fromCli(k)) o[k] = v;
  if (yaml) for (const [k, v] of Object.entries(DATASET_YAML_DEFAULTS)) if (!fromCli(k)) o[k] = v;
  const h1 = resolveHyp(String(o['hyp']));
  const h2 = resolveHyp(String(o['hyp_tune']));
  const labelSmoothing = num('label-smoothing', o['labelSmoothing'], 0, 1);
  for (const h of [h1.hyp, h2.hyp]) h.label_smoothing = labelSmoothing;
  const img = int('img', o['img'], 32);
  if (img % 64 !== 0) throw new VigilUserError(`--img ${img} must be a multiple of 64 (the largest stride of the P6 models)`);
  const root = data.root;
  const resume = o['resume'] as string | boolean | undefined;
  return {
    ...yaml,
    dataRoot: root,
    synthetic: data.synthetic,
    synthTrain: int('synth-train', o['synthTrain'], 10),
    synthTest: int('synth-test', o['synthTest'], 0),
    prepare: !yaml && !o['no_data_prepare'],
    preparedDir: resolve(String(o['preparedDir'] ?? join(root, 'prepared'))),
    dietSource: o['dietSource'] as 'train' | 'all',
    valCount: int('val-count', o['valCount'], 1),
    cfg: String(o['cfg']),
    cfgGiven: fromCli('cfg'),
    weights: String(o['weights'] ?? ''),
    batch: int('batch', o['batch'], 1),
    img,
    project: resolve(String(o['project'])),
    name: checkedName(String(o['name'])),
    existOk: o['existOk'] === true,
    seed: int('random_seed', o['random_seed']),
    optimizer: o['adam'] ? 'adam' : 'sgd',
    linearLr: !!o['linearLr'],
    labelSmoothing,
    workers: int('workers', o['workers'], 1),
    valPeriod: int('val-period', o['valPeriod'], 0),
    patience: int('patience', o['patience'], 0),
    fitness: yaml ? YOLOV5_FITNESS : COMPETITION_FITNESS,
    valConf: num('val-conf', o['valConf'], 0, 1),
    valIou: num('val-iou', o['valIou'], 0, 1),
    nbs: int('nbs', o['nbs'], 1),
    warmupMinIters: int('warmup-min-iters', o['warmupMinIters'], 0),
    autoanchor: !o['noautoanchor'],
    resume: resume === true ? true : typeof resume === 'string' ? resolve(resume) : undefined,
    backend: o['backend'] as string | undefined,
    stage1: { index: 1, hyp: h1.hyp, hypSource: h1.source, epochs: int('epochs', o['epochs'], 0), epochParts: int('epoch_parts', o['epoch_parts'], 1), savePeriod: int('save_period', o['save_period']), freeze: [] },
    stage2: {
      index: 2,
      hyp: h2.hyp,
      hypSource: h2.source,
      epochs: yaml && !yaml.fineTuneData ? 0 : int('epochs_tune', o['epochs_tune'], 0),
      epochParts: int('epoch_parts_tune', o['epoch_parts_tune'], 1),
      savePeriod: int('save_period_tune', o['save_period_tune']),
      freeze: parseLayerList(String(o['freeze'])),
    },
  };
}
