/**
 * Small value helpers shared across modules. Internal: nothing here is part
 * of the public surface.
 *
 * @module
 */

/** 2^64 − 1, the largest value of Rust's `u64` (serde's integer fields, rate counts). */
export const U64_MAX = 18446744073709551615n;

/**
 * An option under its current name or its deprecated alias: whichever is
 * given; both at once must agree, else `fail(message)` is thrown.
 */
export function aliasedOption<T>(
  value: T | undefined,
  alias: T | undefined,
  names: readonly [name: string, alias: string],
  fail: (message: string) => Error,
): T | undefined {
  if (value === undefined) return alias;
  if (alias !== undefined && alias !== value) {
    throw fail(`give ${names[0]} or its deprecated alias ${names[1]}, not both`);
  }
  return value;
}

/**
 * A clock: epoch seconds, either a fixed instant (a number) or a function
 * read at each use (for a clock that moves, as a test's fake clock does). The
 * one clock type of every `now` option.
 */
export type Clock = number | (() => number);

/** Epoch seconds from `now` (not floored, not checked); the system clock when `undefined`. */
export function clockSeconds(now: Clock | undefined): number {
  return now === undefined ? Date.now() / 1000 : typeof now === 'function' ? now() : now;
}

/** A non-null, non-array object (what `JSON.parse` gives for `{…}`). */
export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The `code` of a Node system error (`'ENOENT'`, …), or `undefined` when there is none. */
export function errnoCode(error: unknown): string | undefined {
  if (typeof error !== 'object' || error === null) return undefined;
  const code: unknown = Reflect.get(error, 'code');
  return typeof code === 'string' ? code : undefined;
}

/** `obj[key] = value` that also works for a key such as `__proto__` (names that come from a server). */
export function setOwn<T>(obj: Record<string, T>, key: string, value: T): void {
  Object.defineProperty(obj, key, { value, enumerable: true, writable: true, configurable: true });
}

/** Run `fn` over `items` with at most `limit` in flight; results in input order. */
export async function mapLimit<T, R>(
  items: readonly T[],
  limit: number,
  fn: (item: T) => Promise<R>,
): Promise<R[]> {
  const out = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i]!);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return out;
}

/**
 * A promise of any realm, or any thenable: what `await` would wait for. For
 * values that come from a pluggable backend, where `instanceof Promise`
 * misses promises made in another realm (a `vm` context, an iframe).
 */
export function isPromiseLike(value: unknown): value is PromiseLike<unknown> {
  return (
    (typeof value === 'object' || typeof value === 'function') &&
    value !== null &&
    typeof (value as { then?: unknown }).then === 'function'
  );
}
