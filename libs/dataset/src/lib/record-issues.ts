/** Kinds of bad input the converter reports (SPEC §2.5), with the file name and the reason as examples. */
export type RecordIssueKind =
  | 'malformed entry'
  | 'duplicate file_name'
  | 'missing image'
  | 'unreadable image'
  | 'damaged image'
  | 'image too small'
  | 'image without record'
  | 'malformed object'
  | 'unknown class'
  | 'degenerate box'
  | 'box clipped'
  | 'box outside image';

/** What the converter does with each kind of bad input. */
export const ISSUE_ACTION: Record<RecordIssueKind, string> = {
  'malformed entry': 'entry skipped',
  'duplicate file_name': 'later entry skipped',
  'missing image': 'image skipped',
  'unreadable image': 'image skipped',
  'damaged image': 'image skipped: does not decode in full (truncated or corrupt)',
  'image too small': 'image skipped (< 10 px, the loader\'s limit)',
  'image without record': 'not converted: no entry in labels.json',
  'malformed object': 'box dropped',
  'unknown class': 'box dropped',
  'degenerate box': 'box dropped (x2≤x1 or y2≤y1)',
  'box clipped': 'box clipped to the image',
  'box outside image': 'box dropped (nothing left after clipping)',
};

/**
 * Count and examples (file names or entry positions, with the reason) of each kind of issue: every distinct example
 * is kept (`toJSON`, for prepare_report.json), the printed form shows the first `maxExamples` of each kind.
 */
export class RecordIssues {
  readonly byKind = new Map<RecordIssueKind, { count: number; examples: Set<string> }>();
  constructor(readonly maxExamples = 20) {}

  add(kind: RecordIssueKind, example: string): void {
    let e = this.byKind.get(kind);
    if (!e) this.byKind.set(kind, (e = { count: 0, examples: new Set() }));
    e.count++;
    e.examples.add(example);
  }

  count(kind: RecordIssueKind): number {
    return this.byKind.get(kind)?.count ?? 0;
  }

  get total(): number {
    let t = 0;
    for (const e of this.byKind.values()) t += e.count;
    return t;
  }

  /** Plain-data form (for JSON reports and tests): every example. */
  toJSON(): Record<string, { count: number; examples: string[] }> {
    return Object.fromEntries([...this.byKind].map(([k, v]) => [k, { count: v.count, examples: [...v.examples] }]));
  }

  /**
   * A line per kind, `  unknown class: 3 (box dropped)`, then its examples one a line (the first `maxExamples`, then
   * how many more). Empty string when clean.
   */
  format(): string {
    const lines: string[] = [];
    for (const [k, v] of this.byKind) {
      lines.push(`  ${k}: ${v.count} (${ISSUE_ACTION[k]})`);
      const shown = [...v.examples].slice(0, this.maxExamples);
      for (const ex of shown) lines.push(`      ${ex}`);
      if (v.examples.size > shown.length) lines.push(`      … and ${v.examples.size - shown.length} more (prepare_report.json lists them all)`);
    }
    return lines.join('\n');
  }
}
