/**
 * Process warnings that work on every runtime: `process.emitWarning` where it
 * exists (Node, Bun, Deno), `console.warn` elsewhere. `process` is read off
 * `globalThis` so the `.` entry loads in browsers and workers.
 *
 * @module
 */

interface WarningEmitter {
  emitWarning?: (message: string, options: { type?: string; code: string }) => void;
}

/** Emit a warning with a stable `code` (and an optional `type`, e.g. `DeprecationWarning`). */
export function emitWarning(message: string, code: string, type?: string): void {
  const proc = (globalThis as { process?: WarningEmitter }).process;
  if (typeof proc?.emitWarning === 'function') {
    proc.emitWarning(message, type === undefined ? { code } : { type, code });
  } else {
    console.warn(`${type === undefined ? '' : `${type} `}[${code}]: ${message}`);
  }
}
