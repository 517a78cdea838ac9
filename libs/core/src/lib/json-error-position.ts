/** Where a JSON text stops being valid: 0-based character offset, 1-based line and column, and what was expected. */
export interface JsonErrorPosition {
  offset: number;
  line: number;
  column: number;
  message: string;
}

/**
 * Finds the first syntax error of a JSON text (RFC 8259), or returns undefined when the text is valid.
 * Node's `JSON.parse` message does not always carry a position (Node 20: "Unexpected token '}', … is not valid JSON"),
 * so after a failed parse we re-scan the text once to tell the user exactly where it breaks.
 */
export function locateJsonError(text: string): JsonErrorPosition | undefined {
  let i = 0;
  const n = text.length;
  class Stop extends Error {
    constructor(readonly at: number, readonly what: string) {
      super(what);
    }
  }
  const fail = (what: string): never => {
    throw new Stop(i, what);
  };
  const ws = () => {
    while (i < n) {
      const c = text.charCodeAt(i);
      if (c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09) i++;
      else break;
    }
  };
  const lit = (word: string) => {
    if (text.startsWith(word, i)) i += word.length;
    else fail(`invalid literal (expected a value)`);
  };
  const str = () => {
    i++; // opening quote
    for (;;) {
      if (i >= n) fail('unterminated string');
      const c = text.charCodeAt(i);
      if (c === 0x22) {
        i++;
        return;
      }
      if (c < 0x20) fail('control character inside a string');
      if (c === 0x5c) {
        const e = text[i + 1];
        if (e === 'u') {
          if (!/^[0-9a-fA-F]{4}$/.test(text.slice(i + 2, i + 6))) fail('bad \\u escape');
          i += 6;
        } else if (e !== undefined && '"\\/bfnrt'.includes(e)) i += 2;
        else fail('bad escape in a string');
      } else i++;
    }
  };
  const num = () => {
    const m = /^-?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?/.exec(text.slice(i, i + 400));
    if (!m) fail('invalid number');
    i += m![0].length;
  };
  // Iterative value parser (deep nesting must not overflow the stack).
  const stack: ('obj' | 'arr')[] = [];
  const value = (): void => {
    ws();
    if (i >= n) fail('unexpected end of input (expected a value)');
    const c = text[i];
    if (c === '{') return open('}', 'obj', key);
    if (c === '[') return open(']', 'arr', value);
    if (c === '"') return str();
    if (c === 't') return lit('true');
    if (c === 'f') return lit('false');
    if (c === 'n') return lit('null');
    if (c === '-' || (c !== undefined && c >= '0' && c <= '9')) return num();
    fail(`unexpected character ${JSON.stringify(c)} (expected a value)`);
  };
  // After '{' or '[': empty, or push the container and parse its first member.
  const open = (close: string, kind: 'obj' | 'arr', first: () => void): void => {
    i++;
    ws();
    if (text[i] === close) {
      i++;
      return;
    }
    stack.push(kind);
    first();
  };
  const key = () => {
    ws();
    if (text[i] !== '"') fail('expected a property name in double quotes');
    str();
    ws();
    if (text[i] !== ':') fail("expected ':' after a property name");
    i++;
    value();
  };
  try {
    value();
    for (;;) {
      ws();
      const top = stack[stack.length - 1];
      if (top === undefined) break;
      const close = top === 'obj' ? '}' : ']';
      if (i >= n) fail(`unexpected end of input (expected ',' or '${close}')`);
      if (text[i] === ',') {
        i++;
        if (top === 'obj') key();
        else value();
      } else if (text[i] === close) {
        i++;
        stack.pop();
      } else fail(`expected ',' or '${close}'`);
    }
    ws();
    if (i < n) fail('unexpected text after the end of the JSON value');
    return undefined;
  } catch (e) {
    if (!(e instanceof Stop)) throw e;
    let line = 1;
    let lineStart = 0;
    for (let k = 0; k < e.at && k < n; k++) {
      if (text.charCodeAt(k) === 0x0a) {
        line++;
        lineStart = k + 1;
      }
    }
    return { offset: e.at, line, column: e.at - lineStart + 1, message: e.what };
  }
}
