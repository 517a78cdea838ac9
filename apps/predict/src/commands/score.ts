import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Command, Option } from 'commander';
import { CLASS_NAMES, VigilUserError } from '@vigil/core';
import { loadDatasetYaml } from '@vigil/dataset';
import { loadModelFile } from '@vigil/yolov5';
import {
  curvesCsv,
  curvesJson,
  evaluationPlots,
  formatMetricsTable,
  type MatchingMode,
  scoreCompetitionFiles,
  scoreSummary,
} from '@vigil/evaluator';

function readText(file: string, what: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new VigilUserError(`cannot read the ${what} file ${file} (${code ?? String(e)}); check the path.`, file);
  }
}

/** Rasterises an SVG document to PNG with resvg (system fonts). */
async function svgToPng(svg: string): Promise<Buffer> {
  const { Resvg } = await import('@resvg/resvg-js');
  return new Resvg(svg, { fitTo: { mode: 'zoom', value: 2 }, font: { loadSystemFonts: true, defaultFontFamily: 'DejaVu Sans' } }).render().asPng();
}

/** Where the class list of `score` comes from (at most one of them; default the competition's 7 classes). */
export interface NamesSource {
  names?: string;
  data?: string;
  weights?: string;
}

/** The class list for scoring: `--names a,b,c`, the names of a dataset YAML (`--data`) or of a checkpoint (`--weights`). */
export async function resolveScoreNames(o: NamesSource): Promise<readonly string[]> {
  const given = (['names', 'data', 'weights'] as const).filter((k) => o[k] !== undefined);
  if (given.length > 1) throw new VigilUserError(`give the class names one way: ${given.map((k) => `--${k}`).join(' or ')}`);
  if (o.names !== undefined) {
    const names = o.names.split(',').map((n) => n.trim());
    if (names.some((n) => n === '')) throw new VigilUserError(`--names ${o.names}: expected a comma-separated list of class names (index = class id), e.g. cat,dog`);
    const dup = names.find((n, i) => names.indexOf(n) !== i);
    if (dup !== undefined) throw new VigilUserError(`--names: '${dup}' is listed twice`);
    return names;
  }
  if (o.data !== undefined) return (await loadDatasetYaml(o.data)).names;
  if (o.weights !== undefined) {
    const { model } = loadModelFile(o.weights);
    const names = [...model.names];
    model.dispose();
    return names;
  }
  return CLASS_NAMES;
}

/** A file name's matching key when case and extension are ignored: `X.JPG`, `x.jpg` and `x.png` → `x`. */
const looseKey = (name: string) => {
  const dot = name.lastIndexOf('.');
  return (dot > 0 ? name.slice(0, dot) : name).toLowerCase();
};

/**
 * The warning for labelled images that have no prediction but would match one if case or extension were ignored
 * (predict writes `<stem>.jpg`, as predict.py does, so a label for `x.JPG` or `x.png` is scored as missed): names are
 * still matched exactly, as the original scorer does. Undefined when there is no such pair.
 */
export function nearMatchWarning(missing: readonly string[], ignored: readonly string[]): string | undefined {
  const byKey = new Map<string, string>();
  for (const p of ignored) if (!byKey.has(looseKey(p))) byKey.set(looseKey(p), p);
  const pairs: string[] = [];
  let n = 0;
  for (const m of missing) {
    const p = byKey.get(looseKey(m));
    if (p === undefined) continue;
    n++;
    if (pairs.length < 3) pairs.push(`label '${m}' vs prediction '${p}'`);
  }
  if (n === 0) return undefined;
  return (
    `warning: ${n} labelled image(s) have no prediction of exactly that name but one that differs only by case or extension ` +
    `(e.g. ${pairs.join(', ')}${n > 3 ? ', …' : ''}); names are matched exactly, as the original scorer does, so these count as missed: ` +
    `make the labels' file_name match the predictions (vigil-predict writes <stem>.jpg)`
  );
}

