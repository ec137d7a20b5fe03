/**
 * A small, strict TOML subset for ATI's `skill.toml` (upstream `core/skill.rs`
 * reads it with the `toml` crate). Supported: comments, `[table]` and dotted
 * `[a.b]` headers, bare or quoted keys, basic and literal strings (also
 * multi-line), decimal integers, booleans, and arrays of those (multi-line,
 * trailing comma). Anything else — floats, dates, inline tables, `[[arrays]]`,
 * dotted keys — is refused with the line number rather than guessed at.
 *
 * Linear time; no recursion on input structure (arrays may not nest).
 *
 * @module
 */

/** A parsed TOML value within the subset. */
export type TomlValue = string | number | boolean | TomlValue[] | TomlTable;
/** A TOML table (null prototype: any key is an ordinary key). */
export interface TomlTable {
  [key: string]: TomlValue;
}

/** A `skill.toml` syntax error, with its 1-based line. */
export class TomlSyntaxError extends Error {
  readonly line: number;
  constructor(line: number, message: string) {
    super(`line ${line}: ${message}`);
    this.line = line;
  }
}

function table(): TomlTable {
  return Object.create(null) as TomlTable;
}

const BARE_KEY = /^[A-Za-z0-9_-]+$/;

class TomlParser {
  pos = 0;
  line = 1;
  readonly text: string;
  constructor(text: string) {
    this.text = text;
  }

  fail(message: string): never {
    throw new TomlSyntaxError(this.line, message);
  }

  peek(): string | undefined {
    return this.text[this.pos];
  }

  /** Spaces and tabs only. */
  blanks(): void {
    while (this.peek() === ' ' || this.peek() === '\t') this.pos++;
  }

  /** Blanks, an optional comment, then a newline or the end. */
  endOfLine(): void {
    this.blanks();
    if (this.peek() === '#') this.comment();
    const c = this.peek();
    if (c === undefined) return;
    if (c === '\n') {
      this.pos++;
      this.line++;
      return;
    }
    if (c === '\r' && this.text[this.pos + 1] === '\n') {
      this.pos += 2;
      this.line++;
      return;
    }
    this.fail(`unexpected ${JSON.stringify(c)} after value`);
  }

  comment(): void {
    while (this.pos < this.text.length && this.text[this.pos] !== '\n') {
      const code = this.text.charCodeAt(this.pos);
      if ((code < 0x20 && code !== 0x09 && code !== 0x0d) || code === 0x7f)
        this.fail('control character in comment');
      this.pos++;
    }
  }

  /** Whitespace, newlines and comments (inside arrays). */
  gap(): void {
    for (;;) {
      const c = this.peek();
      if (c === ' ' || c === '\t' || c === '\r') this.pos++;
      else if (c === '\n') {
        this.pos++;
        this.line++;
      } else if (c === '#') this.comment();
      else return;
    }
  }

  key(): string {
    const c = this.peek();
    if (c === '"') return this.basicString();
    if (c === "'") return this.literalString();
    const start = this.pos;
    while (this.pos < this.text.length && /[A-Za-z0-9_-]/.test(this.text[this.pos]!)) this.pos++;
    const k = this.text.slice(start, this.pos);
    if (!BARE_KEY.test(k)) this.fail('expected a key');
    return k;
  }

  basicString(): string {
    if (this.text.startsWith('"""', this.pos)) return this.multilineBasic();
    this.pos++;
    let out = '';
    for (;;) {
      const c = this.peek();
      if (c === undefined || c === '\n') this.fail('unterminated string');
      this.pos++;
      if (c === '"') return out;
      if (c === '\\') out += this.escape();
      else {
        this.checkChar(c);
        out += c;
      }
    }
  }

  multilineBasic(): string {
    this.pos += 3;
    if (this.peek() === '\n') {
      this.pos++;
      this.line++;
    } else if (this.text.startsWith('\r\n', this.pos)) {
      this.pos += 2;
      this.line++;
    }
    let out = '';
    for (;;) {
      if (this.text.startsWith('"""', this.pos)) {
        // Up to two quotes may directly precede the closing delimiter.
        let extra = 0;
        while (extra < 2 && this.text[this.pos + 3 + extra] === '"') extra++;
        out += '"'.repeat(extra);
        this.pos += 3 + extra;
        return out;
      }
      const c = this.peek();
      if (c === undefined) this.fail('unterminated multi-line string');
      this.pos++;
      if (c === '\\') {
        // A line-ending backslash trims the newline and leading whitespace that follow.
        const save = this.pos;
        while (this.peek() === ' ' || this.peek() === '\t') this.pos++;
        if (this.peek() === '\n' || this.text.startsWith('\r\n', this.pos)) {
          while (/[ \t\r\n]/.test(this.peek() ?? '')) {
            if (this.peek() === '\n') this.line++;
            this.pos++;
          }
          continue;
        }
        this.pos = save;
        out += this.escape();
        continue;
      }
      if (c === '\n') this.line++;
      else if (c !== '\r') this.checkChar(c);
      out += c;
    }
  }

