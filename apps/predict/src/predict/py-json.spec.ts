import { describe, expect, it } from 'vitest';
import { PyInt, pyFloat, pyJsonDumps, pyRound } from './py-json.js';

describe('pyRound (Python round(x, n))', () => {
  it('matches Python on ties and near-ties', () => {
    // values checked with CPython 3: round(0.25,1)=0.2, round(0.35,1)=0.3 (0.35 is below the tie), round(2.675,2)=2.67
    expect(pyRound(0.25, 1)).toBe(0.2);
    expect(pyRound(0.75, 1)).toBe(0.8);
    expect(pyRound(0.35, 1)).toBe(0.3);
    expect(pyRound(2.675, 2)).toBe(2.67);
    expect(pyRound(0.03125, 4)).toBe(0.0312);
    expect(pyRound(0.09375, 4)).toBe(0.0938);
    expect(pyRound(123.45678, 1)).toBe(123.5);
    expect(pyRound(Math.fround(0.123456), 4)).toBe(0.1235);
    expect(pyRound(-1.25, 1)).toBe(-1.2);
  });
});

describe('pyJsonDumps (json.dumps)', () => {
  it('writes floats as repr, ints plain, default separators, ASCII escapes', () => {
    expect(pyFloat(12)).toBe('12.0');
    expect(pyFloat(0.1)).toBe('0.1');
    expect(pyFloat(1e-5)).toBe('1e-05');
    expect(pyFloat(0.0001)).toBe('0.0001');
    expect(pyFloat(123.4)).toBe('123.4');
    expect(pyFloat(-0.5)).toBe('-0.5');
    expect(pyFloat(1e16)).toBe('1e+16');
    expect(pyFloat(1.5e16)).toBe('1.5e+16');
    expect(pyFloat(1234567.0)).toBe('1234567.0');
    expect(pyJsonDumps({ a: [1.5, 0, new PyInt(3)], b: {}, c: 'é"' })).toBe('{"a": [1.5, 0.0, 3], "b": {}, "c": "\\u00e9\\""}');
  });
});
