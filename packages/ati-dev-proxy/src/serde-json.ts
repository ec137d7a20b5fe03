/**
 * A byte-level reader that deserializes request bodies the way the proxy's
 * `serde_json` 1.0 does, so the dev proxy returns the same status codes and
 * the same error texts (`missing field \`scopes\` at line 1 column 2`,
 * `trailing comma at …`) as the Rust proxy (contract §4.0, §4.2).
 *
 * It reproduces serde_json's `SliceRead` behaviour where it shows in an error:
 * byte columns, "peek" versus "consumed" positions, the recursion limit of
 * 128, UTF-8 validation of kept strings only, the derive's sequence form of
 * structs, and `serde_path_to_error` prefixes (used by axum's `Json`).
 * Floats print with Rust's shortest round-trip format (`1.0`, `1e16`).
 *
 * Not a general JSON library: it knows the four request structs of the proxy.
 *
 * @module
 */

import { type JsonObject, type JsonValue, U64_MAX } from 'ati-client/internal';

/**
 * JSON as the dev proxy holds it after parsing (objects have a null
 * prototype): the package's one plain JSON type, `JsonValue` from
 * `ati-client`, under a short local name.
 */
export type Json = JsonValue;

/**
 * @deprecated Use `JsonValue` from `ati-client`: the same type.
 */
export type DevJson = JsonValue;

