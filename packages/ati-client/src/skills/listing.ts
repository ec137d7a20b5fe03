/**
 * The skill-listing formatter: renders the proxy's skill catalog as the
 * `<system-reminder>` block the Python SDK's `_format_skill_listing` produces,
 * byte for byte (contract §5.1–5.2). Pure; no I/O.
 *
 * @module
 */

import { isRecord } from '../util/values.ts';

/**
 * One entry of the proxy's `GET /skillati/catalog` response (contract §4.1).
 * Optional fields are omitted by the proxy when empty.
 */
export interface SkillCatalogEntry {
  /** Skill name, the listing's bullet. */
  readonly name: string;
  /** One-line description (cut to 250 code points in the listing). */
  readonly description: string;
  /** When to use it; appended to the description as `desc - when_to_use`. Omitted when empty. */
  readonly when_to_use?: string;
  /** Search keywords (omitted when empty). */
  readonly keywords?: readonly string[];
  /** Tools the skill is bound to (omitted when empty). */
  readonly tools?: readonly string[];
  /** Providers the skill is bound to (omitted when empty). */
  readonly providers?: readonly string[];
  /** Categories the skill is bound to (omitted when empty). */
  readonly categories?: readonly string[];
  /** `skillati://<name>`: where the skill's files live for `ati skill fetch cat`. */
  readonly skill_directory: string;
}

/**
 * Size budget of the listing body, in Unicode code points. The header and
 * footer are not counted (contract §5.1).
 */
export const SKILL_LISTING_BUDGET = 8000;

/** Per-description cap in code points, ellipsis included (contract §5.1). */
const MAX_DESC = 250;
/** Below this per-description share, pass 2 gives way to names only (contract §5.2 step 8). */
const MIN_DESC = 20;
const ELLIPSIS = '\u2026';
const HEADER =
  "<system-reminder>\nThe following skills are available. To load one, run `ati skill fetch read <name>` via the Bash tool \u2014 the skill's body will be returned. Follow the skill's instructions literally. Files referenced inside a skill body live at `skillati://<name>/<path>` \u2014 fetch them via `ati skill fetch cat <name> <path>`.\n\n";
const FOOTER = '\n</system-reminder>';
const overflowLine = (count: number): string =>
  `\n- ... (+${count} more \u2014 run \`ati skill fetch catalog\` to list all)`;
/** Length of the overflow line with a five-digit count: always 64 (contract §5.1). */
const OVERFLOW_RESERVE = codePointLength(overflowLine(99_999));

/**
 * Render a skill catalog as the `<system-reminder>` listing an agent reads,
 * identical to the Python SDK's output for the same JSON input.
 *
 * Descriptions (joined with `when_to_use` as `"<description> - <when_to_use>"`)
 * are capped at 250 code points; when the body exceeds
 * {@link SKILL_LISTING_BUDGET} code points the descriptions are shortened to an
 * equal share, then dropped, and finally trailing names are replaced by a
 * `+N more` line (contract §5.2 passes 1, 2, 3 and 3′).
 *
 * Entries are untrusted JSON: a non-object entry is used as a bare name, and
 * non-string fields are rendered the way Python's `str()` renders the parsed
 * JSON value (`null` → `None`, `true` → `True`, `[1, 'a']`, `{'k': 'v'}`).
 * Exactness limits: an integral number is rendered as a Python `int` when it is
 * a safe integer and as a Python `float` otherwise (JSON `1.0` therefore gives
 * `1`, where Python gives `1.0`); object keys that look like array indices come
 * first in JavaScript, so such objects may render in a different key order.
 * The proxy sends strings, for which the output is exact.
 *
 * @param entries - The catalog's `skills` array (usually {@link SkillCatalogEntry} objects).
 * @returns The listing, or `''` when no entry has a non-blank name.
 * @example
 * ```ts
 * formatSkillListing([{ name: 'alpha', description: 'Does A' }]);
 * // '<system-reminder>\nThe following skills are available. … \n\n- alpha: Does A\n</system-reminder>'
 * ```
 */
