/**
 * What every CLI command gets: arguments, environment, streams and the exit
 * code, injected so tests run commands in-process with real files.
 *
 * @module
 */
import { readFile } from 'node:fs/promises';
import { type ParseArgsConfig, parseArgs } from 'node:util';
import { AtiError, UsageError } from '../errors.ts';
import { errnoCode } from '../util/values.ts';

/** A writable text stream (process.stdout/stderr or a test buffer). */
export interface Out {
  write(chunk: string): unknown;
  isTTY?: boolean | undefined;
}

/** The world a command runs in. */
export interface CliContext {
  argv: string[];
  env: Readonly<Record<string, string | undefined>>;
  stdout: Out;
  stderr: Out;
  /** Read all of standard input (for `-` token arguments). */
  readStdin: () => Promise<string>;
  /** Resolves when a long-running command (dev-proxy) should stop: SIGINT/SIGTERM in the bin. */
  waitForStop: () => Promise<void>;
}

/** The real process as a {@link CliContext}, for a bin. */
export function processContext(): CliContext {
  return {
    argv: process.argv.slice(2),
    env: process.env,
    stdout: process.stdout,
    stderr: process.stderr,
    readStdin: async () => {
      const chunks: Buffer[] = [];
      for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
      return Buffer.concat(chunks).toString('utf8');
    },
    waitForStop: () =>
      new Promise<void>((resolve) => {
        process.once('SIGINT', () => resolve());
        process.once('SIGTERM', () => resolve());
      }),
  };
}

/** A command: returns its exit code. */
export type Command = (ctx: CliContext, args: string[]) => Promise<number>;

type Options = NonNullable<ParseArgsConfig['options']>;

/** The flags every command accepts. */
export const COMMON_OPTIONS = {
  json: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const satisfies Options;

/** What {@link parse} returns for the options `O` (node's type, named so declarations can be emitted). */
export type Parsed<O extends Options> = ReturnType<
  typeof parseArgs<{
    args: string[];
    options: typeof COMMON_OPTIONS & O;
    allowPositionals: boolean;
    strict: true;
  }>
>;

/** Parse `args` strictly; unknown flags are usage errors. */
export function parse<O extends Options>(args: string[], options: O, allowPositionals = false): Parsed<O> {
  try {
    return parseArgs({ args, options: { ...COMMON_OPTIONS, ...options }, allowPositionals, strict: true });
  } catch (err) {
    // Node's messages quote the offending argument, which may be a token or a secret: never echo values.
    const code = (err as { code?: unknown }).code;
    if (code === 'ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL')
      throw new UsageError('Unexpected positional argument');
    if (code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION') {
      const flag = args.find(
        (a) =>
          a.startsWith('-') &&
          !Object.hasOwn({ ...COMMON_OPTIONS, ...options }, a.replace(/^-+/, '').split('=')[0]!),
      );
      // Only a flag-shaped name is quoted: a positional that starts with "-" (PEM text) is not one.
      const name = flag?.split('=')[0];
      throw new UsageError(
        name !== undefined && /^--?[A-Za-z0-9][A-Za-z0-9-]{0,40}$/.test(name)
          ? `Unknown option ${JSON.stringify(name)}`
          : 'Unknown option',
      );
    }
    if (code === 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE')
      throw new UsageError('An option is missing its value or has one it does not take');
    throw new UsageError('Invalid arguments');
  }
}

/** A non-empty env value, or `undefined`. */
export function envValue(ctx: CliContext, name: string): string | undefined {
  const v = ctx.env[name];
  return v === undefined || v === '' ? undefined : v;
}

/**
 * Read the file named by flag or variable `source`. Errors name the source and
 * the errno code only: the "path" may be a secret pasted in the wrong place.
 */
export async function readTextFile(path: string, source: string): Promise<string> {
  try {
    return await readFile(path, 'utf8');
  } catch (err) {
    throw new UsageError(`Cannot read the file named by ${source}: ${errnoCode(err) ?? 'error'}`);
  }
}

/** A token from a positional argument, `-` for stdin. */
export async function tokenArgument(ctx: CliContext, positionals: string[]): Promise<string> {
  if (positionals.length !== 1)
    throw new UsageError('Expected exactly one <token> argument (or - to read stdin)');
  const raw = positionals[0] === '-' ? await ctx.readStdin() : positionals[0]!;
  return raw.trim();
}

/** Print an error as `error <CODE>: message`; returns the exit code (2 usage, 1 otherwise). */
export function reportError(ctx: CliContext, err: unknown, json: boolean): number {
  const code = err instanceof AtiError ? err.code : 'ERR_UNEXPECTED';
  const message = err instanceof Error ? err.message : String(err);
  if (json) ctx.stderr.write(`${JSON.stringify({ error: { code, message } })}\n`);
  else ctx.stderr.write(`error ${code}: ${message}\n`);
  return err instanceof UsageError ? 2 : 1;
}

/** Stable JSON output: 2-space indent, trailing newline. */
export function printJson(ctx: CliContext, value: unknown): void {
  ctx.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
}

/** Repeated `--rate <pattern>=<spec>` flags as a map (split at the first `=`, as `ati token issue` does). */
export function rateFlags(entries: string[] | undefined): Record<string, string> | undefined {
  if (entries === undefined || entries.length === 0) return undefined;
  const rate: Record<string, string> = {};
  for (const entry of entries) {
    const i = entry.indexOf('=');
    if (i <= 0) throw new UsageError(`--rate expects <pattern>=<spec>, got ${JSON.stringify(entry)}`);
    rate[entry.slice(0, i)] = entry.slice(i + 1);
  }
  return rate;
}
