/**
 * The flag and help rules, checked over EVERY command: the command list comes
 * from `ati-client --help` and each command's flags from its own usage lines,
 * so a command added later is covered as soon as it is listed there. Rules:
 * help before or after the command, `--json` before or after, a missing value
 * names the flag, an unknown flag is named, a boolean refuses a value, a
 * command with subcommands prints its help when given none, every command
 * that calls the proxy takes `--timeout`, and no error speaks of a library
 * option name (camelCase) instead of a flag.
 *
 * To cover a new command beyond these rules, add a working invocation to
 * BASELINES: the hostile-value table then runs every flag through it.
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { RunningDevProxy } from 'ati-dev-proxy';
import { sampleFixtures, startDevProxy } from 'ati-dev-proxy';
import { COMMAND_NAMES, MAIN_HELP } from '../../src/cli/run.ts';
import { generateKeyPair } from '../../src/jws/keys.ts';
import { issueToken } from '../../src/token/issue.ts';
import { type CliResult, cli } from '../helpers/cli.ts';
import { SECRET } from '../helpers/constants.ts';

/** A command path (`['token', 'issue']`) and the flags its usage lines document. */
interface Entry {
  path: string[];
  help: string;
  valueFlags: string[];
  booleanFlags: string[];
}

/** Commands and subcommands as `ati-client --help` lists them (`token issue|inspect|validate`). */
function commandPaths(): string[][] {
  const lines = MAIN_HELP.slice(MAIN_HELP.indexOf('Commands:')).split('\n').slice(1);
  const paths = new Map<string, string[]>();
  for (const line of lines) {
    const m = /^ {2}([a-z][a-z0-9-]*)(?: +(\S+))?/.exec(line);
    if (m === null) break;
    const subs = m[2] !== undefined && /^[a-z][a-z-]*(\|[a-z][a-z-]*)*$/.test(m[2]) ? m[2].split('|') : [];
    for (const path of subs.length === 0 ? [[m[1]!]] : subs.map((s) => [m[1]!, s]))
      paths.set(path.join(' '), path);
  }
  return [...paths.values()];
}

/** The usage lines of one command in its help: the `ati-client <path>` line and its indented continuations. */
function usageBlock(help: string, path: string[]): string {
  const lines = help.split('\n');
  // The dev proxy's help is its own bin's: `ati-dev-proxy` for `ati-client dev-proxy`.
  const start = lines.findIndex((l) => new RegExp(`ati-(client |)${path.join(' ')}( |$)`).test(l));
  assert.ok(start >= 0, `the help of ${path.join(' ')} has no usage line for it`);
  const block = [lines[start]!];
  for (const line of lines.slice(start + 1)) {
    if (!/^\s+(\[|--)/.test(line)) break;
    block.push(line);
  }
  return block.join('\n');
}

async function entries(): Promise<Entry[]> {
  const out: Entry[] = [];
  for (const path of commandPaths()) {
    const r = await cli([...path, '--help']);
    assert.equal(r.code, 0, `${path.join(' ')} --help: ${r.stderr}`);
    const block = usageBlock(r.stdout, path);
    const valueFlags = new Set<string>();
    const booleanFlags = new Set<string>();
    for (const m of block.matchAll(/--([a-z][a-z0-9-]*)( (<[^>]+>|[A-Za-z0-9]+(\|[A-Za-z0-9]+)+))?/g)) {
      (m[2] === undefined ? booleanFlags : valueFlags).add(`--${m[1]}`);
    }
    booleanFlags.delete('--help');
    out.push({ path, help: r.stdout, valueFlags: [...valueFlags], booleanFlags: [...booleanFlags] });
  }
  return out;
}

function jsonError(r: CliResult): { code: string; message: string } {
  const line = JSON.parse(r.stderr) as { error: { code: string; message: string } };
  return line.error;
}

let dir: string;
let cwd: string;
let proxy: RunningDevProxy;
let table: Entry[];
const BASELINES = new Map<string, string[]>();

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'ati-cli-flags-'));
  // Hostile values of path flags (--out 0, --dest -1) land here, never in the repository.
  cwd = process.cwd();
  process.chdir(dir);
  proxy = await startDevProxy({ ...sampleFixtures, secret: SECRET });
  const keys = await generateKeyPair();
  await writeFile(join(dir, 'private.pem'), keys.privateKey);
  await writeFile(join(dir, 'public.pem'), keys.publicKey);
  const token = await issueToken({ secret: SECRET, sub: 'flags', scope: '*' });
  const session = ['--proxy-url', proxy.url, '--token', token];
  BASELINES.set('keygen', ['--out', 'baseline-keys', '--force']);
  BASELINES.set('token issue', ['--sub', 's', '--scope', 'x', '--secret', SECRET]);
  BASELINES.set('token inspect', [token]);
  BASELINES.set('token validate', [token, '--secret', SECRET]);
  BASELINES.set('provision', [
    '--agent-id',
    'a',
    '--tool',
    't',
    '--secret',
    SECRET,
    '--proxy-url',
    proxy.url,
  ]);
  BASELINES.set('skills download', ['web-search-guide', '--dest', 'dl', ...session]);
  BASELINES.set('skills listing', session);
  BASELINES.set('jwks', ['--key', join(dir, 'public.pem')]);
  BASELINES.set('dev-proxy', ['--secret', SECRET]);
  table = await entries();
});

