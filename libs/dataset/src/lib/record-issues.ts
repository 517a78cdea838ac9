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

/** Count and the first few examples (file names or entry positions) of each kind of issue. */
export class RecordIssues {
  readonly byKind = new Map<RecordIssueKind, { count: number; examples: string[] }>();
  constructor(readonly maxExamples = 5) {}

  add(kind: RecordIssueKind, example: string): void {
    let e = this.byKind.get(kind);
    if (!e) this.byKind.set(kind, (e = { count: 0, examples: [] }));
    e.count++;
    if (e.examples.length < this.maxExamples && !e.examples.includes(example)) e.examples.push(example);
  }

  count(kind: RecordIssueKind): number {
    return this.byKind.get(kind)?.count ?? 0;
  }

  get total(): number {
    let t = 0;
    for (const e of this.byKind.values()) t += e.count;
    return t;
  }

  /** Plain-data form (for JSON reports and tests). */
  toJSON(): Record<string, { count: number; examples: string[] }> {
    return Object.fromEntries([...this.byKind].map(([k, v]) => [k, { count: v.count, examples: [...v.examples] }]));
  }

  /** One line per kind: `  unknown class: 3 (box dropped), e.g. a.jpg, b.jpg`. Empty string when clean. */
  format(): string {
    return [...this.byKind]
      .map(([k, v]) => `  ${k}: ${v.count} (${ISSUE_ACTION[k]}), e.g. ${v.examples.join(', ')}`)
      .join('\n');
  }
}
