/**
 * Rate-limit specs, with exactly the proxy's grammar (`core/rate.rs`,
 * contract §3).
 *
 * @module
 */
import { TokenError } from '../errors.ts';
import { rustTrim } from '../text/rust.ts';
import { U64_MAX } from '../util/values.ts';

/** A parsed rate spec. */
export interface RateSpec {
  /** Calls allowed per window. `0` rejects every call. */
  readonly count: number;
  /** Window length in seconds: 1, 60, 3600 or 86400. */
  readonly windowSeconds: number;
}

const UNITS: ReadonlyMap<string, number> = new Map([
  ['s', 1],
  ['sec', 1],
  ['second', 1],
  ['m', 60],
  ['min', 60],
  ['minute', 60],
  ['h', 3600],
  ['hr', 3600],
  ['hour', 3600],
  ['d', 86400],
  ['day', 86400],
]);

/**
 * `spec` read with the proxy's grammar (`core/rate.rs`): the count as the
 * proxy's `u64` and the window in seconds, or why it is not a valid spec.
 */
function readSpec(spec: string): { count: bigint; windowSeconds: number } | string {
  const parts = spec.split('/');
  if (parts.length !== 2) return "expected '<count>/<unit>'";
  const [countText, unitText] = parts as [string, string];
  if (!/^\+?[0-9]+$/.test(countText)) return 'count must be an unsigned integer';
  const count = BigInt(countText.replace(/^\+/, ''));
  if (count > U64_MAX) return 'count is out of range';
  const windowSeconds = UNITS.get(rustTrim(unitText));
  if (windowSeconds === undefined) {
    return 'unit must be one of s, sec, second, m, min, minute, h, hr, hour, d, day';
  }
  return { count, windowSeconds };
}

const MAX_SAFE = BigInt(Number.MAX_SAFE_INTEGER);

/** {@link readSpec} with our one restriction (a count a JS number holds exactly): the spec, or why not. */
function checkSpec(spec: string): RateSpec | string {
  const read = readSpec(spec);
  if (typeof read === 'string') return read;
  if (read.count > MAX_SAFE) return 'count is larger than 2^53 - 1';
  return Object.freeze({ count: Number(read.count), windowSeconds: read.windowSeconds });
}

/**
 * A spec as the proxy reads it, for code that must mirror the proxy (the dev
 * proxy's rate limiter): counts above 2^53 − 1 are valid there, and since no
 * window can reach them they come back as `Infinity`. `undefined` when the
 * proxy would refuse the spec.
 */
export function proxyRateSpec(spec: unknown): RateSpec | undefined {
  if (typeof spec !== 'string') return undefined;
  const read = readSpec(spec);
  if (typeof read === 'string') return undefined;
  const count = read.count > MAX_SAFE ? Number.POSITIVE_INFINITY : Number(read.count);
  return Object.freeze({ count, windowSeconds: read.windowSeconds });
}

function invalid(spec: string, why: string, pattern?: string): TokenError {
  const where = pattern === undefined ? '' : ` for ${JSON.stringify(pattern)}`;
  return new TokenError('ERR_RATE_SPEC_INVALID', `Invalid rate spec ${JSON.stringify(spec)}${where}: ${why}`);
}

/**
 * Parse a rate spec like `10/hour`, exactly as the proxy does: the count is
 * an unsigned decimal (optional `+`, leading zeros allowed, no spaces), the
 * unit is trimmed and case-sensitive: `s|sec|second`, `m|min|minute`,
 * `h|hr|hour`, `d|day`.
 *
 * Counts above 2^53 − 1 are valid for the proxy (u64) but are rejected here
 * as they cannot be represented exactly; any such limit is unreachable anyway.
 *
 * @throws {TokenError} `ERR_RATE_SPEC_INVALID`, naming the spec.
 * @example
 * ```ts
 * parseRateSpec('10/hour'); // { count: 10, windowSeconds: 3600 }
 * parseRateSpec('10/Hour'); // throws ERR_RATE_SPEC_INVALID
 * ```
 */
export function parseRateSpec(spec: string): RateSpec {
  if (typeof spec !== 'string') throw new TokenError('ERR_RATE_SPEC_INVALID', 'Rate spec must be a string');
  const checked = checkSpec(spec);
  if (typeof checked === 'string') throw invalid(spec, checked);
  return checked;
}

/**
 * Validate a whole `ati.rate` map (pattern → spec). The proxy silently drops
 * **every** limit of a token when one spec is bad, so this throws naming the
 * first bad pattern.
 *
 * @throws {TokenError} `ERR_RATE_SPEC_INVALID`.
 * @example
 * ```ts
 * parseRateMap({ 'tool:github:*': '10/hour' }); // Map { 'tool:github:*' => { count: 10, windowSeconds: 3600 } }
 * ```
 */
export function parseRateMap(rate: Readonly<Record<string, string>>): Map<string, RateSpec> {
  const out = new Map<string, RateSpec>();
  // rateEntries has checked every spec; checkSpec cannot fail here.
  for (const [pattern, spec] of rateEntries(rate)) out.set(pattern, checkSpec(spec) as RateSpec);
  return out;
}

/** The usual spec (`10/hour`): certainly valid, checked with one regex and no allocation. */
const COMMON_SPEC = /^[0-9]{1,15}\/(?:s|sec|second|m|min|minute|h|hr|hour|d|day)$/;

/**
 * Validate a rate map exactly as {@link parseRateMap} does and return its
 * entries (the issuer's hot path serializes them without building specs).
 *
 * @throws {TokenError} `ERR_RATE_SPEC_INVALID`, naming the first bad pattern.
 */
export function rateEntries(rate: Readonly<Record<string, string>>): [string, string][] {
  // Only plain objects: Object.entries of a Map (or any class instance) is [], which would
  // silently issue a token without any of the caller's limits.
  const proto: unknown = rate === null || typeof rate !== 'object' ? undefined : Object.getPrototypeOf(rate);
  if (Array.isArray(rate) || (proto !== Object.prototype && proto !== null)) {
    throw new TokenError('ERR_RATE_SPEC_INVALID', 'rate must be an object mapping scope patterns to specs');
  }
  const entries = Object.entries(rate);
  for (const [pattern, spec] of entries) {
    if (typeof spec === 'string' && COMMON_SPEC.test(spec)) continue;
    if (typeof spec !== 'string') {
      throw new TokenError(
        'ERR_RATE_SPEC_INVALID',
        `Rate spec for ${JSON.stringify(pattern)} must be a string`,
      );
    }
    const checked = checkSpec(spec);
    if (typeof checked === 'string') throw invalid(spec, checked, pattern);
  }
  return entries;
}

/**
 * Render a window the way the proxy's 429 message does: `second`, `minute`,
 * `hour`, `day`, or `<n>s`.
 *
 * @example
 * ```ts
 * formatWindow(3600); // 'hour'
 * formatWindow(90);   // '90s'
 * ```
 */
export function formatWindow(windowSeconds: number): string {
  switch (windowSeconds) {
    case 1:
      return 'second';
    case 60:
      return 'minute';
    case 3600:
      return 'hour';
    case 86400:
      return 'day';
    default:
      return `${windowSeconds}s`;
  }
}
