/**
 * The CLI dispatcher: `ati-client <command> ...`. No business logic lives
 * here; commands call the library.
 *
 * @module
 */
import { readFileSync } from 'node:fs';
import { UsageError } from '../errors.ts';
import { GLOBAL_FLAGS, hoistGlobalFlags, isHelpFlag, shownName } from './args.ts';
import { type CliContext, type Command, reportError } from './context.ts';

/** Commands load on demand: `--help` and `token` never load the dev proxy or the HTTP client. */
const COMMANDS: Readonly<Record<string, () => Promise<Command>>> = {
  keygen: async () => (await import('./keygen.ts')).keygen,
  token: async () => (await import('./token.ts')).token,
  provision: async () => (await import('./provision.ts')).provision,
  skills: async () => (await import('./skills.ts')).skills,
  jwks: async () => (await import('./jwks.ts')).jwks,
  'dev-proxy': async () => (await import('./dev-proxy.ts')).devProxy,
};

/** Every command name, for tests that check each is listed in {@link MAIN_HELP}. @internal */
export const COMMAND_NAMES: readonly string[] = Object.keys(COMMANDS);

export const MAIN_HELP = `Usage: ati-client <command> [options]

Commands:
  keygen [--algorithm ES256|HS256] [--out <dir>]   generate signing keys (like \`ati token keygen\`), or key files
  token issue|inspect|validate                     issue, decode or verify session tokens (like \`ati token\`)
  provision --agent-id <id> ...                    issue a sandbox token and print its env vars
  skills download|listing                          download skills atomically; print the skill listing
  jwks [--key <public.pem>]                        print the JWKS for an ES256 public key
  dev-proxy [--port <n>]                           run an ATI-compatible dev proxy with sample fixtures

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
