/**
 * `ati-client/internal/cli`: the command-line helpers the dev proxy's CLI
 * (`ati-dev-proxy`, `ati-client dev-proxy`) shares with `ati-client`'s own:
 * argument parsing, the process context, JSON output, error reporting, key
 * flags. Node only (`node:fs`, `node:util`); kept apart from
 * `ati-client/internal` so the fetch handler never reaches them.
 *
 * Not a public API: no semver promise.
 *
 * @module
 */

export {
  type CliContext,
  type Command,
  envValue,
  parse,
  printJson,
  processContext,
  reportError,
} from './cli/context.ts';
export { envAudience, envIssuer, verifyingKey } from './cli/keys.ts';
