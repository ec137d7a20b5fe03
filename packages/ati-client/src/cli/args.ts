/**
 * Argument rules every command inherits through `parse` and `runCli`: global
 * flags anywhere, `--help` winning over other mistakes, and usage errors that
 * name the flag but never echo a value (a value may be a token or a secret).
 *
 * @module
 */
import { type ParseArgsConfig, parseArgs } from 'node:util';
import { UsageError } from '../errors.ts';

/** Option definitions as `node:util` `parseArgs` takes them. */
export type Options = NonNullable<ParseArgsConfig['options']>;

/** Flags every command accepts, before or after the command name. */
export const GLOBAL_FLAGS: ReadonlySet<string> = new Set(['--json', '--help', '-h']);

/** Is `arg` a standalone help flag. */
export function isHelpFlag(arg: string | undefined): boolean {
  return arg === '--help' || arg === '-h';
}

/**
 * Move global flags out of the command path (`ati-client --json skills listing`,
 * `ati-client token --help issue`) to just after it, where the command's own
 * parser reads them. The path is the leading run of words; everything from
 * the first other flag on is left as it is.
 */
export function hoistGlobalFlags(argv: readonly string[]): string[] {
  const path: string[] = [];
  const globals: string[] = [];
  let i = 0;
  for (; i < argv.length; i++) {
    const arg = argv[i]!;
    if (GLOBAL_FLAGS.has(arg)) globals.push(arg);
    else if (arg.startsWith('-') && arg !== '-') break;
    else path.push(arg);
  }
  // Right after the path, so a trailing flag that lacks its value cannot swallow one.
  return [...path, ...globals, ...argv.slice(i)];
}

/** A command or flag name as typed, quoted, when it looks like one; otherwise not shown (it may be a token). */
export function shownName(arg: string): string {
  return /^-{0,2}[A-Za-z0-9][A-Za-z0-9_-]{0,39}$/.test(arg) ? JSON.stringify(arg) : '(not shown)';
}

/** Edit distance, for "did you mean". Names are short, so the quadratic table is fine. */
function distance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    for (let j = 1; j <= b.length; j++) {
      row[j] = Math.min(prev[j]! + 1, row[j - 1]! + 1, prev[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    prev = row;
  }
  return prev[b.length]!;
}

/** `; did you mean --x?` for the closest known flag within two edits (or a prefix), else ''. */
export function didYouMean(name: string, known: readonly string[]): string {
  let best: string | undefined;
  let bestDistance = 3;
  for (const candidate of known) {
    const d = candidate.startsWith(name) && name.length >= 2 ? 1 : distance(name, candidate);
    if (d < bestDistance) {
      best = candidate;
      bestDistance = d;
    }
  }
  return best === undefined ? '' : `; did you mean --${best}?`;
}

function unknownOption(rawName: string, options: Options): UsageError {
  const name = rawName.replace(/^-+/, '');
  const hint = rawName.startsWith('--') ? didYouMean(name, Object.keys(options)) : '';
  return new UsageError(`Unknown option ${shownName(rawName)}${hint}`);
}

/** A value that `parseArgs` (strict) refuses as ambiguous: it looks like another flag. */
function optionLike(value: string): boolean {
  return value.length > 1 && value.startsWith('-');
}

/**
 * Check `args` against `options` the way strict `parseArgs` would, but with
 * messages that name the flag (`--ttl needs a value`) and never quote a value.
 *
 * @returns `true` when a standalone `--help`/`-h` was given: help wins over any other mistake.
 * @throws {UsageError} `ERR_USAGE` for the first mistake, in argument order.
 */
export function checkArgs(args: string[], options: Options, allowPositionals: boolean): boolean {
  const { tokens } = parseArgs({ args, options, strict: false, allowPositionals: true, tokens: true });
  let error: UsageError | undefined;
  let help = false;
  for (const token of tokens) {
    if (token.kind === 'option-terminator') continue; // what follows comes as positionals
    if (token.kind === 'positional') {
      if (!allowPositionals)
        error ??= new UsageError('Unexpected argument (not shown: it may be a secret); see --help');
      continue;
    }
    const flag = `--${token.name}`;
    const spec = Object.hasOwn(options, token.name) ? options[token.name] : undefined;
    if (spec === undefined) {
      error ??= unknownOption(token.rawName, options);
    } else if (spec.type === 'boolean') {
      if (token.name === 'help' && isHelpFlag(args[token.index])) help = true;
      else if (token.value !== undefined) error ??= new UsageError(`${flag} takes no value`);
    } else if (token.value === undefined) {
      error ??= new UsageError(`${flag} needs a value`);
    } else if (!token.inlineValue && optionLike(token.value)) {
      // `--sub --help` and `--ttl -5`: strict parseArgs refuses both as ambiguous.
      if (isHelpFlag(token.value)) help = true;
      error ??= new UsageError(
        `${flag} needs a value (to give one that starts with "-", write ${flag}=<value>)`,
      );
    }
  }
  if (help) return true;
  if (error !== undefined) throw error;
  return false;
}
