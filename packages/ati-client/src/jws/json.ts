/**
 * A strict, linear-time JSON parser for JWT segments. It accepts exactly what
 * `serde_json::from_slice` accepts for ATI's types (contract §1.3), and keeps
 * what `JSON.parse` throws away:
 *
 * - integer literals stay distinguishable from `1.0` / `1e3` (serde rejects
 *   those for `u64` fields even when the value is whole);
 * - duplicate object keys are an error (serde rejects duplicates of known
 *   fields; we reject all, see README Compatibility);
 * - lone surrogate escapes are an error, as in serde_json;
 * - nesting is capped at serde_json's recursion limit of 128.
 *
 * Objects inherit nothing (their prototype is one shared, frozen, empty object
 * whose own prototype is null), so `__proto__` and `constructor` are ordinary
 * keys.
 *
 * @module
 */
import { CLAIMS, OTHER_KNOWN_KEYS } from '../token/claim-table.ts';

/** A number written with a fraction or an exponent (`1.0`, `1e3`). */
export class JsonFloat {
  constructor(readonly value: number) {}
}

/**
 * A parsed JSON value as the strict parser returns it. Integer literals
 * outside ±(2^53−1) become `bigint`, and fractions/exponents stay apart as
 * {@link JsonFloat}, because claim checks tell integers from floats. Not the
 * package's plain JSON type: that is the public `JsonValue` (client/types.ts),
 * the only type of that name; {@link toPlain} turns this into plain data.
 */
export type ParsedJson =
  | null
  | boolean
  | number
  | bigint
  | JsonFloat
  | string
  | ParsedJson[]
  | ParsedJsonObject;
/** A parsed JSON object. It inherits no members (see the module docs). */
export interface ParsedJsonObject {
  [key: string]: ParsedJson;
}

/** Thrown by {@link parseJson}; callers turn it into a coded AtiError. */
export class JsonSyntaxError extends Error {}

const MAX_DEPTH = 128;

/**
 * The prototype of every parsed object: empty, frozen, and itself without a
 * prototype. So a parsed object inherits nothing (no `toString`, no
 * `constructor`, no `__proto__` accessor: `obj['__proto__'] = v` makes an own
 * key), the same as `Object.create(null)` for every lookup and assignment;
 * only `Object.getPrototypeOf` and `util.inspect` tell them apart.
 *
 * Why not `Object.create(null)`: V8 starts that in dictionary mode. Why not
 * `Object.setPrototypeOf({}, null)` (used before): the prototype switch per
 * object cost about a fifth of the whole parse. A constructor whose
 * `prototype` is this object gives fast-mode objects with one stable shape
 * per key sequence (bench/README.md, "Changes made", has the figures);
 * bench suite `parts` measures it against `JSON.parse`.
 */
const JsonObjectCtor = function JsonObject() {} as unknown as new () => ParsedJsonObject;
JsonObjectCtor.prototype = Object.freeze(Object.create(null));

function emptyObject(): ParsedJsonObject {
  return new JsonObjectCtor();
}

// Parser state. parseJson never calls out while parsing, so one module-level
// cursor is safe and saves allocating a parser object per segment.
let text = '';
let pos = 0;

function fail(what: string): never {
  throw new JsonSyntaxError(`${what} at offset ${pos}`);
}

function ws(): void {
  const t = text;
  let c = t.charCodeAt(pos);
  while (c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09) c = t.charCodeAt(++pos);
}

function value(depth: number): ParsedJson {
  ws();
  const c = text.charCodeAt(pos);
  switch (c) {
    case 0x7b /* { */:
      return object(depth + 1);
    case 0x5b /* [ */:
      return array(depth + 1);
    case 0x22 /* " */:
      return string();
    case 0x74 /* t */:
      return literal('true', true);
    case 0x66 /* f */:
      return literal('false', false);
    case 0x6e /* n */:
      return literal('null', null);
    default:
      if (c === 0x2d || (c >= 0x30 && c <= 0x39)) return number();
      return fail('unexpected character');
  }
}

function literal<T extends ParsedJson>(word: string, v: T): T {
  if (!text.startsWith(word, pos)) fail('invalid literal');
  pos += word.length;
  return v;
}

