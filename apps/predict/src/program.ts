import { Command, Option } from 'commander';
import { scoreCommand } from './commands/score.js';
import { exportCommand } from './commands/export.js';
import { importCommand } from './commands/import.js';
import { infoCommand } from './commands/info.js';
import { mergeCommand } from './commands/merge.js';
import { monitorCommand } from './commands/monitor.js';
import { BACKEND_HELP, initBackend } from '@vigil/runtime';
import { checkPredictOutputs, parsePredictOptions } from './predict/options.js';
import { runPredictCommand } from './predict/predict-command.js';

/** vigil-predict: the original's predict.py — images → models (+TTA) → ensemble → competition JSON. */
export function buildProgram(): Command {
  const program = new Command('vigil-predict')
    .enablePositionalOptions() // subcommands (info, import, …) own their flags, e.g. import's --weights
    .description(
      'Detect driver-inattention objects in images with one or more checkpoints (test-time augmentation and an ensemble ' +
        'by default) and write the competition JSON. With no --source, the embedded synthetic test images are used.',
    )
    .option('--weights <files...>', 'checkpoints (ours or YOLOv5 .pt); default: every stage\'s weights/last.vckpt of the newest finished vigil-train run under runs/train/ (with --data: of a --data run), e.g. runs/train/synthetic/stage1/weights/last.vckpt runs/train/synthetic/stage2/weights/last.vckpt')
    .option('--data <dataset.yaml>', 'predict a YOLO dataset\'s split (--task) and score it against its label files; class names from the checkpoint')
    .addOption(new Option('--task <split>', 'with --data: the split to predict').choices(['val', 'test']))
    .option('--data-root <dir>', 'folder holding task03_test/images (default: /DATA/Final_DATA if present, else the embedded synthetic set in <repo>/data/synthetic or $VIGIL_SYNTH_DIR)')
    .option('--source <paths...>', 'what to predict, one or more of: an image or video file (mp4 avi mov mkv webm …, every frame in order, decoded by ffmpeg: $VIGIL_FFMPEG, the system\'s, or the npm package @ffmpeg-installer/ffmpeg), a folder (its images, recursive), a quoted glob pattern (\'imgs/*.jpg\'), a .txt list (a path per line, relative to the list\'s folder); a video frame\'s record is <video stem>_<frame 000000>.jpg (default: task03_test/images of the data root or the embedded synthetic set)')
    .option('--img-size <px>', 'inference size in pixels (default 1536; 640 with --data; 320 with the embedded synthetic run\'s weights)')
    .option('--conf-thres <x>', 'object confidence threshold', '0.006')
    .option('--iou-thres <x>', 'IoU threshold for NMS', '0.7')
    .option('--batch-size <n>', 'images per batch', '4')
    .option('--no-augment', 'disable test-time augmentation')
    .addOption(new Option('--ensemble <method>', 'how model outputs are combined').choices(['concat', 'wbf', 'soft-nms', 'nmw']).default('concat'))
    .option('--project <dir>', 'output folder', 'runs/test')
    .option('--name <name>', 'run name: output in <project>/<name>/', 'final')
    .option('--save-img', 'also save images with boxes drawn (<project>/<name>/images/<stem>.jpg; a video: <stem>.mp4)')
    .option('--labels <labels.json>', 'score the predictions against these labels right away')
    .option('--shard <i/n>', 'process every n-th image starting at i (for many machines; join with `merge`)')
    .addOption(new Option('--empty-objects <form>', 'how an image without detections is written: dict = {} (the seed), list = []').choices(['dict', 'list']).default('dict'))
    .option('--no-progress', 'no progress bar')
    .option('--backend <name>', BACKEND_HELP)
    .action(async (opts: Record<string, unknown>) => {
      const options = parsePredictOptions(opts);
      checkPredictOutputs(options);
      if (options.weightsRun) process.stderr.write(`weights: the newest finished training run, ${options.weightsRun}\n`);
      // on the accelerated CPU path the activation also registers the fused kernel the models pick up
      await initBackend({ prefer: opts['backend'] as string | undefined });
      await runPredictCommand(options);
    });
  program.addCommand(scoreCommand());
  program.addCommand(infoCommand());
  program.addCommand(importCommand());
  program.addCommand(exportCommand());
  program.addCommand(mergeCommand());
  program.addCommand(monitorCommand());
  return program;
}
