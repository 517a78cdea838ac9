/**
 * A tolerant Python pickle reader (protocols 0–5, the opcodes torch.save produces and the common others), enough to
 * read PyTorch checkpoints without Python. Nothing is executed: known callables are interpreted (OrderedDict, set,
 * _codecs.encode, torch tensor rebuilders via `reduce` hooks), everything else becomes a plain {@link PyObject}.
 *
 * Python → JS: dict/OrderedDict → `Map`, list and tuple → `Array`, str → string, int → number (or bigint beyond
 * 2^53), float → number, bool → boolean, None → null, bytes → Uint8Array, set/frozenset → `Set`.
 */

/** A reference to a Python global (module + name), as GLOBAL / STACK_GLOBAL push it. */
export class PyGlobal {
  constructor(
    readonly module: string,
    readonly name: string,
  ) {}
  get qualified(): string {
    return `${this.module}.${this.name}`;
  }
}

/** An instance of a class we do not interpret: its class, constructor args and `__setstate__` state. */
export class PyObject {
  state: unknown = undefined;
  constructor(
    readonly className: string,
    readonly args: unknown[] = [],
  ) {}
}

export interface UnpickleHooks {
  /** BINPERSID / PERSID: returns the object for a persistent id (torch: storages). */
  persistentLoad?: (pid: unknown) => unknown;
  /**
   * REDUCE of a global: return a value to use it, or `undefined` to fall back to the default handling
   * (known builtins, else a {@link PyObject}).
   */
  reduce?: (fn: PyGlobal, args: unknown[]) => unknown;
  /** Called for every global the pickle names (GLOBAL, STACK_GLOBAL, INST), e.g. to report unexpected ones. */
  onGlobal?: (g: PyGlobal) => void;
}

/** Longest integer (LONG1 / LONG4 payload, bytes) read; torch pickles hold none near it (decoding is quadratic). */
const MAX_LONG_BYTES = 1024;

export class PickleError extends Error {
  override readonly name = 'PickleError';
}

