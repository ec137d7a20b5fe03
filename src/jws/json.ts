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
 * Objects are created without a prototype, so `__proto__` is an ordinary key.
 *
 * @module
 */

/** A number written with a fraction or an exponent (`1.0`, `1e3`). */
export class JsonFloat {
  constructor(readonly value: number) {}
}

/** A parsed JSON value. Integer literals outside ±(2^53−1) become `bigint`. */
export type JsonValue = null | boolean | number | bigint | JsonFloat | string | JsonValue[] | JsonObject;
/** A parsed JSON object (null prototype). */
export interface JsonObject {
  [key: string]: JsonValue;
}

/** Thrown by {@link parseJson}; callers turn it into a coded AtiError. */
export class JsonSyntaxError extends Error {}

const MAX_DEPTH = 128;

/**
 * An empty object with a null prototype. Same semantics as
 * `Object.create(null)` (no inherited members, `__proto__` an ordinary key),
 * but V8 keeps this one in fast-properties mode, whereas `Object.create(null)`
 * starts as a hash table: building and reading claims objects is ~2x cheaper
 * (bench/README.md).
 */
function emptyObject(): JsonObject {
  const obj: JsonObject = {};
  Object.setPrototypeOf(obj, null);
  return obj;
}

class Parser {
  pos = 0;
  constructor(readonly text: string) {}

  fail(what: string): never {
    throw new JsonSyntaxError(`${what} at offset ${this.pos}`);
  }

  ws(): void {
    const t = this.text;
    let c = t.charCodeAt(this.pos);
    while (c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09) c = t.charCodeAt(++this.pos);
  }

  value(depth: number): JsonValue {
    this.ws();
    const c = this.text.charCodeAt(this.pos);
    switch (c) {
      case 0x7b /* { */:
        return this.object(depth + 1);
      case 0x5b /* [ */:
        return this.array(depth + 1);
      case 0x22 /* " */:
        return this.string();
      case 0x74 /* t */:
        return this.literal('true', true);
      case 0x66 /* f */:
        return this.literal('false', false);
      case 0x6e /* n */:
        return this.literal('null', null);
      default:
        if (c === 0x2d || (c >= 0x30 && c <= 0x39)) return this.number();
        return this.fail('unexpected character');
    }
  }

  literal<T extends JsonValue>(word: string, v: T): T {
    if (!this.text.startsWith(word, this.pos)) this.fail('invalid literal');
    this.pos += word.length;
    return v;
  }

  object(depth: number): JsonObject {
    if (depth > MAX_DEPTH) this.fail('nesting too deep');
    this.pos++;
    const obj = emptyObject();
    this.ws();
    if (this.text.charCodeAt(this.pos) === 0x7d) {
      this.pos++;
      return obj;
    }
    for (;;) {
      this.ws();
      if (this.text.charCodeAt(this.pos) !== 0x22) this.fail('expected a key');
      const key = this.string();
      if (Object.hasOwn(obj, key)) this.fail('duplicate key');
      this.ws();
      if (this.text.charCodeAt(this.pos) !== 0x3a) this.fail("expected ':'");
      this.pos++;
      obj[key] = this.value(depth);
      this.ws();
      const c = this.text.charCodeAt(this.pos++);
      if (c === 0x7d) return obj;
      if (c !== 0x2c) this.fail("expected ',' or '}'");
    }
  }

  array(depth: number): JsonValue[] {
    if (depth > MAX_DEPTH) this.fail('nesting too deep');
    this.pos++;
    const arr: JsonValue[] = [];
    this.ws();
    if (this.text.charCodeAt(this.pos) === 0x5d) {
      this.pos++;
      return arr;
    }
    for (;;) {
      arr.push(this.value(depth));
      this.ws();
      const c = this.text.charCodeAt(this.pos++);
      if (c === 0x5d) return arr;
      if (c !== 0x2c) this.fail("expected ',' or ']'");
    }
  }