/** `vigil-predict score`: mAP of a competition predictions file against a ground-truth labels.json. */
export function scoreCommand(): Command {
  return new Command('score')
    .description(
      'Score a predictions file (competition format) against ground-truth labels.json: mAP@0.5, the true mAP@0.75\n' +
        '(competition metric), the original\'s "mAP@.75" (really IoU 0.80), mAP@0.5:0.95, P, R, per class.',
    )
    .requiredOption('--labels <labels.json>', 'ground truth: {"annotations":[{"file_name","objects":[{"class","position"}]}]}')
    .requiredOption('--predictions <predictions.json>', 'predictions: same format plus "confidence_score"; "objects": {} or [] for none')
    .option('--names <list>', 'class names, comma-separated, index = class id (default: the competition\'s 7 classes)')
    .option('--data <dataset.yaml>', 'take the class names from this dataset YAML')
    .option('--weights <file>', 'take the class names from this checkpoint (.vckpt or YOLOv5 .pt)')
    .option('--json', 'also print the metrics as one JSON object on the last line of stdout')
    .addOption(new Option('--matching <mode>', 'prediction-to-label matching').choices(['seed', 'upstream-2021', 'upstream']).default('seed'))
    .option('--plots <dir>', 'write PR/F1/P/R curves and the confusion matrix (PNG + SVG) and their numbers (CSV/JSON) to <dir>')
    .action(async (opts: { labels: string; predictions: string; json?: boolean; matching: MatchingMode; plots?: string } & NamesSource) => {
      const names = await resolveScoreNames(opts);
      const labelsText = readText(opts.labels, 'labels');
      const predictionsText = readText(opts.predictions, 'predictions');
      let report: ReturnType<typeof scoreCompetitionFiles>;
      try {
        report = scoreCompetitionFiles({ text: labelsText, file: opts.labels }, { text: predictionsText, file: opts.predictions }, { matching: opts.matching, names });
      } catch (e) {
        const given = opts.names ?? opts.data ?? opts.weights;
        if (e instanceof VigilUserError && /unknown class/.test(e.message) && given === undefined) {
          throw new VigilUserError(`${e.message.replace(/\.$/, '')}; for another class list pass --names, --data <dataset.yaml> or --weights <checkpoint>.`, e.file);
        }
        throw e;
      }
      if (report.ignoredImages.length) {
        const list = report.ignoredImages.slice(0, 5).join(', ') + (report.ignoredImages.length > 5 ? ', …' : '');
        process.stderr.write(`note: ${report.ignoredImages.length} predicted image(s) are not in ${opts.labels} and were ignored: ${list}\n`);
      }
      if (report.missingImages.length) {
        process.stderr.write(`note: ${report.missingImages.length} labelled image(s) have no entry in ${opts.predictions}: scored as without detections\n`);
      }
      const near = nearMatchWarning(report.missingImages, report.ignoredImages);
      if (near) process.stderr.write(`${near}\n`);
      process.stdout.write(formatMetricsTable(report.metrics) + '\n');
      if (opts.plots) {
        const dir = opts.plots;
        mkdirSync(dir, { recursive: true });
        const plots = evaluationPlots(report.metrics.curves, names, report.confusion);
        for (const [name, svg] of Object.entries(plots)) {
          writeFileSync(join(dir, `${name}.svg`), svg);
          writeFileSync(join(dir, `${name}.png`), await svgToPng(svg));
        }
        writeFileSync(join(dir, 'curves.csv'), curvesCsv(report.metrics.curves, names));
        writeFileSync(join(dir, 'curves.json'), JSON.stringify(curvesJson(report.metrics.curves, names)));
        if (report.confusion) writeFileSync(join(dir, 'confusion_matrix.csv'), report.confusion.toCsv(names));
        writeFileSync(join(dir, 'metrics.json'), JSON.stringify(scoreSummary(report.metrics), null, 1) + '\n');
        process.stderr.write(`plots and numbers written to ${dir}\n`);
      }
      if (opts.json) process.stdout.write(JSON.stringify(scoreSummary(report.metrics)) + '\n');
    });
}
