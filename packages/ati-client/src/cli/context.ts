/**
 * What every CLI command gets: arguments, environment, streams and the exit
 * code, injected so tests run commands in-process with real files.
 *
 * @module
 */
import { readFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { AtiError, ProxyError, UsageError } from '../errors.ts';
import { errnoCode, setOwn } from '../util/values.ts';
import { checkArgs, GLOBAL_FLAGS, isHelpFlag, type Options, shownName } from './args.ts';

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
  /**
   * The line printed under a 401 from the proxy: where the credential was
   * looked for. A command that connects sets it; unset, the session-token
   * sources are named.
   */
  authHint?: string | undefined;
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

/** The flags every command accepts (before or after the command name: `runCli` moves them). */
export const COMMON_OPTIONS = {
  json: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const satisfies Options;

/** What {@link parse} returns: `parseArgs`'s result for the common options and `O`. */
export type Parsed<O extends Options> = ReturnType<
  typeof parseArgs<{
    args: string[];
    options: typeof COMMON_OPTIONS & O;
    allowPositionals: boolean;
    strict: true;
  }>
>;

/**
 * Parse `args` strictly: unknown flags, missing values and stray positionals
 * are usage errors that name the flag and never echo a value. A standalone
 * `--help`/`-h` wins over any other mistake: the result then holds only
 * `help: true`, so commands check `values.help` first.
 */
export function parse<O extends Options>(args: string[], options: O, allowPositionals = false): Parsed<O> {
  const all = { ...COMMON_OPTIONS, ...options };
  const help = checkArgs(args, all, allowPositionals);
  try {
    return parseArgs({ args: help ? ['--help'] : args, options: all, allowPositionals, strict: true });
  } catch {
    // checkArgs refuses everything strict parseArgs does; this is a backstop whose message quotes nothing.
    throw new UsageError('Invalid arguments; see --help');
  }
}

/** A non-empty env value, or `undefined`. */
export function envValue(ctx: CliContext, name: string): string | undefined {
  const v = ctx.env[name];
  return v === undefined || v === '' ? undefined : v;
}

/** Read the file named by flag or variable `source`; errors name the source and errno only (the path may be a secret). */
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

/** Where a sandbox command looks for its session token, in order (contract §6, plus `--token`). */
export const SESSION_TOKEN_SOURCES =
  '--token, else ATI_SESSION_TOKEN, else the file named by ATI_SESSION_TOKEN_FILE, else /run/ati/session_token';

/**
 * Print an error as `error <CODE>: message` (or `{"error":{code,message}}`
 * with `--json`); a 401 from the proxy adds a `hint` line naming where the
 * credential is looked for. Returns the exit code: 2 usage, 1 otherwise.
 */
export function reportError(ctx: CliContext, err: unknown, json: boolean): number {
  const code = err instanceof AtiError ? err.code : 'ERR_UNEXPECTED';
  // Not String(err): a thrown non-Error could be anything, a token included.
  const message = err instanceof Error ? err.message : 'Unexpected failure';
  const hint =
    err instanceof ProxyError && err.status === 401
      ? (ctx.authHint ?? `the proxy wants a valid session token, looked for in ${SESSION_TOKEN_SOURCES}`)
      : undefined;
  if (json) ctx.stderr.write(`${JSON.stringify({ error: { code, message, hint } })}\n`);
  else ctx.stderr.write(`error ${code}: ${message}\n${hint === undefined ? '' : `hint: ${hint}\n`}`);
  return err instanceof UsageError ? 2 : 1;
}

/**
 * A command with subcommands (`token issue|inspect|…`). `--help` prints
 * `help` (exit 0); no subcommand prints it on stderr (exit 2, as clap's
 * `arg_required_else_help` does); an unknown one is a usage error. Global
 * flags given before the subcommand have already been moved after it by
 * `runCli`.
 */
export function subcommands(name: string, help: string, table: Readonly<Record<string, Command>>): Command {
  return async (ctx, args) => {
    const [sub, ...rest] = args;
    if (sub === undefined || GLOBAL_FLAGS.has(sub)) {
      const asked = args.some(isHelpFlag);
      (asked ? ctx.stdout : ctx.stderr).write(help);
      return asked ? 0 : 2;
    }
    const run = Object.hasOwn(table, sub) ? table[sub] : undefined;
    if (run === undefined)
      throw new UsageError(`Unknown ${name} command ${shownName(sub)}; run ati-client ${name} --help`);
    return run(ctx, rest);
  };
}

/**
 * A whole number of seconds from `flag`, in [min, max]; `undefined` when not given.
 *
 * @throws {UsageError} naming the flag (never the library option it feeds).
 */
export function secondsFlag(
  value: string | undefined,
  flag: string,
  min = 1,
  max = MAX_SECONDS,
): number | undefined {
  if (value === undefined) return undefined;
  const n = /^[0-9]{1,16}$/.test(value) ? Number(value) : Number.NaN;
  if (!(n >= min)) throw new UsageError(`${flag} must be a whole number of seconds, at least ${min}`);
  if (n > max) throw new UsageError(`${flag} is too large (at most ${max} seconds)`);
  return n;
}

/** Largest `--ttl`: `iat + ttl` must stay a safe integer while `iat` is below 2^34 (the year 2514). */
export const MAX_SECONDS = 2 ** 53 - 1 - 2 ** 34;

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
    if (i <= 0) throw new UsageError('--rate expects <pattern>=<spec>');
    // setOwn: a `__proto__` pattern is a pattern like any other, not a prototype switch.
    setOwn(rate, entry.slice(0, i), entry.slice(i + 1));
  }
  return rate;
}
