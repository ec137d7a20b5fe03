/**
 * `ati-client keyring seal|open`: write and check `ati`'s local-mode keyring
 * (contract §8). Values are never printed unless `--reveal` asks for them.
 *
 * @module
 */
import { KeyringError, UsageError } from '../errors.ts';
import { readLocalKeyring, writeLocalKeyring } from '../node/keyring-files.ts';
import { isRecord } from '../util/values.ts';
import { type CliContext, type Command, parse, printJson, readTextFile, subcommands } from './context.ts';
import { modeFlag } from './rotate.ts';

export const KEYRING_HELP = `Usage:
  ati-client keyring seal --in <entries.json|-> --out <ati_dir> [--key-file <path> | --persistent] [--mode <octal>] [--json]
  ati-client keyring open <ati_dir> [--key-file <path>] [--reveal] [--json]

seal  Read a JSON object of name → string (--in -: stdin) and write <ati_dir>/keyring.enc, sealed with a fresh
      AES-256-GCM key, then the key: to --key-file, else ATI_KEY_FILE, else /run/ati/.key (a one-time key: ati
      deletes it on its first load), or to <ati_dir>/.keyring-key with --persistent (read on every load). Files
      are written atomically with mode 600 (--mode to change). Prints where they went, never a value or the key.
open  Decrypt <ati_dir>/keyring.enc with --key-file (default <ati_dir>/.keyring-key, left in place) and list
      the entries. Values are masked unless --reveal.
`;

/** The entries of `--in`; a parse error says where, never what (the file holds secrets). */
async function readEntries(ctx: CliContext, path: string): Promise<Record<string, string>> {
  // The path is never quoted: a secret pasted in its place must not be echoed.
  const text = path === '-' ? await ctx.readStdin() : await readTextFile(path, '--in');
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new KeyringError('ERR_KEYRING_ENTRY_INVALID', '--in is not valid JSON');
  }
  if (!isRecord(parsed)) {
    throw new KeyringError('ERR_KEYRING_ENTRY_INVALID', '--in must hold a JSON object');
  }
  return parsed as Record<string, string>;
}

async function seal(ctx: CliContext, args: string[]): Promise<number> {
  const { values } = parse(args, {
    in: { type: 'string' },
    out: { type: 'string' },
    'key-file': { type: 'string' },
    persistent: { type: 'boolean' },
    mode: { type: 'string' },
  });
  if (values.help) {
    ctx.stdout.write(KEYRING_HELP);
    return 0;
  }
  if (values.in === undefined) throw new UsageError('--in is required (a JSON file, or - for stdin)');
  if (values.out === undefined || values.out === '') throw new UsageError('--out <ati_dir> is required');
  if (values.persistent && values['key-file'] !== undefined) {
    throw new UsageError('Give --key-file or --persistent, not both');
  }
  const mode = modeFlag(values.mode);
  const entries = await readEntries(ctx, values.in);
  const files = await writeLocalKeyring(values.out, entries, {
    sessionKeyPath: values['key-file'],
    persistentKey: values.persistent === true,
    mode,
    env: ctx.env,
  });
  const names = Object.keys(entries).length;
  if (values.json) {
    printJson(ctx, { keyringPath: files.keyringPath, keyPath: files.keyPath, entries: names });
  } else {
    const kind = values.persistent ? 'persistent key' : 'one-time key';
    ctx.stdout.write(`sealed ${names} entries into ${files.keyringPath}\n${kind}: ${files.keyPath}\n`);
  }
  return 0;
}

async function open(ctx: CliContext, args: string[]): Promise<number> {
  const { values, positionals } = parse(
    args,
    { 'key-file': { type: 'string' }, reveal: { type: 'boolean' } },
    true,
  );
  if (values.help) {
    ctx.stdout.write(KEYRING_HELP);
    return 0;
  }
  if (positionals.length !== 1) throw new UsageError('Expected exactly one <ati_dir> argument');
  const entries = await readLocalKeyring(positionals[0]!, { keyPath: values['key-file'] });
  const names = Object.keys(entries).sort();
  const reveal = values.reveal === true;
  if (values.json) {
    printJson(ctx, {
      entries: names.map((name) => ({
        name,
        length: [...entries[name]!].length,
        ...(reveal ? { value: entries[name] } : {}),
      })),
    });
    return 0;
  }
  for (const name of names) {
    const value = entries[name]!;
    ctx.stdout.write(`${name.padEnd(30)} ${reveal ? value : `******** (${[...value].length} chars)`}\n`);
  }
  if (names.length === 0) ctx.stdout.write('(no entries)\n');
  return 0;
}

/** `ati-client keyring`. */
export const keyring: Command = subcommands('keyring', KEYRING_HELP, { seal, open });