export function formatSkillListing(entries: readonly unknown[]): string {
  const items: { name: string; desc: string }[] = [];
  for (const entry of entries) {
    const { name, desc } = normalize(entry);
    if (name !== '') items.push({ name, desc: truncate(desc, MAX_DESC) });
  }
  if (items.length === 0) return '';
  const wrap = (body: string): string => HEADER + body + FOOTER;

  // Pass 1: full (capped) descriptions.
  const full = items.map(({ name, desc }) => bullet(name, desc)).join('\n');
  if (codePointLength(full) <= SKILL_LISTING_BUDGET) return wrap(full);

  // Pass 2: every description shortened to an equal share of what the names leave.
  // The overhead counts "- " + ": " for every entry, even those without a description.
  let overhead = items.length - 1;
  for (const { name } of items) overhead += codePointLength(name) + 4;
  const share = Math.floor((SKILL_LISTING_BUDGET - overhead) / items.length);
  if (share >= MIN_DESC) {
    const trimmed = items.map(({ name, desc }) => bullet(name, truncate(desc, share))).join('\n');
    if (codePointLength(trimmed) <= SKILL_LISTING_BUDGET) return wrap(trimmed);
  }

  // Pass 3: names only.
  const lines = items.map(({ name }) => `- ${name}`);
  const names = lines.join('\n');
  if (codePointLength(names) <= SKILL_LISTING_BUDGET) return wrap(names);

  // Pass 3′: as many names as fit beside a reserved overflow line.
  const limit = SKILL_LISTING_BUDGET - OVERFLOW_RESERVE;
  let running = 0;
  let included = 0;
  for (const line of lines) {
    const next = running + codePointLength(line) + (included > 0 ? 1 : 0);
    if (next > limit) break;
    running = next;
    included++;
  }
  // Names-only overflowed, so at least one line is always left out here.
  return wrap(lines.slice(0, included).join('\n') + overflowLine(lines.length - included));
}

/** Contract §5.2 steps 2–3: name and combined description of one catalog entry. */
function normalize(entry: unknown): { name: string; desc: string } {
  if (!isRecord(entry)) return { name: pyStrip(pyStr(entry)), desc: '' };
  const name = pyStrip(pyStr(field(entry, 'name', '')));
  const description = pyStrip(pyStr(field(entry, 'description', '')));
  const rawWtu = field(entry, 'when_to_use', null);
  // Python tests `is not None`: false, 0 and '' are kept (and '' then drops out below).
  const wtu = rawWtu === null || rawWtu === undefined ? '' : pyStrip(pyStr(rawWtu));
  if (wtu !== '' && description !== '') return { name, desc: `${description} - ${wtu}` };
  return { name, desc: wtu !== '' ? wtu : description };
}

function field(entry: Readonly<Record<string, unknown>>, key: string, fallback: unknown): unknown {
  return Object.hasOwn(entry, key) && entry[key] !== undefined ? entry[key] : fallback;
}

/** `"- name: desc"`, or `"- name"` when the description is empty (contract §5.2 step 6). */
function bullet(name: string, desc: string): string {
  return desc === '' ? `- ${name}` : `- ${name}: ${desc}`;
}

/** Contract §5.2 step 4, in code points: first `max − 1` code points plus `…`, no trimming. */
function truncate(text: string, max: number): string {
  if (max <= 0) return '';
  let end = 0; // UTF-16 offset just after the first `max − 1` code points
  let count = 0;
  for (const cp of text) {
    if (count === max) return max === 1 ? ELLIPSIS : text.slice(0, end) + ELLIPSIS;
    count++;
    if (count < max) end += cp.length;
  }
  return text;
}

/**
 * Length in Unicode code points, as Python's `len(str)` counts it (a lone
 * surrogate counts as one, like an astral character).
 */
function codePointLength(text: string): number {
  let n = 0;
  for (const _ of text) n++;
  return n;
}

/**
 * Python's `str.isspace()` set (contract §5.2 step 2). Unlike JS `trim()` it
 * includes U+001C–U+001F and excludes U+FEFF. All of these are single UTF-16 units.
 */
function isPyWhitespace(unit: number): boolean {
  return (
    (unit >= 0x09 && unit <= 0x0d) ||
    (unit >= 0x1c && unit <= 0x20) ||
    unit === 0x85 ||
    unit === 0xa0 ||
    unit === 0x1680 ||
    (unit >= 0x2000 && unit <= 0x200a) ||
    unit === 0x2028 ||
    unit === 0x2029 ||
    unit === 0x202f ||
    unit === 0x205f ||
    unit === 0x3000
  );
}

