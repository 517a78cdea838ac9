import { describe, expect, it } from 'vitest';
import { locateJsonError } from './json-error-position.js';

const valid = '{"annotations": [ {"file_name": "a b.jpg", "objects": [{"class": "face", "position": [1, 2.5e1, -3, 4]}]},\n' +
  '  {"file_name": "\\u00e9\\n.jpg", "objects": [], "x": [true, false, null, {}]} ]}';

describe('locateJsonError', () => {
  it('accepts valid JSON', () => {
    expect(locateJsonError(valid)).toBeUndefined();
    expect(locateJsonError(' [] ')).toBeUndefined();
  });

  it('gives line and column of the first error', () => {
    expect(locateJsonError('{"a": 1,\n "b": }')).toMatchObject({ line: 2, column: 7, offset: 15 });
    expect(locateJsonError('{"a": [1, 2,]}')).toMatchObject({ line: 1, column: 13 });
    expect(locateJsonError('{"a": 1} x')).toMatchObject({ line: 1, column: 10, message: /after the end/ });
    expect(locateJsonError('{"a": "unterminated')?.message).toMatch(/unterminated string/);
    expect(locateJsonError("{'a': 1}")?.message).toMatch(/property name/);
  });

  it('agrees with JSON.parse on every truncation and on single-character corruptions', () => {
    const variants: string[] = [];
    for (let k = 0; k <= valid.length; k++) variants.push(valid.slice(0, k));
    for (let k = 0; k < valid.length; k += 3) variants.push(valid.slice(0, k) + '}' + valid.slice(k + 1));
    for (const v of variants) {
      let ok = true;
      try {
        JSON.parse(v);
      } catch {
        ok = false;
      }
      expect(locateJsonError(v) === undefined, v).toBe(ok);
    }
  });
});
