/**
 * The CLI dispatcher: `ati-client <command> ...`. No business logic lives
 * here; commands call the library.
 *
 * @module
 */
import { readFileSync } from 'node:fs';
import { UsageError } from '../errors.ts';
import { type CliContext, type Command, reportError } from './context.ts';

/** Commands load on demand: `--help` and `token` never load the dev proxy or the HTTP client. */
const COMMANDS: Readonly<Record<string, () => Promise<Command>>> = {
  keygen: async () => (await import('./keygen.ts')).keygen,
  token: async () => (await import('./token.ts')).token,
  provision: async () => (await import('./provision.ts')).provision,
  skills: async () => (await import('./skills.ts')).skills,
  jwks: async () => (await import('./jwks.ts')).jwks,
  'dev-proxy': async () => (await import('./dev-proxy.ts')).devProxy,
  keys: async () => (await import('./admin-keys.ts')).adminKeys,
};

export const MAIN_HELP = `Usage: ati-client <command> [options]

Commands:
  keygen [--algorithm ES256|HS256]        generate signing keys (like \`ati token keygen\`)
  token issue|inspect|validate            issue, decode or verify session tokens (like \`ati token\`)
  provision --agent-id <id> ...           issue a sandbox token and print its env vars
  skills download <names...> --dest <d>   download skills into a directory, atomically
  skills listing [--search <terms>]       print the skill listing for an agent's prompt
  jwks [--key <public.pem>]               print the JWKS for an ES256 public key
  dev-proxy [--port <n>]                  run an ATI-compatible dev proxy with sample fixtures
  keys issue|get|revoke|bulk-revoke|list  manage virtual keys through the proxy admin API (ATI_ADMIN_TOKEN)

Global options: --json (stable JSON output), --help, --version.
Env: ATI_JWT_SECRET, ATI_JWT_PRIVATE_KEY, ATI_JWT_PUBLIC_KEY, ATI_JWT_ISSUER, ATI_JWT_AUDIENCE, ATI_PROXY_URL,
     ATI_SESSION_TOKEN, ATI_SESSION_TOKEN_FILE, ATI_ADMIN_TOKEN.
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
  const [name, ...rest] = argv;
  const json = argv.includes('--json');
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    (name === undefined ? ctx.stderr : ctx.stdout).write(MAIN_HELP);
    return name === undefined ? 2 : 0;
  }
  if (name === '--version' || name === '-v') {
    ctx.stdout.write(`${version()}\n`);
    return 0;
  }
  const load = Object.hasOwn(COMMANDS, name) ? COMMANDS[name] : undefined;
  if (load === undefined) {
    return reportError(
      full,
      new UsageError(`Unknown command ${JSON.stringify(name)}; run ati-client --help`),
      json,
    );
  }
  try {
    return await (await load())(full, rest);
  } catch (err) {
    return reportError(full, err, json);
  }
}
