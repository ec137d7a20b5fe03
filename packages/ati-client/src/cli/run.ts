/**
 * The CLI dispatcher: `ati-client <command> ...`. No business logic lives
 * here; commands call the library.
 *
 * @module
 */
import { readFileSync } from 'node:fs';
import { AtiError, UsageError } from '../errors.ts';
import { GLOBAL_FLAGS, hoistGlobalFlags, isHelpFlag, shownName } from './args.ts';
import { type CliContext, type Command, reportError } from './context.ts';

/** Commands load on demand: `--help` and `token` never load the dev proxy or the HTTP client. */
const COMMANDS: Readonly<Record<string, () => Promise<Command>>> = {
  keygen: async () => (await import('./keygen.ts')).keygen,
  token: async () => (await import('./token.ts')).token,
  provision: async () => (await import('./provision.ts')).provision,
  skills: async () => (await import('./skills.ts')).skills,
  jwks: async () => (await import('./jwks.ts')).jwks,
  keyring: async () => (await import('./keyring.ts')).keyring,
  'dev-proxy': loadDevProxy,
};

/** The dev proxy is its own package (`ati-dev-proxy`), installed as a dev dependency when wanted. */
async function loadDevProxy(): Promise<Command> {
  // A computed specifier: the SDK neither depends on the dev proxy nor resolves it at build time.
  const specifier = ['ati-dev-proxy', 'cli'].join('/');
  let mod: { devProxy?: unknown };
  try {
    mod = (await import(specifier)) as { devProxy?: unknown };
  } catch (err) {
    const code = (err as { code?: unknown }).code;
    if (code !== 'ERR_MODULE_NOT_FOUND' || !String((err as Error).message).includes('ati-dev-proxy'))
      throw err;
    throw new AtiError(
      'ERR_DEV_PROXY_NOT_INSTALLED',
      'The dev proxy is a separate package: install it with `npm install --save-dev ati-dev-proxy`',
    );
  }
  if (typeof mod.devProxy !== 'function') {
    throw new AtiError('ERR_DEV_PROXY_NOT_INSTALLED', 'The installed ati-dev-proxy has no CLI command');
  }
  return mod.devProxy as Command;
}

/** Every command name, for tests that check each is listed in {@link MAIN_HELP}. @internal */
export const COMMAND_NAMES: readonly string[] = Object.keys(COMMANDS);

export const MAIN_HELP = `Usage: ati-client <command> [options]

Commands:
  keygen [--algorithm ES256|HS256] [--out <dir>]   generate signing keys (like \`ati token keygen\`), or key files
  token issue|inspect|validate|rotate              session tokens (like \`ati token\`); rotate keeps a token file fresh
  provision --agent-id <id> ...                    issue a sandbox token and print its env vars
  skills download|listing                          download skills atomically; print the skill listing
  jwks [--key <public.pem>]                        print the JWKS for an ES256 public key
  keyring seal|open                                write or check ati's local-mode keyring (keyring.enc + key)
  dev-proxy [--port <n>]                           run the dev proxy (needs the ati-dev-proxy package)

Global options, before or after the command: --json (stable JSON output and errors), --help (-h).
Also: ati-client help <command>, ati-client --version.
Commands that call the proxy take --proxy-url <url> (else ATI_PROXY_URL) and --timeout <seconds> (default 30).
Env: ATI_JWT_SECRET, ATI_JWT_PRIVATE_KEY, ATI_JWT_PUBLIC_KEY, ATI_JWT_ISSUER, ATI_JWT_AUDIENCE, ATI_PROXY_URL,
     ATI_SESSION_TOKEN, ATI_SESSION_TOKEN_FILE.
Exit codes: 0 ok, 1 failure or rejected token, 2 usage error.
`;

function version(): string {
  try {
    const pkg: unknown = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8'));
    if (typeof pkg === 'object' && pkg !== null && 'version' in pkg && typeof pkg.version === 'string')
      return pkg.version;
  } catch {
    // fall through
  }
  return 'unknown';
}

/**
 * Run the CLI with `argv` (without `node` and the script path).
 *
 * @returns The exit code: 0 ok, 1 failure or rejected token, 2 usage error.
 */
export async function runCli(argv: string[], ctx: Omit<CliContext, 'argv'>): Promise<number> {
  const full: CliContext = { ...ctx, argv };
  // `help <command>...` is `<command>... --help`; global flags may come before the command.
  const args = hoistGlobalFlags(argv[0] === 'help' && argv.length > 1 ? [...argv.slice(1), '--help'] : argv);
  const [name, ...rest] = args;
  const json = args.includes('--json');
  const first = args.find((a) => !GLOBAL_FLAGS.has(a));
  if (first === '--version' || first === '-v') {
    ctx.stdout.write(`${version()}\n`);
    return 0;
  }
  if (name === undefined || GLOBAL_FLAGS.has(name) || name === 'help') {
    // Asked for help: stdout, exit 0. No command at all: a usage error, help on stderr.
    const asked = name === 'help' || args.some(isHelpFlag);
    (asked ? ctx.stdout : ctx.stderr).write(MAIN_HELP);
    return asked ? 0 : 2;
  }
  const load = Object.hasOwn(COMMANDS, name) ? COMMANDS[name] : undefined;
  if (load === undefined) {
    const what = name.startsWith('-') ? 'option' : 'command';
    return reportError(
      full,
      new UsageError(`Unknown ${what} ${shownName(name)}; run ati-client --help`),
      json,
    );
  }
  try {
    return await (await load())(full, rest);
  } catch (err) {
    return reportError(full, err, json);
  }
}