  literalString(): string {
    if (this.text.startsWith("'''", this.pos)) {
      this.pos += 3;
      if (this.peek() === '\n') {
        this.pos++;
        this.line++;
      } else if (this.text.startsWith('\r\n', this.pos)) {
        this.pos += 2;
        this.line++;
      }
      const end = this.text.indexOf("'''", this.pos);
      if (end < 0) this.fail('unterminated multi-line literal string');
      let stop = end;
      while (stop - end < 2 && this.text[stop + 3] === "'") stop++;
      const body = this.text.slice(this.pos, stop);
      for (const ch of body) if (ch === '\n') this.line++;
      this.pos = stop + 3;
      return body;
    }
    this.pos++;
    const end = this.text.indexOf("'", this.pos);
    const nl = this.text.indexOf('\n', this.pos);
    if (end < 0 || (nl >= 0 && nl < end)) this.fail('unterminated literal string');
    const body = this.text.slice(this.pos, end);
    for (const ch of body) this.checkChar(ch);
    this.pos = end + 1;
    return body;
  }

  checkChar(c: string): void {
    const code = c.charCodeAt(0);
    if ((code < 0x20 && code !== 0x09) || code === 0x7f) this.fail('control character in string');
  }

  escape(): string {
    const c = this.peek();
    this.pos++;
    switch (c) {
      case 'b':
        return '\b';
      case 't':
        return '\t';
      case 'n':
        return '\n';
      case 'f':
        return '\f';
      case 'r':
        return '\r';
      case '"':
        return '"';
      case '\\':
        return '\\';
      case 'u':
      case 'U': {
        const len = c === 'u' ? 4 : 8;
        const hex = this.text.slice(this.pos, this.pos + len);
        if (!new RegExp(`^[0-9A-Fa-f]{${len}}$`).test(hex)) this.fail('invalid unicode escape');
        const cp = Number.parseInt(hex, 16);
        if (cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) this.fail('invalid unicode scalar value');
        this.pos += len;
        return String.fromCodePoint(cp);
      }
      default:
        return this.fail('invalid escape');
    }
  }

  scalar(): string | number | boolean {
    const c = this.peek();
    if (c === '"') return this.basicString();
    if (c === "'") return this.literalString();
    const m = /^[^\s,\]#]+/.exec(this.text.slice(this.pos, this.pos + 64));
    const word = m?.[0] ?? '';
    if (word === 'true' || word === 'false') {
      this.pos += word.length;
      return word === 'true';
    }
    if (/^[+-]?(0|[1-9](_?[0-9])*)$/.test(word)) {
      const n = Number(word.replaceAll('_', ''));
      if (!Number.isSafeInteger(n)) this.fail('integer out of range');
      this.pos += word.length;
      return n;
    }
    if (c === '[') this.fail('nested arrays are not supported');
    if (c === '{') this.fail('inline tables are not supported');
    if (word === '') this.fail('expected a value');
    return this.fail(`unsupported value ${JSON.stringify(word)} (only strings, integers, booleans, arrays)`);
  }

  value(): TomlValue {
    if (this.peek() !== '[') return this.scalar();
    this.pos++;
    const out: TomlValue[] = [];
    for (;;) {
      this.gap();
      if (this.peek() === ']') {
        this.pos++;
        return out;
      }
      if (this.peek() === undefined) this.fail('unterminated array');
      out.push(this.scalar());
      this.gap();
      const c = this.peek();
      if (c === ',') {
        this.pos++;
        continue;
      }
      if (c === ']') {
        this.pos++;
        return out;
      }
      this.fail('expected `,` or `]` in array');
    }
  }

  parse(): TomlTable {
    const root = table();
    const defined = new Set<TomlTable>();
    let current = root;
    while (this.pos < this.text.length) {
      this.blanks();
      const c = this.peek();
      if (c === undefined) break;
      if (c === '\n' || c === '\r' || c === '#') {
        this.endOfLine();
        continue;
      }
      if (c === '[') {
        if (this.text[this.pos + 1] === '[') this.fail('arrays of tables are not supported');
        this.pos++;
        const path: string[] = [];
        for (;;) {
          this.blanks();
          path.push(this.key());
          this.blanks();
          if (this.peek() === '.') {
            this.pos++;
            continue;
          }
          if (this.peek() === ']') {
            this.pos++;
            break;
          }
          this.fail('expected `]` after table name');
        }
        let t = root;
        for (const seg of path) {
          const existing = t[seg];
          if (existing === undefined) {
            const next = table();
            t[seg] = next;
            t = next;
          } else if (typeof existing === 'object' && !Array.isArray(existing)) {
            t = existing;
          } else {
            this.fail(`key ${JSON.stringify(seg)} is not a table`);
          }
        }
        if (defined.has(t)) this.fail(`table [${path.join('.')}] defined twice`);
        defined.add(t);
        current = t;
        this.endOfLine();
        continue;
      }
      const key = this.key();
      this.blanks();
      if (this.peek() === '.') this.fail('dotted keys are not supported');
      if (this.peek() !== '=') this.fail('expected `=` after key');
      this.pos++;
      this.blanks();
      if (Object.hasOwn(current, key)) this.fail(`duplicate key ${JSON.stringify(key)}`);
      current[key] = this.value();
      this.endOfLine();
    }
    return root;
  }
}

/**
 * Parse TOML text within the subset described in this module.
 *
 * @throws {TomlSyntaxError} naming the line.
 * @example
 * ```ts
 * parseToml('[skill]\nname = "x"\ntools = ["a", "b"]\n'); // { skill: { name: 'x', tools: ['a', 'b'] } }
 * ```
 */
export function parseToml(text: string): TomlTable {
  return new TomlParser(text.startsWith('\ufeff') ? text.slice(1) : text).parse();
}
