import { VigilUserError } from '@vigil/core';
import { describe, expect, it } from 'vitest';
import { parseJsonText, scoreCompetitionFiles, scoreSummary } from './scorer.js';

const LABELS = JSON.stringify({
  annotations: [
    { file_name: 'a.jpg', objects: [{ class: 'face', position: [0, 0, 100, 100] }, { class: 'phone', position: [200, 200, 250, 260] }] },
    { file_name: 'b.jpg', objects: [], extra: 1 },
    { file_name: 'c.jpg', objects: [{ class: 'eye_opened', position: [10, 10, 20, 20] }] },
  ],
});
const labels = { text: LABELS, file: 'labels.json' };
function preds(objs: unknown, more: object[] = []) {
  return { text: JSON.stringify({ annotations: [{ file_name: 'a.jpg', objects: objs }, ...more] }), file: 'pred.json' };
}
function userError(f: () => unknown): string {
  try {
    f();
  } catch (e) {
    expect(e).toBeInstanceOf(VigilUserError);
    return (e as Error).message;
  }
  throw new Error('expected a VigilUserError');
}

describe('scoreCompetitionFiles', () => {
  it('scores a perfect file as 1 for the predicted classes; absent images count as no detections', () => {
    const r = scoreCompetitionFiles(labels, preds([
      { class: 'face', position: [0, 0, 100, 100], confidence_score: 0.9 },
      { class: 'phone', position: [200, 200, 250, 260], confidence_score: 0.8 },
    ]));
    const s = scoreSummary(r.metrics);
    expect(Object.keys(s.classes)).toEqual(['eye_opened', 'face', 'phone']);
    expect(s.classes['face']).toEqual({ ap50: s.classes['face']!.ap50, ap75: s.classes['face']!.ap75, ap50_95: s.classes['face']!.ap50_95, labels: 1 });
    expect(s.classes['face']!.ap75).toBe(1); // recall 1 at precision 1: every interpolation point is 1
    expect(s.classes['eye_opened']!.ap50).toBe(0);
    expect(r.missingImages).toEqual(['b.jpg', 'c.jpg']);
    expect(r.metrics.images).toBe(3);
  });
  it('accepts {} and [] for no objects; reports and ignores images absent from the labels', () => {
    const r = scoreCompetitionFiles(labels, preds({}, [{ file_name: 'zzz.jpg', objects: [{ class: 'face', position: [0, 0, 1, 1], confidence_score: 1 }] }, { file_name: 'b.jpg', objects: [] }]));
    expect(r.ignoredImages).toEqual(['zzz.jpg']);
    expect(r.metrics.map50).toBe(0);
  });
  it('sorts each image stably by descending confidence before matching (file order does not matter)', () => {
    const hi = { class: 'face', position: [0, 0, 100, 80], confidence_score: 0.9 };
    const lo = { class: 'face', position: [0, 0, 100, 100], confidence_score: 0.3 };
    const a = scoreCompetitionFiles(labels, preds([hi, lo])).metrics;
    const b = scoreCompetitionFiles(labels, preds([lo, hi])).metrics;
    expect(b.map50_95).toBe(a.map50_95);
  });
  it.each([
    [[{ position: [0, 0, 1, 1], confidence_score: 1 }], /pred\.json: image "a\.jpg" \(annotations\[0\]\), objects\[0\]: missing "class"/],
    [[{ class: 'face', confidence_score: 1 }], /objects\[0\]: missing "position"/],
    [[{ class: 'face', position: [0, 0, 1, 1] }], /objects\[0\]: missing "confidence_score"/],
    [[{ class: 'face', position: [0, 0, 1, 1], confidence_score: 1 }, { class: 'dog', position: [0, 0, 1, 1], confidence_score: 1 }], /objects\[1\]: unknown class "dog"; expected one of eye_opened, .*cigar/],
    [[{ class: 'face', position: [0, '0', 1, 1], confidence_score: 1 }], /objects\[0\]: "position" must be 4 finite numbers .* got \[0,"0",1,1\]/],
    [[{ class: 'face', position: [0, 0, 1], confidence_score: 1 }], /"position" must be 4 finite numbers/],
    [[{ class: 'face', position: [0, 0, 1, 1], confidence_score: 'high' }], /"confidence_score" must be a finite number, got "high"/],
    [{ a: 1 }, /"objects" must be a list \(or \{\} for none\)/],
    ['x', /"objects" must be a list/],
  ])('invalid prediction %j → VigilUserError naming image and object', (objs, re) => {
    expect(userError(() => scoreCompetitionFiles(labels, preds(objs)))).toMatch(re);
  });
  it('invalid labels and documents name the file and entry', () => {
    expect(userError(() => scoreCompetitionFiles({ text: '{"images":[]}', file: 'l.json' }, preds([])))).toMatch(/^l\.json: expected an object \{"annotations"/);
    expect(userError(() => scoreCompetitionFiles({ text: '{"annotations":[{"objects":[]}]}', file: 'l.json' }, preds([])))).toMatch(/l\.json: annotations\[0\]: missing or non-string "file_name"/);
    expect(userError(() => scoreCompetitionFiles({ text: '{"annotations":[{"file_name":"a.jpg"}]}', file: 'l.json' }, preds([])))).toMatch(/image "a\.jpg" \(annotations\[0\]\): missing "objects"/);
    const twice = { text: JSON.stringify({ annotations: [{ file_name: 'a.jpg', objects: [] }, { file_name: 'a.jpg', objects: [] }] }), file: 'l.json' };
    expect(userError(() => scoreCompetitionFiles(twice, preds([])))).toMatch(/image "a\.jpg" \(annotations\[1\]\): the image appears twice/);
  });
});

describe('reading large files entry by entry', () => {
  const obj = { class: 'face', position: [0, 0, 100, 100], confidence_score: 0.9 };
  const ann = (fn: string) => ({ file_name: fn, objects: [obj] });
  const score = (text: string) => scoreCompetitionFiles(labels, { text, file: 'p.json' });
  it('other keys (with brackets, commas and quotes in strings) around "annotations" do not matter', () => {
    const text = `{"info": {"x": [1, {"y": "a],[}\\"b"}]}, "annotations" : [ ${JSON.stringify(ann('a.jpg'))} ,\n ${JSON.stringify({ file_name: 'q"]},{.jpg', objects: {} })} ], "z": "annotations"}`;
    const r = score(text);
    expect(r.metrics.classes.find((c) => c.name === 'face')!.ap50).toBe(1);
    expect(r.ignoredImages).toEqual(['q"]},{.jpg']);
  });
  it('an escaped key, a repeated key (last wins, as JSON.parse) and an empty list are read like JSON.parse', () => {
    expect(score(`{"annot\\u0061tions": [${JSON.stringify(ann('a.jpg'))}]}`).metrics.map50).toBeGreaterThan(0);
    expect(score(`{"annotations": [${JSON.stringify(ann('a.jpg'))}], "annotations": []}`).metrics.map50).toBe(0);
    expect(score('{"annotations": []}').metrics.map50).toBe(0);
  });
  it('syntax errors inside or between entries report their position in the whole file', () => {
    const good = JSON.stringify(ann('a.jpg'));
    const other = JSON.stringify(ann('b.jpg'));
    expect(userError(() => score(`{"annotations": [${good},\n${other},]}`))).toMatch(/^p\.json: not valid JSON at line 2, column \d+/);
    expect(userError(() => score(`{"annotations": [${good},,${other}]}`))).toMatch(/^p\.json: not valid JSON at line 1, column \d+/);
    expect(userError(() => score(`{"annotations": [${good},\n{"file_name": "b.jpg" "objects": []}]}`))).toMatch(/^p\.json: not valid JSON at line 2, column 23 \(character \d+\)/);
    expect(userError(() => score(`{"annotations": {"a": 1}}`))).toMatch(/^p\.json: expected an object \{"annotations": \[\.\.\.\]\}/);
  });
});

describe('parseJsonText', () => {
  it('malformed JSON → error with line, column and character position', () => {
    expect(userError(() => parseJsonText('{"annotations":\n  [1,]}', 'p.json'))).toMatch(/^p\.json: not valid JSON at line 2, column 6 \(character 21\)/);
    expect(userError(() => parseJsonText('{"annotations":[', 'p.json'))).toMatch(/^p\.json: not valid JSON at line 1, column 17 \(character 16\): Unexpected end of JSON input/);
    expect(userError(() => parseJsonText('{"a": tru}', 'p.json'))).toMatch(/^p\.json: not valid JSON at line 1, column 7 \(character 6\)/);
    expect(userError(() => parseJsonText('{"a": 1}\n}', 'p.json'))).toMatch(/^p\.json: not valid JSON at line 2, column 1 \(character 9\)/);
  });
});