/** Reads one pickle from `data`; throws {@link PickleError} on malformed input. */
export function unpickle(data: Uint8Array, hooks: UnpickleHooks = {}): unknown {
  const view = new DataView(data.buffer, data.byteOffset, data.byteLength);
  const dec = new TextDecoder('utf-8');
  const latin1 = new TextDecoder('latin1');
  let pos = 0;
  const stack: unknown[] = [];
  const memo = new Map<number, unknown>();
  const marks: number[] = [];

  const need = (n: number) => {
    if (pos + n > data.length) throw new PickleError(`truncated pickle: needs ${n} bytes at offset ${pos}, has ${data.length - pos}`);
  };
  const u8 = () => {
    need(1);
    return data[pos++]!;
  };
  const u16 = () => {
    need(2);
    const v = view.getUint16(pos, true);
    pos += 2;
    return v;
  };
  const u32 = () => {
    need(4);
    const v = view.getUint32(pos, true);
    pos += 4;
    return v;
  };
  const i32 = () => {
    need(4);
    const v = view.getInt32(pos, true);
    pos += 4;
    return v;
  };
  const u64 = () => {
    need(8);
    const v = view.getBigUint64(pos, true);
    pos += 8;
    if (v > BigInt(Number.MAX_SAFE_INTEGER)) throw new PickleError('pickle item too large');
    return Number(v);
  };
  const bytes = (n: number) => {
    need(n);
    const b = data.subarray(pos, pos + n);
    pos += n;
    return b;
  };
  const line = () => {
    const end = data.indexOf(0x0a, pos);
    if (end < 0) throw new PickleError(`truncated pickle: unterminated line at offset ${pos}`);
    const s = latin1.decode(data.subarray(pos, end));
    pos = end + 1;
    return s;
  };
  const pop = () => {
    if (stack.length === 0 || (marks.length && stack.length <= marks[marks.length - 1]!)) throw new PickleError(`pickle stack underflow at offset ${pos}`);
    return stack.pop();
  };
  const top = () => {
    if (stack.length === 0) throw new PickleError(`pickle stack underflow at offset ${pos}`);
    return stack[stack.length - 1];
  };
  const popMark = (): unknown[] => {
    const m = marks.pop();
    if (m === undefined) throw new PickleError(`pickle MARK missing at offset ${pos}`);
    return stack.splice(m);
  };
  const decodeLong = (b: Uint8Array): number | bigint => {
    if (b.length === 0) return 0;
    if (b.length > MAX_LONG_BYTES) throw new PickleError(`pickle integer of ${b.length} bytes at offset ${pos} is too large`);
    let v = 0n;
    for (let i = b.length - 1; i >= 0; i--) v = (v << 8n) | BigInt(b[i]!);
    if (b[b.length - 1]! & 0x80) v -= 1n << BigInt(8 * b.length);
    return v >= BigInt(Number.MIN_SAFE_INTEGER) && v <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(v) : v;
  };
  const setItems = (target: unknown, items: unknown[]) => {
    if (!(target instanceof Map)) {
      if (target instanceof PyObject) {
        // dict subclass we do not know: keep the items as its state.
        const m = target.state instanceof Map ? target.state : new Map();
        for (let i = 0; i + 1 < items.length; i += 2) m.set(items[i], items[i + 1]);
        target.state = m;
        return;
      }
      throw new PickleError(`SETITEM(S) on a non-dict at offset ${pos}`);
    }
    for (let i = 0; i + 1 < items.length; i += 2) target.set(items[i], items[i + 1]);
  };
  const appendItems = (target: unknown, items: unknown[]) => {
    // one push per item: spreading a long list into push() overflows the call stack
    if (Array.isArray(target)) for (const x of items) target.push(x);
    else if (target instanceof PyObject) {
      const arr: unknown[] = Array.isArray(target.state) ? target.state : [];
      for (const x of items) arr.push(x);
      target.state = arr;
    } else throw new PickleError(`APPEND(S) on a non-list at offset ${pos}`);
  };
  const callGlobal = (fn: unknown, args: unknown[]): unknown => {
    if (!(fn instanceof PyGlobal)) {
      if (fn instanceof PyObject) return new PyObject(fn.className, args);
      throw new PickleError(`REDUCE of a non-callable at offset ${pos}`);
    }
    const hooked = hooks.reduce?.(fn, args);
    if (hooked !== undefined) return hooked;
    switch (fn.qualified) {
      case 'collections.OrderedDict':
      case 'builtins.dict':
      case '__builtin__.dict': {
        const m = new Map();
        const init = args[0];
        if (Array.isArray(init)) for (const kv of init) if (Array.isArray(kv)) m.set(kv[0], kv[1]);
        return m;
      }
      case 'builtins.set':
      case '__builtin__.set':
      case 'builtins.frozenset':
      case '__builtin__.frozenset':
        return new Set(Array.isArray(args[0]) ? args[0] : []);
      case 'builtins.list':
      case '__builtin__.list':
        return Array.isArray(args[0]) ? [...args[0]] : [];
      case 'builtins.tuple':
      case '__builtin__.tuple':
        return Array.isArray(args[0]) ? [...args[0]] : [];
      case '_codecs.encode': {
        // protocol-2 bytes: _codecs.encode(str, 'latin1')
        const s = typeof args[0] === 'string' ? args[0] : '';
        const b = new Uint8Array(s.length);
        for (let i = 0; i < s.length; i++) b[i] = s.charCodeAt(i) & 0xff;
        return b;
      }
      case 'copy_reg._reconstructor':
      case 'copyreg._reconstructor':
        return new PyObject(args[0] instanceof PyGlobal ? args[0].qualified : 'object', args.slice(1));
      default:
        return new PyObject(fn.qualified, args);
    }
  };

  for (;;) {
    const op = u8();
    switch (op) {
      case 0x80: // PROTO
        u8();
        break;
      case 0x95: // FRAME
        u64();
        break;
      case 0x28: // MARK
        marks.push(stack.length);
        break;
      case 0x2e: // STOP
        if (stack.length !== 1) throw new PickleError(`pickle STOP with ${stack.length} items on the stack`);
        return stack[0];
      case 0x30: // POP
        pop();
        break;
      case 0x31: // POP_MARK
        popMark();
        break;
      case 0x32: // DUP
        stack.push(top());
        break;
      case 0x4e: // NONE
        stack.push(null);
        break;
      case 0x88:
        stack.push(true);
        break;
      case 0x89:
        stack.push(false);
        break;
      case 0x4a: // BININT
        stack.push(i32());
        break;
      case 0x4b: // BININT1
        stack.push(u8());
        break;
      case 0x4d: // BININT2
        stack.push(u16());
        break;
      case 0x8a: // LONG1
        stack.push(decodeLong(bytes(u8())));
        break;
      case 0x8b: // LONG4
        stack.push(decodeLong(bytes(u32())));
        break;
      case 0x49: {
        // INT (text): also True/False as I01/I00
        const s = line().trim();
        stack.push(s === '01' ? true : s === '00' ? false : Number(s));
        break;
      }
      case 0x4c: // LONG (text)
        stack.push(Number(line().trim().replace(/L$/, '')));
        break;
      case 0x46: // FLOAT (text)
        stack.push(Number(line().trim()));
        break;
      case 0x47: {
        // BINFLOAT (big-endian double)
        need(8);
        stack.push(view.getFloat64(pos, false));
        pos += 8;
        break;
      }
      case 0x58: // BINUNICODE
        stack.push(dec.decode(bytes(u32())));
        break;
      case 0x8c: // SHORT_BINUNICODE
        stack.push(dec.decode(bytes(u8())));
        break;
      case 0x8d: // BINUNICODE8
        stack.push(dec.decode(bytes(u64())));
        break;
      case 0x56: // UNICODE (raw-unicode-escape line)
        stack.push(line());
        break;
      case 0x54: // BINSTRING
        stack.push(latin1.decode(bytes(i32())));
        break;
      case 0x55: // SHORT_BINSTRING
        stack.push(latin1.decode(bytes(u8())));
        break;
      case 0x53: {
        // STRING (quoted repr line)
        const s = line().trim();
        stack.push(s.slice(1, -1));
        break;
      }
      case 0x42: // BINBYTES
        stack.push(bytes(u32()).slice());
        break;
      case 0x43: // SHORT_BINBYTES
        stack.push(bytes(u8()).slice());
        break;
      case 0x8e: // BINBYTES8
        stack.push(bytes(u64()).slice());
        break;
      case 0x96: // BYTEARRAY8
        stack.push(bytes(u64()).slice());
        break;
      case 0x29: // EMPTY_TUPLE
        stack.push([]);
        break;
      case 0x74: // TUPLE
        stack.push(popMark());
        break;
      case 0x85:
        stack.push([pop()]);
        break;
      case 0x86: {
        const b = pop();
        const a = pop();
        stack.push([a, b]);
        break;
      }
      case 0x87: {
        const c = pop();
        const b = pop();
        const a = pop();
        stack.push([a, b, c]);
        break;
      }
      case 0x5d: // EMPTY_LIST
        stack.push([]);
        break;
      case 0x6c: // LIST
        stack.push(popMark());
        break;
      case 0x61: {
        // APPEND
        const v = pop();
        appendItems(top(), [v]);
        break;
      }
      case 0x65: {
        // APPENDS
        const items = popMark();
        appendItems(top(), items);
        break;
      }
      case 0x7d: // EMPTY_DICT
        stack.push(new Map());
        break;
      case 0x64: {
        // DICT
        const items = popMark();
        const m = new Map();
        setItems(m, items);
        stack.push(m);
        break;
      }
      case 0x73: {
        // SETITEM
        const v = pop();
        const k = pop();
        setItems(top(), [k, v]);
        break;
      }
      case 0x75: {
        // SETITEMS
        const items = popMark();
        setItems(top(), items);
        break;
      }
      case 0x8f: // EMPTY_SET
        stack.push(new Set());
        break;
      case 0x90: {
        // ADDITEMS
        const items = popMark();
        const s = top();
        if (!(s instanceof Set)) throw new PickleError(`ADDITEMS on a non-set at offset ${pos}`);
        for (const x of items) s.add(x);
        break;
      }
      case 0x91: // FROZENSET
        stack.push(new Set(popMark()));
        break;
      case 0x63: {
        // GLOBAL
        const g = new PyGlobal(line(), line());
        hooks.onGlobal?.(g);
        stack.push(g);
        break;
      }
      case 0x93: {
        // STACK_GLOBAL
        const name = pop();
        const mod = pop();
        const g = new PyGlobal(String(mod), String(name));
        hooks.onGlobal?.(g);
        stack.push(g);
        break;
      }
      case 0x52: {
        // REDUCE
        const args = pop();
        const fn = pop();
        stack.push(callGlobal(fn, Array.isArray(args) ? args : [args]));
        break;
      }
      case 0x81: {
        // NEWOBJ
        const args = pop();
        const cls = pop();
        stack.push(new PyObject(cls instanceof PyGlobal ? cls.qualified : 'object', Array.isArray(args) ? args : []));
        break;
      }
      case 0x92: {
        // NEWOBJ_EX
        pop();
        const args = pop();
        const cls = pop();
        stack.push(new PyObject(cls instanceof PyGlobal ? cls.qualified : 'object', Array.isArray(args) ? args : []));
        break;
      }
      case 0x69: {
        // INST
        const g = new PyGlobal(line(), line());
        hooks.onGlobal?.(g);
        stack.push(new PyObject(g.qualified, popMark()));
        break;
      }
      case 0x6f: {
        // OBJ
        const items = popMark();
        const cls = items.shift();
        stack.push(new PyObject(cls instanceof PyGlobal ? cls.qualified : 'object', items));
        break;
      }
      case 0x62: {
        // BUILD
        const state = pop();
        const obj = top();
        if (obj instanceof PyObject) obj.state = state;
        else if (obj instanceof Map && state instanceof Map) {
          // e.g. OrderedDict with `_metadata`: keep the entries, the attributes are irrelevant.
        }
        break;
      }
      case 0x51: {
        // BINPERSID
        const pid = pop();
        if (!hooks.persistentLoad) throw new PickleError('pickle refers to external data (persistent id) but no loader was given');
        stack.push(hooks.persistentLoad(pid));
        break;
      }
      case 0x50: {
        // PERSID
        const pid = line();
        if (!hooks.persistentLoad) throw new PickleError('pickle refers to external data (persistent id) but no loader was given');
        stack.push(hooks.persistentLoad(pid));
        break;
      }
      case 0x71: // BINPUT
        memo.set(u8(), top());
        break;
      case 0x72: // LONG_BINPUT
        memo.set(u32(), top());
        break;
      case 0x70: // PUT
        memo.set(Number(line()), top());
        break;
      case 0x94: // MEMOIZE
        memo.set(memo.size, top());
        break;
      case 0x68: // BINGET
      case 0x6a: // LONG_BINGET
      case 0x67: {
        // GET
        const k = op === 0x68 ? u8() : op === 0x6a ? u32() : Number(line());
        if (!memo.has(k)) throw new PickleError(`pickle memo key ${k} missing at offset ${pos}`);
        stack.push(memo.get(k));
        break;
      }
      case 0x97: // NEXT_BUFFER
      case 0x98: // READONLY_BUFFER
        throw new PickleError('pickle protocol-5 out-of-band buffers are not supported');
      default:
        throw new PickleError(`unknown pickle opcode 0x${op.toString(16)} at offset ${pos - 1} (not a pickle, or corrupted)`);
    }
  }
}

/**
 * Converts unpickled values to plain JSON-like JS (Map → object with string keys, Set → array, bytes kept). A value
 * that contains itself (possible through the memo) or nests deeper than 64 levels becomes null there.
 */
export function pyToJs(v: unknown): unknown {
  return toJs(v, 0, new Set());
}

function toJs(v: unknown, depth: number, seen: Set<unknown>): unknown {
  if (typeof v === 'bigint') return Number(v);
  if (v === null || typeof v !== 'object') return v;
  if (depth > 64 || seen.has(v)) return null;
  seen.add(v);
  try {
    if (v instanceof Map) {
      const o: Record<string, unknown> = {};
      for (const [k, x] of v) o[String(k)] = toJs(x, depth + 1, seen);
      return o;
    }
    if (v instanceof Set) return [...v].map((x) => toJs(x, depth + 1, seen));
    if (Array.isArray(v)) return v.map((x) => toJs(x, depth + 1, seen));
    return v;
  } finally {
    seen.delete(v);
  }
}
