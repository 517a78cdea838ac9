import { describe, expect, it } from 'vitest';
import { PickleError, PyObject, pyToJs, unpickle } from './pickle.js';

// pickle.dumps({'a': [1, 2.5, None, True, 'é', b'xy'], 'b': (1, 2, 3), 'c': 2**70, 'd': -5, 'e': {1, 2},
//               'f': OrderedDict([('z', 1), ('0', 2)])}, protocol=P) from CPython 3.
const P2 =
  '80027d71002858010000006171015d7102284b014740040000000000004e885802000000c3a97103635f636f646563730a656e636f64650a710458020000007879710558060000006c6174696e3171068671075271086558010000006271094b014b024b0387710a580100000063710b8a09000000000000000040580100000064710c4afbffffff580100000065710d635f5f6275696c74696e5f5f0a7365740a710e5d710f284b014b0265857110527111580100000066711263636f6c6c656374696f6e730a4f726465726564446963740a7113295271142858010000007a71154b0158010000003071164b0275752e';
const P4 =
  '80049587000000000000007d94288c0161945d94284b014740040000000000004e888c02c3a9944302787994658c0162944b014b024b0387948c0163948a090000000000000000408c0164944afbffffff8c0165948f94284b014b02908c0166948c0b636f6c6c656374696f6e73948c0b4f72646572656444696374949394295294288c017a944b018c0130944b0275752e';
const hex = (s: string) => Uint8Array.from(Buffer.from(s, 'hex'));

describe('unpickle', () => {
  for (const [name, data] of [['protocol 2', P2], ['protocol 4', P4]] as const) {
    it(`reads CPython ${name} output`, () => {
      const v = unpickle(hex(data)) as Map<string, unknown>;
      expect(v).toBeInstanceOf(Map);
      const a = v.get('a') as unknown[];
      expect(a.slice(0, 5)).toEqual([1, 2.5, null, true, 'é']);
      expect([...(a[5] as Uint8Array)]).toEqual([0x78, 0x79]);
      expect(v.get('b')).toEqual([1, 2, 3]);
      expect(v.get('c')).toBe(2n ** 70n);
      expect(v.get('d')).toBe(-5);
      expect(v.get('e')).toEqual(new Set([1, 2]));
      const f = v.get('f') as Map<string, number>;
      expect([...f.keys()]).toEqual(['z', '0']); // insertion order kept (a plain object would put '0' first)
      expect(pyToJs(v)).toMatchObject({ b: [1, 2, 3], d: -5, e: [1, 2], f: { z: 1, '0': 2 } });
    });
  }

  it('reads protocol 0 text opcodes', () => {
    expect(unpickle(hex('286c70300a49310a6156780a70310a612846322e300a7470320a612e'))).toEqual([1, 'x', [2]]);
  });

  it('turns unknown classes into plain objects (nothing executed)', () => {
    // cos\nsystem\n(S'echo hi'\ntR.  — a classic malicious pickle: must only build a PyObject.
    const evil = Uint8Array.from(Buffer.from("cos\nsystem\n(S'echo hi'\ntR.", 'latin1'));
    const v = unpickle(evil) as PyObject;
    expect(v).toBeInstanceOf(PyObject);
    expect(v.className).toBe('os.system');
    expect(v.args).toEqual(['echo hi']);
  });

  it('rejects truncated and foreign data with a clear error', () => {
    expect(() => unpickle(hex(P2).subarray(0, 40))).toThrow(PickleError);
    expect(() => unpickle(hex(P2).subarray(0, 40))).toThrow(/truncated pickle/);
    expect(() => unpickle(Uint8Array.from([0xff, 0x00]))).toThrow(/unknown pickle opcode 0xff/);
    expect(() => unpickle(new Uint8Array())).toThrow(/truncated pickle/);
  });
});