  string(): string {
    const t = this.text;
    const start = ++this.pos;
    // Fast path: no escapes.
    for (;;) {
      const c = t.charCodeAt(this.pos);
      if (c === 0x22) {
        return t.slice(start, this.pos++);
      }
      if (c === 0x5c) break;
      if (c < 0x20 || Number.isNaN(c)) this.fail('invalid string');
      this.pos++;
    }
    let out = t.slice(start, this.pos);
    for (;;) {
      const c = t.charCodeAt(this.pos);
      if (c === 0x22) {
        this.pos++;
        return out;
      }
      if (c < 0x20 || Number.isNaN(c)) this.fail('invalid string');
      if (c !== 0x5c) {
        out += t[this.pos++];
        continue;
      }
      const e = t.charCodeAt(++this.pos);
      this.pos++;
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
          const u = this.hex4();
          if (u >= 0xdc00 && u <= 0xdfff) this.fail('lone surrogate');
          if (u >= 0xd800 && u <= 0xdbff) {
            if (t.charCodeAt(this.pos) !== 0x5c || t.charCodeAt(this.pos + 1) !== 0x75)
              this.fail('lone surrogate');
            this.pos += 2;
            const lo = this.hex4();
            if (lo < 0xdc00 || lo > 0xdfff) this.fail('lone surrogate');
            out += String.fromCharCode(u, lo);
          } else {
            out += String.fromCharCode(u);
          }
          break;
        }
        default:
          this.pos--;
          this.fail('invalid escape');
      }
    }
  }

  hex4(): number {
    const s = this.text.slice(this.pos, this.pos + 4);
    if (!/^[0-9a-fA-F]{4}$/.test(s)) this.fail('invalid unicode escape');
    this.pos += 4;
    return Number.parseInt(s, 16);
  }

  number(): number | bigint | JsonFloat {
    const t = this.text;
    const start = this.pos;
    let isFloat = false;
    if (t.charCodeAt(this.pos) === 0x2d) this.pos++;
    let c = t.charCodeAt(this.pos);
    if (c === 0x30) {
      c = t.charCodeAt(++this.pos);
      if (c >= 0x30 && c <= 0x39) this.fail('leading zero');
    } else if (c >= 0x31 && c <= 0x39) {
      while (c >= 0x30 && c <= 0x39) c = t.charCodeAt(++this.pos);
    } else {
      this.fail('invalid number');
    }
    if (c === 0x2e) {
      isFloat = true;
      c = t.charCodeAt(++this.pos);
      if (!(c >= 0x30 && c <= 0x39)) this.fail('invalid number');
      while (c >= 0x30 && c <= 0x39) c = t.charCodeAt(++this.pos);
    }
    if (c === 0x65 || c === 0x45) {
      isFloat = true;
      c = t.charCodeAt(++this.pos);
      if (c === 0x2b || c === 0x2d) c = t.charCodeAt(++this.pos);
      if (!(c >= 0x30 && c <= 0x39)) this.fail('invalid number');
      while (c >= 0x30 && c <= 0x39) c = t.charCodeAt(++this.pos);
    }
    const lit = t.slice(start, this.pos);
    if (isFloat) {
      const v = Number(lit);
      // serde_json rejects floats that overflow f64.
      if (!Number.isFinite(v)) this.fail('number out of range');
      return new JsonFloat(v);
    }
    // -0 is a float for serde_json ("Convert into a float ... on `-0`").
    if (lit === '-0') return new JsonFloat(-0);
    if (lit.length < 16) return Number(lit);
    const big = BigInt(lit);
    return big >= -9007199254740991n && big <= 9007199254740991n ? Number(big) : big;
  }
}

/**
 * Parse `text` strictly (see module docs). Leading and trailing JSON
 * whitespace is allowed, as in serde_json; anything else after the value is
 * an error.
 *
 * @throws {JsonSyntaxError} on any deviation.
 */
export function parseJson(text: string): JsonValue {
  const p = new Parser(text);
  const v = p.value(0);
  p.ws();
  if (p.pos !== text.length) p.fail('trailing characters');
  return v;
}

/** Is `v` a parsed JSON object. */
export function isJsonObject(v: JsonValue | undefined): v is JsonObject {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && !(v instanceof JsonFloat);
}

/** Convert a parsed value to plain JSON-compatible JS data (floats unwrapped, bigints to numbers). */
export function toPlain(v: JsonValue): unknown {
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
