import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Command, Option } from 'commander';
import { CLASS_NAMES, VigilUserError } from '@vigil/core';
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

/** `vigil-predict score`: mAP of a competition predictions file against a ground-truth labels.json. */
export function scoreCommand(): Command {
  return new Command('score')
    .description(
      'Score a predictions file (competition format) against ground-truth labels.json: mAP@0.5, the true mAP@0.75\n' +
        '(competition metric), the original\'s "mAP@.75" (really IoU 0.80), mAP@0.5:0.95, P, R, per class.',
    )
    .requiredOption('--labels <labels.json>', 'ground truth: {"annotations":[{"file_name","objects":[{"class","position"}]}]}')
    .requiredOption('--predictions <predictions.json>', 'predictions: same format plus "confidence_score"; "objects": {} or [] for none')
    .option('--json', 'also print the metrics as one JSON object on the last line of stdout')
    .addOption(new Option('--matching <mode>', 'prediction-to-label matching').choices(['seed', 'upstream-2021', 'upstream']).default('seed'))
    .option('--plots <dir>', 'write PR/F1/P/R curves and the confusion matrix (PNG + SVG) and their numbers (CSV/JSON) to <dir>')
    .action(async (opts: { labels: string; predictions: string; json?: boolean; matching: MatchingMode; plots?: string }) => {
      const report = scoreCompetitionFiles(
        { text: readText(opts.labels, 'labels'), file: opts.labels },
        { text: readText(opts.predictions, 'predictions'), file: opts.predictions },
        { matching: opts.matching },
      );
      if (report.ignoredImages.length) {
        const list = report.ignoredImages.slice(0, 5).join(', ') + (report.ignoredImages.length > 5 ? ', …' : '');
        process.stderr.write(`note: ${report.ignoredImages.length} predicted image(s) are not in ${opts.labels} and were ignored: ${list}\n`);
      }
      if (report.missingImages.length) {
        process.stderr.write(`note: ${report.missingImages.length} labelled image(s) have no entry in ${opts.predictions}: scored as without detections\n`);
      }
      process.stdout.write(formatMetricsTable(report.metrics) + '\n');
      if (opts.plots) {
        const dir = opts.plots;
        mkdirSync(dir, { recursive: true });
        const plots = evaluationPlots(report.metrics.curves, CLASS_NAMES, report.confusion);
        for (const [name, svg] of Object.entries(plots)) {
          writeFileSync(join(dir, `${name}.svg`), svg);
          writeFileSync(join(dir, `${name}.png`), await svgToPng(svg));
        }
        writeFileSync(join(dir, 'curves.csv'), curvesCsv(report.metrics.curves, CLASS_NAMES));
        writeFileSync(join(dir, 'curves.json'), JSON.stringify(curvesJson(report.metrics.curves, CLASS_NAMES)));
        if (report.confusion) writeFileSync(join(dir, 'confusion_matrix.csv'), report.confusion.toCsv(CLASS_NAMES));
        writeFileSync(join(dir, 'metrics.json'), JSON.stringify(scoreSummary(report.metrics), null, 1) + '\n');
        process.stderr.write(`plots and numbers written to ${dir}\n`);
      }
      if (opts.json) process.stdout.write(JSON.stringify(scoreSummary(report.metrics)) + '\n');
    });
}
