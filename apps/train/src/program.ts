import { Command, Option } from 'commander';
import { initBackend } from '@vigil/runtime';
import { prepareCommand } from './commands/prepare.js';
import { synthCommand } from './commands/synth.js';

/** vigil-train: the original's train.py — data preparation → stage 1 (baseline) → stage 2 (fine-tune). */
export function buildProgram(): Command {
  const program = new Command('vigil-train')
    .description(
      'Prepare the competition data, train YOLOv5 from scratch on the class-rebalanced (diet) set, then fine-tune on the ' +
        'full train set. With no --data-root, the embedded synthetic data set is used.',
    )
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
    .option('--name <name>', 'run name: outputs in runs/train/<name>/ and <name>2/', 'final')
    .option('--random_seed <n>', 'seed for every random choice', '0')
    .option('--adam', 'Adam instead of SGD')
    .option('--linear-lr', 'linear LR schedule instead of one-cycle')
    .option('--label-smoothing <eps>', 'label smoothing epsilon', '0')
    .option('--workers <n>', 'data-loading concurrency', '2')
    .option('--val-period <n>', 'validate every N epochs (0 = only at the end of each stage)', '0')
    .option('--resume [ckpt]', 'resume an interrupted run (default: its last checkpoint)')
    .addOption(new Option('--diet-source <which>', 'images the diet subset is drawn from').choices(['train', 'all']).default('train'))
    .option('--val-count <n>', 'images split off for validation', '20000')
    .option('--backend <name>', 'tfjs backend: auto, tensorflow-gpu, tensorflow, accel, wasm, cpu (default: env VIGIL_BACKEND, else auto)')
    .action(async (opts: Record<string, unknown>) => {
      await initBackend({ prefer: opts['backend'] as string | undefined });
      const root = (opts['dataRoot'] as string | undefined) ?? '(embedded synthetic set)';
      console.log('vigil-train plan:');
      if (opts['no_data_prepare'] !== false) console.log(`  1. prepare data from ${root}: split, YOLO layout, diet subset (source: ${String(opts['dietSource'])})`);
      console.log(`  2. stage 1: ${String(opts['cfg'])} from scratch, ${String(opts['hyp'])}, ${String(opts['epochs'])} epochs × 1/${String(opts['epoch_parts'])}, batch ${String(opts['batch'])}, img ${String(opts['img'])} → runs/train/${String(opts['name'])}/`);
      console.log(`  3. stage 2: fine-tune from stage 1 EMA weights, ${String(opts['hyp_tune'])}, ${String(opts['epochs_tune'])} epochs × 1/${String(opts['epoch_parts_tune'])}, frozen ${String(opts['freeze'])} → runs/train/${String(opts['name'])}2/`);
      console.log('Training is not implemented yet in this build (see the issue queue); nothing was written.');
    });
  program.addCommand(synthCommand());
  program.addCommand(prepareCommand());
  return program;
}