/** Python `str.strip()` with no argument. A scan, not a regex: `[ws]+$` backtracks quadratically. */
function pyStrip(text: string): string {
  let start = 0;
  let end = text.length;
  while (start < end && isPyWhitespace(text.charCodeAt(start))) start++;
  while (end > start && isPyWhitespace(text.charCodeAt(end - 1))) end--;
  return text.slice(start, end);
}

/** Python `str(value)` for a value parsed from JSON. */
function pyStr(value: unknown): string {
  return typeof value === 'string' ? value : pyRepr(value, new Set());
}

/** Python `repr(value)` for a value parsed from JSON; `seen` guards against cycles like Python's `[...]`. */
/** Past this nesting, values render as `...` (Python itself would raise RecursionError; we never throw). */
const MAX_REPR_DEPTH = 100;

function pyRepr(value: unknown, seen: Set<object>, depth = 0): string {
  if (value === null || value === undefined) return 'None';
  if (value === true) return 'True';
  if (value === false) return 'False';
  if (typeof value === 'string') return pyStringRepr(value);
  if (typeof value === 'number') return Number.isSafeInteger(value) ? String(value) : pyFloatRepr(value);
  if (typeof value === 'bigint') return value.toString();
  if (typeof value !== 'object') return String(value);
  if (seen.has(value) || depth >= MAX_REPR_DEPTH) return Array.isArray(value) ? '[...]' : '{...}';
  seen.add(value);
  const out = Array.isArray(value)
    ? `[${value.map((item: unknown) => pyRepr(item, seen, depth + 1)).join(', ')}]`
    : `{${Object.entries(value)
        .map(([k, v]) => `${pyStringRepr(k)}: ${pyRepr(v, seen, depth + 1)}`)
        .join(', ')}}`;
  seen.delete(value);
  return out;
}

/**
 * Python `repr(float)`: the shortest round-trip digits (as JavaScript also
 * uses), in exponent form when the decimal exponent is below −4 or at least
 * 16, otherwise positional with at least one fractional digit.
 */
function pyFloatRepr(value: number): string {
  if (Number.isNaN(value)) return 'nan';
  if (!Number.isFinite(value)) return value > 0 ? 'inf' : '-inf';
  if (Object.is(value, -0)) return '-0.0';
  const [mantissa = '', expText = '0'] = value.toExponential().split('e');
  const exp = Number(expText);
  const negative = mantissa.startsWith('-');
  const digits = mantissa.replace('-', '').replace('.', '');
  const sign = negative ? '-' : '';
  if (exp < -4 || exp >= 16) {
    const frac = digits.length > 1 ? `${digits[0]}.${digits.slice(1)}` : digits;
    const expAbs = String(Math.abs(exp)).padStart(2, '0');
    return `${sign}${frac}e${exp < 0 ? '-' : '+'}${expAbs}`;
  }
  if (exp < 0) return `${sign}0.${'0'.repeat(-exp - 1)}${digits}`;
  const intPart = digits.slice(0, exp + 1).padEnd(exp + 1, '0');
  const fracPart = digits.slice(exp + 1);
  return `${sign}${intPart}.${fracPart === '' ? '0' : fracPart}`;
}

/** Characters Python's `str.isprintable()` rejects (categories C*, Z* except the ASCII space). */
const PY_NON_PRINTABLE = /[\p{Cc}\p{Cf}\p{Cs}\p{Co}\p{Cn}\p{Zl}\p{Zp}\p{Zs}]/u;

/** Python `repr(str)`: single quotes unless the text has `'` and no `"`; escapes as CPython's `unicode_repr`. */
function pyStringRepr(text: string): string {
  const quote = text.includes("'") && !text.includes('"') ? '"' : "'";
  let out = quote;
  for (const ch of text) {
    const cp = ch.codePointAt(0) ?? 0;
    if (ch === quote || ch === '\\') out += `\\${ch}`;
    else if (ch === '\t') out += '\\t';
    else if (ch === '\n') out += '\\n';
    else if (ch === '\r') out += '\\r';
    else if ((cp >= 0x20 && cp < 0x7f) || (cp > 0x7f && !PY_NON_PRINTABLE.test(ch))) out += ch;
    else if (cp <= 0xff) out += `\\x${hex(cp, 2)}`;
    else if (cp <= 0xffff) out += `\\u${hex(cp, 4)}`;
    else out += `\\U${hex(cp, 8)}`;
  }
  return out + quote;
}

function hex(n: number, width: number): string {
  return n.toString(16).padStart(width, '0');
}