after(async () => {
  process.chdir(cwd);
  await proxy.close();
  await rm(dir, { recursive: true, force: true });
});

describe('every command', () => {
  it('the table found the commands and their flags; every command is listed in --help', () => {
    const names = table.map((e) => e.path.join(' '));
    const listed = new Set(table.map((e) => e.path[0]));
    for (const name of COMMAND_NAMES)
      assert.ok(listed.has(name), `${name} is missing from ati-client --help`);
    for (const expected of ['keygen', 'token issue', 'token inspect', 'skills download', 'skills listing'])
      assert.ok(names.includes(expected), names.join(', '));
    const issue = table.find((e) => e.path.join(' ') === 'token issue')!;
    assert.ok(issue.valueFlags.includes('--ttl') && issue.booleanFlags.includes('--json'));
  });

  it('help: --help/-h after the command, before it, between command and subcommand, and `help <command>`', async () => {
    for (const { path, help } of table) {
      const variants = [
        [...path, '-h'],
        ['--help', ...path],
        ['-h', ...path, '--json'],
        [path[0]!, '--help', ...path.slice(1)],
        ['help', ...path],
      ];
      for (const argv of variants) {
        const r = await cli(argv);
        assert.deepEqual([r.code, r.stdout, r.stderr], [0, help, ''], argv.join(' '));
      }
    }
  });

  it('--help wins over any other mistake on the line', async () => {
    for (const { path, help, valueFlags } of table) {
      const argvs = [[...path, '--bogus-flag', '--help']];
      for (const flag of valueFlags) argvs.push([...path, flag, '--help'], [...path, '--help', flag]);
      for (const argv of argvs) {
        const r = await cli(argv);
        assert.deepEqual([r.code, r.stdout], [0, help], argv.join(' '));
      }
    }
  });

  it('an unknown flag is named, in text and with --json given before or after the command', async () => {
    for (const { path } of table) {
      const text = await cli([...path, '--bogus-flag=SECRETVALUE']);
      assert.equal(text.code, 2, path.join(' '));
      assert.match(text.stderr, /^error ERR_USAGE: Unknown option "--bogus-flag"/);
      for (const argv of [
        ['--json', ...path, '--bogus-flag'],
        [...path, '--bogus-flag', '--json'],
      ]) {
        const r = await cli(argv);
        assert.equal(r.code, 2, argv.join(' '));
        assert.deepEqual(jsonError(r).code, 'ERR_USAGE');
        assert.match(jsonError(r).message, /"--bogus-flag"/);
      }
      assert.ok(!text.stderr.includes('SECRETVALUE'));
    }
  });

  it('a flag missing its value is named, at the end of the line or followed by another flag', async () => {
    for (const { path, valueFlags } of table) {
      for (const flag of valueFlags) {
        const atEnd = await cli([...path, flag]);
        assert.equal(atEnd.code, 2, `${path.join(' ')} ${flag}`);
        assert.equal(atEnd.stderr, `error ERR_USAGE: ${flag} needs a value\n`);
        const beforeJson = await cli([...path, flag, '--json']);
        assert.equal(beforeJson.code, 2);
        assert.ok(jsonError(beforeJson).message.startsWith(`${flag} needs a value`), beforeJson.stderr);
      }
    }
  });

  it('a boolean flag given a value is named', async () => {
    for (const { path, booleanFlags } of table) {
      for (const flag of booleanFlags) {
        const r = await cli([...path, `${flag}=SECRETVALUE`]);
        assert.equal(r.code, 2, `${path.join(' ')} ${flag}`);
        assert.match(r.stderr, new RegExp(`^error ERR_USAGE: ${flag} takes no value\\n$`));
      }
    }
  });

  it('a command with subcommands prints its help when given none (stderr, exit 2), also with --json', async () => {
    const parents = [...new Set(table.filter((e) => e.path.length > 1).map((e) => e.path[0]!))];
    assert.ok(parents.includes('skills') && parents.includes('token'));
    for (const parent of parents) {
      const help = (await cli([parent, '--help'])).stdout;
      assert.match(help, /^Usage:/);
      for (const argv of [[parent], [parent, '--json'], ['--json', parent]]) {
        const r = await cli(argv);
        assert.deepEqual([r.code, r.stdout, r.stderr], [2, '', help], argv.join(' '));
      }
      const unknown = await cli([parent, 'eyJhbGciOiJIUzI1NiJ9.SECRET.sig']);
      assert.equal(unknown.code, 2);
      assert.match(unknown.stderr, /^error ERR_USAGE: Unknown \S+ command \(not shown\)/);
      assert.ok(!unknown.stderr.includes('SECRET'));
    }
  });

  it('every command that calls the proxy takes --timeout <seconds> next to --proxy-url', () => {
    // provision and token rotate only sign tokens (and print the URL); they make no request.
    const noRequest = new Set(['provision', 'token rotate']);
    for (const { path, valueFlags } of table) {
      if (!valueFlags.includes('--proxy-url') || noRequest.has(path.join(' '))) continue;
      assert.ok(valueFlags.includes('--timeout'), `${path.join(' ')} lacks --timeout`);
    }
  });

  it('the baselines work, so the hostile table below reaches the library', async () => {
    for (const { path } of table) {
      const baseline = BASELINES.get(path.join(' '));
      if (baseline === undefined) continue;
      const r = await cli([...path, ...baseline]);
      assert.equal(r.code, 0, `${path.join(' ')}: ${r.stderr}`);
    }
  });

  it('hostile flag values: usage errors speak of flags, never of library option names, and echo no secret', async () => {
    const hostile = ['', ' ', '0', '-1', '1.5', 'x y', '99999999999999999999', 'ab\u0001cd', '../x', '@'];
    // A library option name: a camelCase word standing alone (ttlSeconds, timeoutMs, agentId...).
    const libraryName = /(?<![\w/.-])[a-z]{2,}[A-Z][A-Za-z]*(?![\w/.-])/;
    // Or a bare option word where the flag belongs: "sub must be…", "token contains…".
    const bareOption = /^error \w+: [a-z]+ (must|contains|is required)/m;
    for (const { path, valueFlags } of table) {
      const baseline = BASELINES.get(path.join(' ')) ?? [];
      for (const flag of valueFlags) {
        const rest = withoutFlag(baseline, flag);
        for (const value of hostile) {
          const argv = [...path, ...rest, `${flag}=${value}`];
          const r = await cli(argv);
          const where = `${argv.join(' ')} → ${r.stderr}`;
          assert.ok(!libraryName.test(r.stderr) && !bareOption.test(r.stderr), where);
          assert.ok(!r.stderr.includes('ERR_UNEXPECTED'), where);
          assert.ok(r.code === 0 || r.stderr.startsWith('error ') || r.stderr.startsWith('INVALID '), where);
          // Key loading (src/cli/keys.ts) names the key file rather than the flag.
          if (r.code === 2)
            assert.match(
              r.stderr,
              /^error ERR_USAGE: .*(--[a-z]|ATI_[A-Z]|argument|command|key file)/,
              where,
            );
          if ((flag === '--secret' || flag === '--token') && value.length >= 4)
            assert.ok(!r.stderr.includes(value), where);
        }
      }
    }
  });
});

/** `args` without `flag` and its value. */
function withoutFlag(args: string[], flag: string): string[] {
  const out: string[] = [];
  for (let i = 0; i < args.length; i++) {
    if (args[i] === flag) i++;
    else out.push(args[i]!);
  }
  return out;
}