function object(depth: number): ParsedJsonObject {
  if (depth > MAX_DEPTH) fail('nesting too deep');
  pos++;
  const obj = emptyObject();
  ws();
  if (text.charCodeAt(pos) === 0x7d) {
    pos++;
    return obj;
  }
  for (;;) {
    ws();
    if (text.charCodeAt(pos) !== 0x22) fail('expected a key');
    const key = knownKey() ?? string();
    // No prototype and no value is ever `undefined`, so this is an own-key
    // test; a keyed load is cheaper than calling Object.hasOwn.
    if (obj[key] !== undefined) fail('duplicate key');
    ws();
    if (text.charCodeAt(pos) !== 0x3a) fail("expected ':'");
    pos++;
    obj[key] = value(depth);
    ws();
    const c = text.charCodeAt(pos++);
    if (c === 0x7d) return obj;
    if (c !== 0x2c) fail("expected ',' or '}'");
  }
}

function array(depth: number): ParsedJson[] {
  if (depth > MAX_DEPTH) fail('nesting too deep');
  pos++;
  const arr: ParsedJson[] = [];
  ws();
  if (text.charCodeAt(pos) === 0x5d) {
    pos++;
    return arr;
  }
  for (;;) {
    arr.push(value(depth));
    ws();
    const c = text.charCodeAt(pos++);
    if (c === 0x5d) return arr;
    if (c !== 0x2c) fail("expected ',' or ']'");
  }
}

/**
 * The member names of JWT headers and ATI claims, by first character. A key
 * spelled exactly like one of them (no escapes) is returned as this constant
 * string: no slice, and V8 stores an internalized key without a string-table
 * lookup. The value is the same string {@link string} would return.
 */
const KNOWN_KEYS: ReadonlyArray<readonly string[] | undefined> = (() => {
  // Dense (no holes), so a miss never consults Array.prototype.
  const table: Array<string[] | undefined> = new Array<string[] | undefined>(128).fill(undefined);
  for (const k of [...CLAIMS.map((c) => c.wire), ...OTHER_KNOWN_KEYS]) {
    const c = k.charCodeAt(0);
    const list = table[c] ?? [];
    list.push(k);
    table[c] = list;
  }
  return table;
})();

/** At an opening quote: a known key, consumed with its closing quote, or `undefined` (nothing consumed). */
function knownKey(): string | undefined {
  const t = text;
  const p = pos + 1;
  const c = t.charCodeAt(p);
  const candidates = c < 128 ? KNOWN_KEYS[c] : undefined;
  if (candidates === undefined) return undefined;
  for (const k of candidates) {
    if (t.charCodeAt(p + k.length) === 0x22 && t.startsWith(k, p)) {
      pos = p + k.length + 1;
      return k;
    }
  }
  return undefined;
}

/** What sends a string to the character loop: an escape or a control character. */
// biome-ignore lint/suspicious/noControlCharactersInRegex: U+0000–U+001F are exactly what JSON forbids raw in strings.
const NOT_PLAIN = /[\\\x00-\x1f]/;

function string(): string {
  const t = text;
  const start = ++pos;

  // Fast path: up to the next quote there is no escape and no control
  // character, so that quote closes the string. indexOf + one regex test is
  // cheaper than a character loop; never scans past this string's end.
  const quote = t.indexOf('"', start);
  if (quote >= 0) {
    const s = t.slice(start, quote);
    if (!NOT_PLAIN.test(s)) {
      pos = quote + 1;
      return s;
    }
  }
  // Otherwise walk it: the exact offset of an error, and the escapes.
  for (;;) {
    const c = t.charCodeAt(pos);
    if (c === 0x22) {
      return t.slice(start, pos++);
    }
    if (c === 0x5c) break;
    if (c < 0x20 || Number.isNaN(c)) fail('invalid string');
    pos++;
  }
  let out = t.slice(start, pos);
  for (;;) {
    const c = t.charCodeAt(pos);
    if (c === 0x22) {
      pos++;
      return out;
    }
    if (c < 0x20 || Number.isNaN(c)) fail('invalid string');
    if (c !== 0x5c) {
      out += t[pos++];
      continue;
    }
    const e = t.charCodeAt(++pos);
    pos++;
    switch (e) {
      case 0x22:
        out += '"';
        break;
      case 0x5c:
        out += '\\';
        break;
      case 0x2f:
        out += '/';
        break;
      case 0x62:
        out += '\b';
        break;
      case 0x66:
        out += '\f';
        break;
      case 0x6e:
        out += '\n';
        break;
      case 0x72:
        out += '\r';
        break;
      case 0x74:
        out += '\t';
        break;
      case 0x75: {
        const u = hex4();
        if (u >= 0xdc00 && u <= 0xdfff) fail('lone surrogate');
        if (u >= 0xd800 && u <= 0xdbff) {
          if (t.charCodeAt(pos) !== 0x5c || t.charCodeAt(pos + 1) !== 0x75) fail('lone surrogate');
          pos += 2;
          const lo = hex4();
          if (lo < 0xdc00 || lo > 0xdfff) fail('lone surrogate');
          out += String.fromCharCode(u, lo);
        } else {
          out += String.fromCharCode(u);
        }
        break;
      }
      default:
        pos--;
        fail('invalid escape');
    }
  }
}

