/** Why a label file cannot be used (its image is excluded, as the original's verify_img_label does). */
export type LabelProblemKind = 'columns' | 'non-numeric' | 'negative' | 'out of range' | 'class not integer' | 'class ≥ nc';

/** The first problem found in a label file. */
export interface LabelProblem {
  kind: LabelProblemKind;
  /** 1-based line in the file. */
  line: number;
  message: string;
}

/** A YOLO label file read row by row. */
export interface ParsedLabelFile {
  /** Kept rows, flat `[n·5]`: class, cx, cy, w, h normalised (float32-rounded). Empty when `problem` is set. */
  labels: number[];
  /** Non-empty rows read. */
  rows: number;
  /** Exact duplicate rows dropped (the original drops them too, with a warning). */
  duplicates: number;
  /** Rows with zero width or height dropped (they cannot match anything). */
  zeroSize: number;
  /** Polygon rows converted to their bounding box (the original's segments2boxes). */
  polygons: number;
  problem?: LabelProblem;
}

const PROBLEM_TEXT: Record<LabelProblemKind, string> = {
  columns: 'labels require 5 columns each',
  'non-numeric': 'non-numeric label values',
  negative: 'negative labels',
  'out of range': 'non-normalized or out of bounds coordinate labels',
  'class not integer': 'class ids must be whole numbers',
  'class ≥ nc': 'class id ≥ nc',
};

/**
 * Parses a YOLO label file's text (one `class cx cy w h` row per object, normalised; or a polygon `class x1 y1 x2 y2 …`
 * with more than 8 columns, turned into its box). The first row that breaks a rule (column count, non-numeric,
 * negative, a coordinate > 1, a fractional class, a class ≥ `nc` when given) makes the whole file unusable (`problem`,
 * no labels); exact duplicate rows and zero-size boxes are dropped and counted.
 */
export function parseLabelText(text: string, nc?: number): ParsedLabelFile {
  const out: ParsedLabelFile = { labels: [], rows: 0, duplicates: 0, zeroSize: 0, polygons: 0 };
  const seen = new Set<string>();
  const lines = text.split(/\r?\n/);
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!.trim();
    if (!line) continue;
    out.rows++;
    const cells = line.split(/\s+/);
    const fail = (kind: LabelProblemKind, detail = '') => {
      out.problem = { kind, line: i + 1, message: `${PROBLEM_TEXT[kind]}${detail} (line ${i + 1}: "${line.slice(0, 60)}")` };
      out.labels = [];
      return out;
    };
    const v = cells.map(Number);
    if (v.some((x) => !Number.isFinite(x))) return fail('non-numeric');
    let row: number[];
    if (v.length > 8) {
      if (v.length % 2 === 0) return fail('columns', `, or a class and x y pairs (got ${v.length} columns)`);
      const xs = v.slice(1).filter((_, k) => k % 2 === 0);
      const ys = v.slice(1).filter((_, k) => k % 2 === 1);
      const x1 = Math.min(...xs), x2 = Math.max(...xs), y1 = Math.min(...ys), y2 = Math.max(...ys);
      row = [v[0]!, (x1 + x2) / 2, (y1 + y2) / 2, x2 - x1, y2 - y1];
      if ([...xs, ...ys].some((x) => x < 0)) return fail('negative');
      if ([...xs, ...ys].some((x) => x > 1)) return fail('out of range');
      out.polygons++;
    } else if (v.length !== 5) return fail('columns', ` (got ${v.length})`);
    else row = v;
    if (row.some((x) => x < 0)) return fail('negative');
    if (row.slice(1).some((x) => x > 1)) return fail('out of range');
    if (!Number.isInteger(row[0])) return fail('class not integer');
    if (nc !== undefined && row[0]! >= nc) return fail('class ≥ nc', ` ${nc}`);
    const f = Float32Array.from(row);
    if (f[3] === 0 || f[4] === 0) {
      out.zeroSize++;
      continue;
    }
    const key = f.join(' ');
    if (seen.has(key)) {
      out.duplicates++;
      continue;
    }
    seen.add(key);
    for (const x of f) out.labels.push(x);
  }
  return out;
}