/** A JSON object, not an array (`Array.isArray` does not narrow readonly arrays away). */
export function isJsonObject(value: Json | undefined): value is JsonObject {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/** serde_json's error categories; axum maps `data` to 422, the rest to 400. */
export type SerdeCategory = 'data' | 'syntax' | 'eof';

/** A deserialization failure with serde_json's message and position. */
export class SerdeError extends Error {
  readonly category: SerdeCategory;
  /** 1-based line; 0 while the error has no position yet (serde "custom" errors). */
  line: number;
  column: number;
  /** `serde_path_to_error` segments, innermost failure first recorded; `undefined` until set. */
  path: (string | number)[] | undefined;
  readonly code: string;

  constructor(code: string, category: SerdeCategory, line = 0, column = 0) {
    super(code);
    this.code = code;
    this.category = category;
    this.line = line;
    this.column = column;
  }

  /** `serde_json::Error`'s Display: `<msg> at line L column C`, or just `<msg>`. */
  serdeMessage(): string {
    return this.line === 0 ? this.code : `${this.code} at line ${this.line} column ${this.column}`;
  }

  /** `serde_path_to_error::Error`'s Display: the path (when known) then the serde message. */
  pathMessage(): string {
    const p = this.path ?? [];
    if (p.length === 0) return this.serdeMessage();
    let out = '';
    for (const seg of p) {
      if (typeof seg === 'number') out += `[${seg}]`;
      else out += out === '' ? seg : `.${seg}`;
    }
    return `${out}: ${this.serdeMessage()}`;
  }
}

// serde_json ErrorCode Display texts.
const E = {
  eofList: 'EOF while parsing a list',
  eofObject: 'EOF while parsing an object',
  eofString: 'EOF while parsing a string',
  eofValue: 'EOF while parsing a value',
  colon: 'expected `:`',
  listCommaOrEnd: 'expected `,` or `]`',
  objectCommaOrEnd: 'expected `,` or `}`',
  ident: 'expected ident',
  value: 'expected value',
  escape: 'invalid escape',
  number: 'invalid number',
  range: 'number out of range',
  codePoint: 'invalid unicode code point',
  control: 'control character (\\u0000-\\u001F) found while parsing a string',
  key: 'key must be a string',
  loneSurrogate: 'lone leading surrogate in hex escape',
  trailingComma: 'trailing comma',
  trailing: 'trailing characters',
  hexEnd: 'unexpected end of hex escape',
  recursion: 'recursion limit exceeded',
} as const;

const EOF_CODES: ReadonlySet<string> = new Set([E.eofList, E.eofObject, E.eofString, E.eofValue]);

/** Strict UTF-8 (throws on invalid bytes): the one decoder of the dev proxy. Typed structurally: the declarations need no DOM lib. */
export const UTF8: { decode(input: Uint8Array): string } = new TextDecoder('utf-8', { fatal: true });
const ENC = new TextEncoder();

/** What {@link Reader.separator} returns at a closing bracket or brace. */
const CLOSED = -1;

/** JSON's one-character escapes: the byte after a backslash → the byte it stands for. */
const SIMPLE_ESCAPES: ReadonlyMap<number, number> = new Map([
  [0x22, 0x22],
  [0x5c, 0x5c],
  [0x2f, 0x2f],
  [0x62, 0x08],
  [0x66, 0x0c],
  [0x6e, 0x0a],
  [0x72, 0x0d],
  [0x74, 0x09],
]);

/** What a struct field deserializes as. */
export type FieldKind =
  | 'string'
  | 'bool'
  | 'seq-string'
  | 'opt-seq-string'
  | 'opt-string'
  | 'opt-u64'
  | 'any';

/** One field of a request struct, in declaration order. */
export interface FieldSpec {
  readonly name: string;
  readonly kind: FieldKind;
  /** `#[serde(default)]`: the value used when the field is absent. Absent + no default = required. */
  readonly default?: () => Json | undefined;
}

/** A `#[derive(Deserialize)]` struct. */
export interface StructSpec {
  readonly name: string;
  readonly fields: readonly FieldSpec[];
}

/** A serde `Unexpected` rendered the way serde_json renders it in "invalid type" errors. */
function rustDebugString(s: string): string {
  let out = '"';
  for (const ch of s) {
    const cp = ch.codePointAt(0)!;
    if (ch === '"') out += '\\"';
    else if (ch === '\\') out += '\\\\';
    else if (ch === '\n') out += '\\n';
    else if (ch === '\r') out += '\\r';
    else if (ch === '\t') out += '\\t';
    else if (cp === 0) out += '\\0';
    else if (cp < 0x20 || (cp >= 0x7f && cp <= 0x9f)) out += `\\u{${cp.toString(16)}}`;
    else out += ch;
  }
  return `${out}"`;
}

/**
 * serde_json 1.0.149's f64 text (the `zmij` crate): shortest round-trip
 * digits, `.0` on whole numbers, exponent form outside 1e-5..1e16 with an
 * explicit `+` on positive exponents (`1e+16`, `1.5e-7`).
 */
export function formatRustFloat(value: number): string {
  if (value === 0) return Object.is(value, -0) ? '-0.0' : '0.0';
  const sign = value < 0 ? '-' : '';
  const [mant, expText] = Math.abs(value).toExponential().split('e') as [string, string];
  const digits = mant.replace('.', '');
  const length = digits.length;
  const kk = Number(expText) + 1;
  if (kk >= length && kk <= 16) return `${sign}${digits}${'0'.repeat(kk - length)}.0`;
  if (kk > 0 && kk <= 16) return `${sign}${digits.slice(0, kk)}.${digits.slice(kk)}`;
  if (kk > -5 && kk <= 0) return `${sign}0.${'0'.repeat(-kk)}${digits}`;
  // zmij (serde_json ≥ 1.0.148) writes ryu's digits with an explicit `+` on positive exponents.
  const e = kk - 1;
  const exp = e >= 0 ? `e+${e}` : `e${e}`;
  return length === 1 ? `${sign}${digits}${exp}` : `${sign}${digits[0]}.${digits.slice(1)}${exp}`;
}

type Num = { kind: 'u64' | 'i64'; text: string; value: number } | { kind: 'f64'; value: number };

function unexpectedNumber(n: Num): string {
  return n.kind === 'f64' ? `floating point \`${formatRustFloat(n.value)}\`` : `integer \`${n.text}\``;
}

const I64_MIN_ABS = 9223372036854775808n;

function isDigit(b: number): boolean {
  return b >= 0x30 && b <= 0x39;
}

function hexVal(b: number): number {
  if (b >= 0x30 && b <= 0x39) return b - 0x30;
  if (b >= 0x61 && b <= 0x66) return b - 0x57;
  if (b >= 0x41 && b <= 0x46) return b - 0x37;
  return -1;
}

function pushUtf8(out: number[], cp: number): void {
  if (cp < 0x80) out.push(cp);
  else if (cp < 0x800) out.push(0xc0 | (cp >> 6), 0x80 | (cp & 0x3f));
  else if (cp < 0x10000) out.push(0xe0 | (cp >> 12), 0x80 | ((cp >> 6) & 0x3f), 0x80 | (cp & 0x3f));
  else out.push(0xf0 | (cp >> 18), 0x80 | ((cp >> 12) & 0x3f), 0x80 | ((cp >> 6) & 0x3f), 0x80 | (cp & 0x3f));
}

function emptyObject(): { [key: string]: Json } {
  return Object.create(null) as { [key: string]: Json };
}

/** The deserializer state: a byte slice, a cursor and the remaining recursion depth. */
class Reader {
  index = 0;
  depth = 128;
  readonly bytes: Uint8Array;

  constructor(bytes: Uint8Array) {
    this.bytes = bytes;
  }

  positionOf(i: number): [number, number] {
    let line = 1;
    let lineStart = 0;
    const b = this.bytes;
    for (let k = 0; k < i; k++) {
      if (b[k] === 0x0a) {
        line++;
        lineStart = k + 1;
      }
    }
    return [line, i - lineStart];
  }

  /** serde_json `error()`: at the cursor (after the last consumed byte). */
  error(code: string): SerdeError {
    const [l, c] = this.positionOf(this.index);
    return new SerdeError(code, EOF_CODES.has(code) ? 'eof' : 'syntax', l, c);
  }

  /** serde_json `peek_error()`: at the byte being looked at. */
  peekError(code: string): SerdeError {
    const [l, c] = this.positionOf(Math.min(this.bytes.length, this.index + 1));
    return new SerdeError(code, EOF_CODES.has(code) ? 'eof' : 'syntax', l, c);
  }

  /** serde_json `fix_position()`: give a position-less (custom) error the cursor position. */
  fix(err: unknown): unknown {
    if (err instanceof SerdeError && err.line === 0) {
      const [l, c] = this.positionOf(this.index);
      err.line = l;
      err.column = c;
    }
    return err;
  }

  peek(): number | undefined {
    return this.bytes[this.index];
  }

  peekOrNull(): number {
    return this.bytes[this.index] ?? 0;
  }

  ws(): number | undefined {
    const b = this.bytes;
    while (this.index < b.length) {
      const c = b[this.index]!;
      if (c !== 0x20 && c !== 0x0a && c !== 0x09 && c !== 0x0d) return c;
      this.index++;
    }
    return undefined;
  }

  enter(): void {
    this.depth--;
    if (this.depth === 0) throw this.peekError(E.recursion);
  }

  ident(rest: string): void {
    for (let k = 0; k < rest.length; k++) {
      const c = this.bytes[this.index];
      if (c === undefined) throw this.error(E.eofValue);
      this.index++;
      if (c !== rest.charCodeAt(k)) throw this.error(E.ident);
    }
  }

  // --- strings -------------------------------------------------------------

  /** Inside a string: skip to the next quote, backslash or control byte and return it. */
  toSpecial(): number {
    const b = this.bytes;
    while (this.index < b.length) {
      const c = b[this.index]!;
      if (c === 0x22 || c === 0x5c || c < 0x20) return c;
      this.index++;
    }
    throw this.error(E.eofString);
  }

  /** After the opening quote: parse and UTF-8-validate a string (serde `parse_str`). */
  str(): string {
    const b = this.bytes;
    const scratch: number[] = [];
    let start = this.index;
    let escaped = false;
    for (;;) {
      const c = this.toSpecial();
      if (c === 0x22) {
        const raw = escaped
          ? Uint8Array.from([...scratch, ...b.subarray(start, this.index)])
          : b.subarray(start, this.index);
        this.index++;
        try {
          return UTF8.decode(raw);
        } catch {
          throw this.error(E.codePoint);
        }
      }
      if (c === 0x5c) {
        for (let k = start; k < this.index; k++) scratch.push(b[k]!);
        this.index++;
        this.escape(scratch);
        escaped = true;
        start = this.index;
        continue;
      }
      this.index++;
      throw this.error(E.control);
    }
  }

  hex4(): number {
    const b = this.bytes;
    if (this.index + 4 > b.length) {
      this.index = b.length;
      throw this.error(E.eofString);
    }
    let v = 0;
    let bad = false;
    for (let k = 0; k < 4; k++) {
      const h = hexVal(b[this.index + k]!);
      if (h < 0) bad = true;
      v = (v << 4) | (h & 0xf);
    }
    this.index += 4;
    if (bad) throw this.error(E.escape);
    return v;
  }

  escape(out: number[]): void {
    const ch = this.bytes[this.index];
    if (ch === undefined) throw this.error(E.eofString);
    this.index++;
    const simple = SIMPLE_ESCAPES.get(ch);
    if (simple !== undefined) {
      out.push(simple);
      return;
    }
    if (ch !== 0x75) throw this.error(E.escape);
    const n = this.hex4();
    if (n >= 0xdc00 && n <= 0xdfff) throw this.error(E.loneSurrogate);
    if (n < 0xd800 || n > 0xdbff) {
      pushUtf8(out, n);
      return;
    }
    // A high surrogate: `\u` and a low one must follow.
    this.expectEscapeByte(0x5c);
    this.expectEscapeByte(0x75);
    const n2 = this.hex4();
    if (n2 < 0xdc00 || n2 > 0xdfff) throw this.error(E.loneSurrogate);
    pushUtf8(out, 0x10000 + ((n - 0xd800) << 10) + (n2 - 0xdc00));
  }

  /** The next byte of a surrogate pair's second half: `byte`, else serde's error (past the byte). */
  expectEscapeByte(byte: number): void {
    const next = this.peek();
    if (next === undefined) throw this.error(E.eofString);
    this.index++;
    if (next !== byte) throw this.error(E.hexEnd);
  }

  /** After the opening quote: skip a string without keeping it (serde `ignore_str`, no UTF-8 check). */
  ignoreStr(): void {
    for (;;) {
      const c = this.toSpecial();
      if (c === 0x22) {
        this.index++;
        return;
      }
      if (c === 0x5c) {
        this.index++;
        const e = this.bytes[this.index];
        if (e === undefined) throw this.error(E.eofString);
        this.index++;
        if (e === 0x75) this.hex4();
        else if (!SIMPLE_ESCAPES.has(e)) throw this.error(E.escape);
        continue;
      }
      throw this.error(E.control);
    }
  }

  // --- numbers -------------------------------------------------------------

  /**
   * Scan a number's syntax from its first digit (sign already eaten):
   * integer, fraction, exponent. `eof` is the error for input that ends
   * where a digit must follow (`parse_*` and `ignore_*` differ there).
   * Returns where the integer part ends and whether there was more.
   */
  scanNumber(eof: string): { intEnd: number; isFloat: boolean } {
    const b = this.bytes;
    const first = b[this.index];
    if (first === undefined) throw this.error(eof);
    this.index++;
    if (first === 0x30) {
      if (isDigit(this.peekOrNull())) throw this.peekError(E.number);
    } else if (first >= 0x31 && first <= 0x39) {
      while (isDigit(this.peekOrNull())) this.index++;
    } else {
      throw this.error(E.number);
    }
    const intEnd = this.index;
    let isFloat = false;
    if (this.peekOrNull() === 0x2e) {
      isFloat = true;
      this.index++;
      let any = false;
      while (isDigit(this.peekOrNull())) {
        this.index++;
        any = true;
      }
      if (!any) throw this.peekError(this.peek() === undefined ? eof : E.number);
    }
    const e = this.peekOrNull();
    if (e === 0x65 || e === 0x45) {
      isFloat = true;
      this.index++;
      const s = this.peekOrNull();
      if (s === 0x2b || s === 0x2d) this.index++;
      const d = b[this.index];
      if (d === undefined) throw this.error(eof);
      this.index++;
      if (!isDigit(d)) throw this.error(E.number);
      while (isDigit(this.peekOrNull())) this.index++;
    }
    return { intEnd, isFloat };
  }

  /** serde `parse_integer` and friends; the cursor is on the first digit (sign already eaten). */
  number(positive: boolean): Num {
    const b = this.bytes;
    const start = this.index;
    const { intEnd, isFloat } = this.scanNumber(E.eofValue);
    const intText = UTF8.decode(b.subarray(start, intEnd));
    const text = UTF8.decode(b.subarray(start, this.index));
    if (!isFloat) {
      const big = BigInt(intText);
      if (positive && big <= U64_MAX) return { kind: 'u64', text: intText, value: Number(big) };
      if (!positive && big >= 1n && big <= I64_MIN_ABS)
        return { kind: 'i64', text: `-${intText}`, value: -Number(big) };
    }
    const value = Number(positive ? text : `-${text}`);
    if (!Number.isFinite(value)) throw this.error(E.range);
    return { kind: 'f64', value };
  }

  /** serde `ignore_integer`/`ignore_decimal`/`ignore_exponent`: syntax only, no range check. */
  ignoreNumber(): void {
    this.scanNumber(E.number);
  }

  // --- generic values --------------------------------------------------------

  /** serde `peek_invalid_type`: consume a scalar to describe it, then a positioned "invalid type". */
  invalidType(expected: string): SerdeError {
    const c = this.peekOrNull();
    let unexpected: string;
    if (c === 0x6e) {
      this.index++;
      this.ident('ull');
      unexpected = 'null';
    } else if (c === 0x74) {
      this.index++;
      this.ident('rue');
      unexpected = 'boolean `true`';
    } else if (c === 0x66) {
      this.index++;
      this.ident('alse');
      unexpected = 'boolean `false`';
    } else if (c === 0x2d) {
      this.index++;
      unexpected = unexpectedNumber(this.number(false));
    } else if (isDigit(c)) {
      unexpected = unexpectedNumber(this.number(true));
    } else if (c === 0x22) {
      this.index++;
      unexpected = `string ${rustDebugString(this.str())}`;
    } else if (c === 0x5b) {
      unexpected = 'sequence';
    } else if (c === 0x7b) {
      unexpected = 'map';
    } else {
      return this.peekError(E.value);
    }
    return this.fix(
      new SerdeError(`invalid type: ${unexpected}, expected ${expected}`, 'data'),
    ) as SerdeError;
  }

  /** serde_json `deserialize_any` into a {@link Json} (objects: last duplicate wins, like `Value`). */
  any(): Json {
    const c = this.ws();
    if (c === undefined) throw this.peekError(E.eofValue);
    try {
      switch (c) {
        case 0x6e:
          this.index++;
          this.ident('ull');
          return null;
        case 0x74:
          this.index++;
          this.ident('rue');
          return true;
        case 0x66:
          this.index++;
          this.ident('alse');
          return false;
        case 0x2d:
          this.index++;
          return this.number(false).value;
        case 0x22:
          this.index++;
          return this.str();
        case 0x5b: {
          this.enter();
          this.index++;
          let out: Json[] | undefined;
          let err: unknown;
          try {
            out = [];
            this.seq(() => {
              out!.push(this.any());
            });
          } catch (e) {
            err = e;
          }
          this.depth++;
          this.endAfter(err, 'seq');
          return out!;
        }
        case 0x7b: {
          this.enter();
          this.index++;
          const out = emptyObject();
          let err: unknown;
          try {
            this.mapEntries((key) => {
              this.colon();
              out[key] = this.any();
            });
          } catch (e) {
            err = e;
          }
          this.depth++;
          this.endAfter(err, 'map');
          return out;
        }
        default:
          if (isDigit(c)) return this.number(true).value;
          throw this.peekError(E.value);
      }
    } catch (err) {
      throw this.fix(err);
    }
  }

  /**
   * serde's `match (visit, end_seq()) { (Err(e), _) | (_, Err(e)) => Err(e) }`
   * (and the same with `end_map()`): the visit's error wins over the end's.
   */
  endAfter(visitError: unknown, kind: 'seq' | 'map'): void {
    let endError: unknown;
    try {
      if (kind === 'seq') this.endSeq();
      else this.endMap();
    } catch (e) {
      endError = e;
    }
    if (visitError !== undefined) throw visitError;
    if (endError !== undefined) throw endError;
  }

  /** Skip whitespace, then consume `byte` if it is next (`true`); else the next byte, not consumed. */
  eat(byte: number): true | number | undefined {
    const c = this.ws();
    if (c !== byte) return c;
    this.index++;
    return true;
  }

  endSeq(): void {
    const c = this.eat(0x5d);
    if (c === true) return;
    if (c === 0x2c) {
      this.index++;
      throw this.peekError(this.ws() === 0x5d ? E.trailingComma : E.trailing);
    }
    if (c === undefined) throw this.peekError(E.eofList);
    throw this.peekError(E.trailing);
  }

  endMap(): void {
    const c = this.eat(0x7d);
    if (c === true) return;
    if (c === 0x2c) throw this.peekError(E.trailingComma);
    if (c === undefined) throw this.peekError(E.eofObject);
    throw this.peekError(E.trailing);
  }

  /** serde_json `SeqAccess`: call `element` for each element until `]` (not consumed). */
  seq(element: (index: number) => void, onSeparatorError?: (err: unknown) => unknown): void {
    let first = true;
    for (let i = 0; ; i++) {
      if (!this.nextElement(first, onSeparatorError)) return;
      first = false;
      element(i);
    }
  }

  /**
   * Before an element or entry (serde_json's `has_next_element`/`has_next_key`):
   * {@link CLOSED} at the closing byte (not consumed), else the byte after
   * the separating comma (`undefined` at the end of input).
   */
  separator(first: boolean, close: number, commaOrEnd: string, eof: string): number | undefined {
    let c = this.ws();
    if (c === close) return CLOSED;
    if (c === 0x2c && !first) {
      this.index++;
      c = this.ws();
    } else if (c !== undefined && !first) {
      throw this.peekError(commaOrEnd);
    } else if (c === undefined) {
      throw this.peekError(eof);
    }
    return c;
  }

  nextElement(first: boolean, onSeparatorError?: (err: unknown) => unknown): boolean {
    try {
      const c = this.separator(first, 0x5d, E.listCommaOrEnd, E.eofList);
      if (c === CLOSED) return false;
      if (c === 0x5d) throw this.peekError(E.trailingComma);
      if (c === undefined) throw this.peekError(E.eofValue);
      return true;
    } catch (err) {
      throw onSeparatorError ? onSeparatorError(err) : err;
    }
  }

  /** serde_json `MapAccess`: call `entry(key)` for each key until `}` (not consumed). */
  mapEntries(entry: (key: string) => void): void {
    let first = true;
    for (;;) {
      const c = this.separator(first, 0x7d, E.objectCommaOrEnd, E.eofObject);
      if (c === CLOSED) return;
      first = false;
      if (c === 0x22) {
        this.index++;
        entry(this.str());
      } else if (c === 0x7d) {
        throw this.peekError(E.trailingComma);
      } else if (c === undefined) {
        throw this.peekError(E.eofValue);
      } else {
        throw this.peekError(E.key);
      }
    }
  }

  colon(): void {
    const c = this.eat(0x3a);
    if (c === true) return;
    throw this.peekError(c === undefined ? E.eofObject : E.colon);
  }

  /** serde_json `ignore_value`: iterative (no recursion limit), strings not UTF-8 checked. */
  ignore(): void {
    const stack: number[] = [];
    let enclosing: number | undefined;
    for (;;) {
      const peek = this.ws();
      if (peek === undefined) throw this.peekError(E.eofValue);
      let frame: number | undefined;
      switch (peek) {
        case 0x6e:
          this.index++;
          this.ident('ull');
          break;
        case 0x74:
          this.index++;
          this.ident('rue');
          break;
        case 0x66:
          this.index++;
          this.ident('alse');
          break;
        case 0x2d:
          this.index++;
          this.ignoreNumber();
          break;
        case 0x22:
          this.index++;
          this.ignoreStr();
          break;
        case 0x5b:
        case 0x7b:
          if (enclosing !== undefined) stack.push(enclosing);
          enclosing = undefined;
          this.index++;
          frame = peek;
          break;
        default:
          if (isDigit(peek)) {
            this.ignoreNumber();
            break;
          }
          throw this.peekError(E.value);
      }
      let acceptComma: boolean;
      let current: number;
      if (frame !== undefined) {
        acceptComma = false;
        current = frame;
      } else if (enclosing !== undefined) {
        acceptComma = true;
        current = enclosing;
        enclosing = undefined;
      } else {
        const popped = stack.pop();
        if (popped === undefined) return;
        acceptComma = true;
        current = popped;
      }
      for (;;) {
        const c = this.ws();
        if (c === 0x2c && acceptComma) {
          this.index++;
          break;
        }
        if ((c === 0x5d && current === 0x5b) || (c === 0x7d && current === 0x7b)) {
          this.index++;
          const popped = stack.pop();
          if (popped === undefined) return;
          current = popped;
          acceptComma = true;
          continue;
        }
        if (c === undefined) throw this.peekError(current === 0x5b ? E.eofList : E.eofObject);
        if (acceptComma) throw this.peekError(current === 0x5b ? E.listCommaOrEnd : E.objectCommaOrEnd);
        break;
      }
      if (current === 0x7b) {
        const k = this.ws();
        if (k === 0x22) this.index++;
        else if (k === undefined) throw this.peekError(E.eofObject);
        else throw this.peekError(E.key);
        this.ignoreStr();
        const colon = this.ws();
        if (colon === 0x3a) this.index++;
        else if (colon === undefined) throw this.peekError(E.eofObject);
        else throw this.peekError(E.colon);
      }
      enclosing = current;
    }
  }

  /** serde_json `Deserializer::end`: only whitespace may follow. */
  end(): void {
    if (this.ws() !== undefined) throw this.peekError(E.trailing);
  }
}

function withPath<T>(path: (string | number)[], run: () => T): T {
  try {
    return run();
  } catch (err) {
    if (err instanceof SerdeError && err.path === undefined) err.path = [...path];
    throw err;
  }
}

function field(r: Reader, kind: FieldKind, path: (string | number)[]): Json | undefined {
  switch (kind) {
    case 'any':
      return r.any();
    case 'string':
      return stringValue(r);
    case 'bool': {
      const c = r.ws();
      if (c === undefined) throw r.peekError(E.eofValue);
      if (c === 0x74) {
        r.index++;
        r.ident('rue');
        return true;
      }
      if (c === 0x66) {
        r.index++;
        r.ident('alse');
        return false;
      }
      throw r.invalidType('a boolean');
    }
    case 'opt-string':
    case 'opt-seq-string':
    case 'opt-u64':
      if (r.ws() === 0x6e) {
        r.index++;
        r.ident('ull');
        return undefined;
      }
      if (kind === 'opt-u64') return u64Text(r);
      return field(r, kind === 'opt-string' ? 'string' : 'seq-string', path);
    case 'seq-string': {
      const c = r.ws();
      if (c === undefined) throw r.peekError(E.eofValue);
      if (c !== 0x5b) throw r.invalidType('a sequence');
      r.enter();
      r.index++;
      const out: string[] = [];
      let err: unknown;
      try {
        r.seq(
          (i) => {
            out.push(withPath([...path, i], () => stringValue(r)));
          },
          (e) => {
            if (e instanceof SerdeError && e.path === undefined) e.path = [...path];
            return e;
          },
        );
      } catch (e) {
        err = e;
      }
      r.depth++;
      try {
        r.endAfter(err, 'seq');
      } catch (e) {
        throw r.fix(e);
      }
      return out;
    }
  }
}

/** serde's `u64` visitor over serde_json's number parser; the decimal text, so values past 2^53 stay exact. */
function u64Text(r: Reader): string {
  const c = r.ws();
  if (c === undefined) throw r.peekError(E.eofValue);
  if (c !== 0x2d && !isDigit(c)) throw r.invalidType('u64');
  if (c === 0x2d) r.index++;
  const n = r.number(c !== 0x2d);
  if (n.kind === 'u64') return n.text;
  const message =
    n.kind === 'i64'
      ? `invalid value: integer \`${n.text}\`, expected u64`
      : `invalid type: ${unexpectedNumber(n)}, expected u64`;
  throw r.fix(new SerdeError(message, 'data'));
}

function stringValue(r: Reader): string {
  const c = r.ws();
  if (c === undefined) throw r.peekError(E.eofValue);
  if (c !== 0x22) throw r.invalidType('a string');
  r.index++;
  return r.str();
}

function structBody(r: Reader, spec: StructSpec): Record<string, Json | undefined> {
  const c = r.ws();
  if (c === undefined) throw r.peekError(E.eofValue);
  const out: Record<string, Json | undefined> = Object.create(null) as Record<string, Json | undefined>;
  const n = spec.fields.length;
  try {
    if (c === 0x5b) {
      // serde derive also accepts a struct as a sequence of its fields, in order.
      r.enter();
      r.index++;
      let err: unknown;
      try {
        let first = true;
        for (let i = 0; i < n; i++) {
          const f = spec.fields[i]!;
          const more = r.nextElement(first);
          first = false;
          if (!more) {
            // Once the sequence is exhausted every later field reads "none" too.
            for (let j = i; j < n; j++) {
              const rest = spec.fields[j]!;
              if (rest.default === undefined) {
                throw new SerdeError(
                  `invalid length ${j}, expected struct ${spec.name} with ${n} element${n === 1 ? '' : 's'}`,
                  'data',
                );
              }
              out[rest.name] = rest.default();
            }
            break;
          }
          out[f.name] = withPath([i], () => field(r, f.kind, [i]));
        }
      } catch (e) {
        err = e;
      }
      r.depth++;
      r.endAfter(err, 'seq');
      return out;
    }
    if (c === 0x7b) {
      r.enter();
      r.index++;
      let err: unknown;
      try {
        const seen = new Set<string>();
        r.mapEntries((key) => {
          const f = spec.fields.find((x) => x.name === key);
          if (f === undefined) {
            r.colon();
            withPath([key], () => r.ignore());
            return;
          }
          if (seen.has(key)) throw new SerdeError(`duplicate field \`${key}\``, 'data');
          seen.add(key);
          r.colon();
          out[key] = withPath([key], () => field(r, f.kind, [key]));
        });
        for (const f of spec.fields) {
          if (seen.has(f.name)) continue;
          if (f.default === undefined) throw new SerdeError(`missing field \`${f.name}\``, 'data');
          out[f.name] = f.default();
        }
      } catch (e) {
        err = e;
      }
      r.depth++;
      r.endAfter(err, 'map');
      return out;
    }
    throw r.invalidType(`struct ${spec.name}`);
  } catch (err) {
    throw r.fix(err);
  }
}

/**
 * `serde_json::from_slice::<T>(bytes)` for a request struct: the struct, then
 * only whitespace. Errors carry no path (this is what `/call` reports).
 *
 * @throws {SerdeError}
 */
export function fromSlice(bytes: Uint8Array, spec: StructSpec): Record<string, Json | undefined> {
  const r = new Reader(bytes);
  const value = structBody(r, spec);
  r.end();
  return value;
}

/**
 * axum's `Json<T>` extraction: `serde_path_to_error` around the struct, then
 * `end()` (whose error has no path). Callers render `pathMessage()`.
 *
 * @throws {SerdeError}
 */
export function fromSliceWithPath(bytes: Uint8Array, spec: StructSpec): Record<string, Json | undefined> {
  const r = new Reader(bytes);
  const value = withPath([], () => structBody(r, spec));
  r.end();
  return value;
}

/**
 * axum's `Json<serde_json::Value>` (the `/mcp` body): any JSON value, then only whitespace.
 *
 * @throws {SerdeError}
 */
export function valueFromSlice(bytes: Uint8Array): Json {
  const r = new Reader(bytes);
  const value = r.any();
  r.end();
  return value;
}

/** UTF-8 bytes of a string (shared helper). */
export function utf8(text: string): Uint8Array {
  return ENC.encode(text);
}
