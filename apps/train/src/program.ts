import { Command, Option } from 'commander';
import { BACKEND_HELP, initBackend } from '@vigil/runtime';
import { prepareCommand } from './commands/prepare.js';
import { checkTrainMemory } from './lib/memory.js';
import { buildConfig } from './lib/options.js';
import { runTraining } from './lib/pipeline.js';
import { checkRunOutputs, createRun, openRun } from './lib/run-dir.js';
import { synthCommand } from './commands/synth.js';

/** Flags that still apply with --resume (which run, and how to compute); every other one comes from run.json. */
const RESUME_FLAGS = new Set(['resume', 'project', 'backend']);

/** vigil-train: the original's train.py — data preparation → stage 1 (baseline) → stage 2 (fine-tune). */
export function buildProgram(): Command {
  const program = new Command('vigil-train')
    .description(
      'Prepare the competition data, train YOLOv5 from scratch on the class-rebalanced (diet) set, then fine-tune on the ' +
        'full train set. With no --data-root, the embedded synthetic data set is used.',
    )
    .option('--data <dataset.yaml>', 'train on any YOLO-layout dataset (YOLOv5 dataset YAML: train/val paths, names): one stage, no competition data preparation')
    .option('--fine-tune-data <dataset.yaml>', 'with --data: a second stage fine-tuning stage 1\'s weights on this dataset (--hyp_tune, --freeze, --epochs_tune)')
    .option('--data-root <dir>', 'folder holding task03_train/ and task03_test/ (default: /DATA/Final_DATA if present, else the embedded synthetic set)')
    .option('--no_data_prepare', 'skip data preparation (drowsy_face/ and drowsy_face_diet/ already exist)')
    .option('--cfg <yaml>', 'model spec', 'yolov5l6.yaml')
    .option('--hyp <yaml>', 'stage-1 hyperparameters', 'hyp.scratch-p6.yaml')
    .option('--hyp_tune <yaml>', 'stage-2 hyperparameters', 'hyp.finetune-simple.yaml')
    .option('--weights <file>', 'initial weights (.pt or our checkpoint); empty = from scratch', '')
    .option('--epochs <n>', 'stage-1 epochs', '300')
    .option('--epoch_parts <n>', 'stage-1 epoch = 1/N of the data, drawn with replacement', '15')
    .option('--save_period <n>', 'stage-1 checkpoint every N epochs (-1 = off)', '-1')
    .option('--epochs_tune <n>', 'stage-2 epochs', '50')
    .option('--epoch_parts_tune <n>', 'stage-2 epoch = 1/N of the data', '50')
    .option('--save_period_tune <n>', 'stage-2 checkpoint every N epochs (-1 = off)', '-1')
    .option('--freeze <list>', 'stage-2 frozen layer indices (default = what the original actually froze)', '1,2,3,4,5,8,9,10,11')
    .option('--batch <n>', 'batch size', '4')
    .option('--img <px>', 'train/val image size', '1280')
    .option('--device <id>', 'accepted for compatibility; the backend is chosen with --backend', '')
    .option('--name <name>', 'run name: the run folder is <project>/<name>/, else the next free <name>2, <name>3, … (two stages: its stage1/ and stage2/)', 'final')
    .option('--exist-ok', 'train into <project>/<name>/ even if it exists (no increment)')
    .option('--random_seed <n>', 'seed for every random choice', '0')
    .option('--adam', 'Adam instead of SGD')
    .option('--linear-lr', 'linear LR schedule instead of one-cycle')
    .option('--label-smoothing <eps>', 'label smoothing epsilon', '0')
    .option('--workers <n>', 'data-loading concurrency', '2')
    .option('--val-period <n>', 'validate every N epochs and at the end of each stage (0 = only at the end; default 1 with --data)', '0')
    .option('--patience <n>', 'stop a stage when the fitness has not improved for N epochs (YOLOv5 EarlyStopping; 0 = never, as the seed; default 100 with --data)', '0')
    .option('--resume [ckpt|run dir]', 'continue an interrupted run with its saved settings (run.json): bare = the newest run under --project; a run folder; or a checkpoint of it')
    .addOption(new Option('--diet-source <which>', 'images the diet subset is drawn from').choices(['train', 'all']).default('train'))
    .option('--val-count <n>', 'images split off for validation', '20000')
    .option('--backend <name>', BACKEND_HELP)
    .option('--project <dir>', 'runs folder', 'runs/train')
    .option('--prepared-dir <dir>', 'where data preparation writes drowsy_face/ and drowsy_face_diet/ (default: <data-root>/prepared)')
    .option('--nbs <n>', 'nominal batch size: one optimiser step per nbs/batch batches (the original: 64)', '64')
    .option('--warmup-min-iters <n>', 'minimum warmup iterations (the seed: 1000; later upstream: 100)', '1000')
    .option('--val-conf <p>', 'confidence threshold of the validation NMS (upstream test.py: 0.001; the seed\'s predict.test default: 0.2)', '0.001')
    .option('--val-iou <p>', 'IoU threshold of the validation NMS', '0.6')
    .option('--noautoanchor', 'skip the autoanchor check')
    .option('--synth-train <n>', 'embedded synthetic set: train images generated on first use', '400')
    .option('--synth-test <n>', 'embedded synthetic set: test images', '100')
    .addHelpText(
      'after',
      '\nWith no --data-root and no /DATA/Final_DATA, the embedded synthetic set is generated (data/synthetic/) and, unless\n' +
        '--hyp is given, a short recipe replaces the defaults of flags you did not set: --cfg yolov5n6 --img 320 --batch 8\n' +
        '--hyp hyp.synthetic-short.yaml --hyp_tune hyp.synthetic-short-tune.yaml --epochs 40 --epoch_parts 1 --epochs_tune 3\n' +
        '--epoch_parts_tune 4 --nbs 8 --warmup-min-iters 30 --synth-train 1000 --val-count 200 --name synthetic\n' +
        '(see apps/train/README.md).\n\n' +
        'With --data <dataset.yaml> (any YOLO dataset: images/ folders with sibling labels/, class names in the YAML), the\n' +
        'dataset is checked first (one report: corrupt images, bad label rows, class ids ≥ nc, background images,\n' +
        'duplicates; bad images are skipped), the Detect head is sized from its nc, and one stage trains on train:,\n' +
        'validating on val: every epoch. Defaults then: --epoch_parts 1, --name exp, --val-period 1, --patience 100;\n' +
        'best.vckpt = the epoch with the best YOLOv5 fitness (0.1·mAP@0.5 + 0.9·mAP@0.5:0.95; competition path: mAP@0.75).\n' +
        '--fine-tune-data adds the fine-tune stage.',
    )
    .action(async (opts: Record<string, unknown>, cmd: Command) => {
      const cfg = buildConfig(opts, cmd);
      const resumed = cfg.resume ? openRun(cfg, (l) => console.log(l)) : undefined;
      if (cfg.resume && !resumed) return; // a finished run: said so, nothing written
      if (!resumed) checkRunOutputs(cfg);
      else {
        const ignored = cmd.options.map((o) => o.attributeName()).filter((k) => !RESUME_FLAGS.has(k) && cmd.getOptionValueSource(k) === 'cli');
        if (ignored.length) console.log(`note: --resume continues the run's own settings; ignored: ${ignored.map((k) => cmd.options.find((o) => o.attributeName() === k)!.long).join(', ')}`);
      }
      // On the accelerated CPU path this also registers the fused kernels the model and optimiser pick up.
      const backend = await initBackend({ prefer: cfg.backend });
      checkTrainMemory(resumed?.cfg ?? cfg, backend.kind);
      // a new run's folder and run.json: before any data preparation or training, so any later kill can be resumed
      await runTraining(resumed ?? createRun(cfg, process.argv.slice(2)));
    });
  program.addCommand(synthCommand());
  program.addCommand(prepareCommand());
  return program;
}