function hex4(): number {
  const s = text.slice(pos, pos + 4);
  if (!/^[0-9a-fA-F]{4}$/.test(s)) fail('invalid unicode escape');
  pos += 4;
  return Number.parseInt(s, 16);
}

function number(): number | bigint | JsonFloat {
  const t = text;
  const start = pos;
  const negative = t.charCodeAt(pos) === 0x2d;
  if (negative) pos++;
  let c = t.charCodeAt(pos);
  // The integer part's value, exact while it has at most 15 digits.
  let n = 0;
  if (c === 0x30) {
    c = t.charCodeAt(++pos);
    if (c >= 0x30 && c <= 0x39) fail('leading zero');
  } else if (c >= 0x31 && c <= 0x39) {
    while (c >= 0x30 && c <= 0x39) {
      n = n * 10 + (c - 0x30);
      c = t.charCodeAt(++pos);
    }
  } else {
    fail('invalid number');
  }
  if (c !== 0x2e && c !== 0x65 && c !== 0x45) {
    // An integer literal. Under 16 characters it is below 10^15, exact in a
    // double, so the digits already give Number(literal) without a slice.
    if (pos - start < 16) {
      // -0 is a float for serde_json ("Convert into a float ... on `-0`").
      if (negative) return n === 0 ? new JsonFloat(-0) : -n;
      return n;
    }
    const big = BigInt(t.slice(start, pos));
    return big >= -9007199254740991n && big <= 9007199254740991n ? Number(big) : big;
  }
  if (c === 0x2e) {
    c = t.charCodeAt(++pos);
    if (!(c >= 0x30 && c <= 0x39)) fail('invalid number');
    while (c >= 0x30 && c <= 0x39) c = t.charCodeAt(++pos);
  }
  if (c === 0x65 || c === 0x45) {
    c = t.charCodeAt(++pos);
    if (c === 0x2b || c === 0x2d) c = t.charCodeAt(++pos);
    if (!(c >= 0x30 && c <= 0x39)) fail('invalid number');
    while (c >= 0x30 && c <= 0x39) c = t.charCodeAt(++pos);
  }
  const v = Number(t.slice(start, pos));
  // serde_json rejects floats that overflow f64.
  if (!Number.isFinite(v)) fail('number out of range');
  return new JsonFloat(v);
}

/**
 * Parse `text` strictly (see module docs). Leading and trailing JSON
 * whitespace is allowed, as in serde_json; anything else after the value is
 * an error.
 *
 * @throws {JsonSyntaxError} on any deviation.
 */
export function parseJson(input: string): ParsedJson {
  text = input;
  pos = 0;
  try {
    const v = value(0);
    ws();
    if (pos !== input.length) fail('trailing characters');
    return v;
  } finally {
    // Do not keep the last segment alive.
    text = '';
  }
}

/** Is `v` a parsed JSON object. */
export function isJsonObject(v: ParsedJson | undefined): v is ParsedJsonObject {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && !(v instanceof JsonFloat);
}

/** Convert a parsed value to plain JSON-compatible JS data (floats unwrapped, bigints to numbers). */
export function toPlain(v: ParsedJson): unknown {
  if (v instanceof JsonFloat) return v.value;
  if (typeof v === 'bigint') return Number(v);
  if (Array.isArray(v)) return v.map(toPlain);
  if (isJsonObject(v)) {
    const out: Record<string, unknown> = {};
    for (const k of Object.keys(v)) {
      Object.defineProperty(out, k, {
        value: toPlain(v[k]!),
        enumerable: true,
        writable: true,
        configurable: true,
      });
    }
    return out;
  }
  return v;
}
