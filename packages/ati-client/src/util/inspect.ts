/**
 * Custom `inspect()` hooks, so objects that hold a secret print without it.
 * Symbols from the global registry, so no `node:util` import: Node and Bun
 * read `nodejs.util.inspect.custom`; Deno reads `Deno.customInspect`, which is
 * defined only where `Deno.inspect` with `getters: true` would otherwise call
 * a getter that returns a secret (private fields never print). Internal.
 *
 * @module
 */

/** Node's and Bun's custom-inspect hook. */
export const INSPECT: unique symbol = Symbol.for('nodejs.util.inspect.custom');
/** Deno's custom-inspect hook. */
export const DENO_INSPECT: unique symbol = Symbol.for('Deno.customInspect');

/**
 * `Name { proxyUrl: "…" }`: all a client shows of itself. Its credentials sit
 * in `#private` fields, which no inspector prints; this keeps it that way if
 * a field ever becomes public.
 */
export function urlOnly(owner: { readonly proxyUrl: string }): string {
  return `${owner.constructor.name} { proxyUrl: ${JSON.stringify(owner.proxyUrl)} }`;
}
