/**
 * `ati-client provision`: issue a sandbox token and print its env vars.
 *
 * @module
 */
import { UsageError } from '../errors.ts';
import { AtiOrchestrator, type ProvisionSandboxOptions } from '../orchestrator.ts';
import { RUST_WHITESPACE } from '../text/rust.ts';
import { type CliContext, type Command, envValue, parse, rateFlags, secondsFlag } from './context.ts';
import { signingKey } from './keys.ts';
import { proxyUrlFlag } from './proxy.ts';

export const PROVISION_HELP = `Usage: ati-client provision --agent-id <id> [--tool <name>]... [--skill <name>]... [--extra <scope>]...
                            [--ttl <seconds>] [--iss <iss>] [--rate <pattern>=<spec>]... [--job-id <id>]
                            [--sandbox-id <id>] [--proxy-url <url>] [--key <private.pem> | --secret <hex>]
                            [--format env|dotenv|json] [--json]

Issue a scoped session token for a sandbox and print ATI_PROXY_URL and ATI_SESSION_TOKEN (no request is made).
--proxy-url falls back to ATI_PROXY_URL; the key to ATI_JWT_PRIVATE_KEY (path) or ATI_JWT_SECRET.
Formats: env (KEY='value', shell-quoted; default), dotenv (KEY="value"), json (also --json).
Defaults are those of the Python SDK's provision_sandbox: --ttl 3600 s and --iss ati-orchestrator, except
that ATI_JWT_ISSUER, when set, is the issuer (a proxy with ATI_JWT_ISSUER refuses any other). They differ
from \`token issue\`, which follows \`ati token issue\` (1800 s, no iss unless --iss or ATI_JWT_ISSUER).
`;

/** Repeated `--tool`/`--skill`/`--extra` values: each one scope word, as the proxy splits the claim. */
function scopeWords(values: string[] | undefined, flag: string): string[] | undefined {
  for (const v of values ?? []) {
    if (v === '' || RUST_WHITESPACE.test(v))
      throw new UsageError(`${flag} values must be non-empty and contain no whitespace`);
  }
  return values;
}

/** POSIX shell single-quoting. */
function shellQuote(v: string): string {
  return `'${v.replace(/'/g, `'\\''`)}'`;
}

/** Env vars as `env` (shell-quoted), `dotenv` or `json` text. */
export function formatEnv(env: Record<string, string>, format: string): string {
  const entries = Object.entries(env);
  if (format === 'json') return `${JSON.stringify(env, null, 2)}\n`;
  if (format === 'dotenv') return entries.map(([k, v]) => `${k}=${JSON.stringify(v)}\n`).join('');
  return entries.map(([k, v]) => `${k}=${shellQuote(v)}\n`).join('');
}

/** The flags that say what token a sandbox gets (shared with `token rotate`). */
export const SANDBOX_FLAGS = {
  'agent-id': { type: 'string' },
  tool: { type: 'string', multiple: true },
  skill: { type: 'string', multiple: true },
  extra: { type: 'string', multiple: true },
  ttl: { type: 'string' },
  iss: { type: 'string' },
  rate: { type: 'string', multiple: true },
  'job-id': { type: 'string' },
  'sandbox-id': { type: 'string' },
  'proxy-url': { type: 'string' },
  key: { type: 'string' },
  secret: { type: 'string' },
} as const;

type SandboxFlagValues = {
  [K in keyof typeof SANDBOX_FLAGS]?: (typeof SANDBOX_FLAGS)[K] extends { multiple: true }
    ? string[]
    : string;
};

/** An orchestrator and the sandbox options from {@link SANDBOX_FLAGS}; usage errors for bad values. */
export async function sandboxFromFlags(
  ctx: CliContext,
  values: SandboxFlagValues,
): Promise<{ orch: AtiOrchestrator; options: ProvisionSandboxOptions }> {
  const agentId = values['agent-id'];
  if (agentId === undefined || agentId === '') throw new UsageError('--agent-id is required (non-empty)');
  const ttlSeconds = secondsFlag(values.ttl, '--ttl');
  const tools = scopeWords(values.tool, '--tool');
  const skills = scopeWords(values.skill, '--skill');
  const extraScopes = scopeWords(values.extra, '--extra');
  const orch = new AtiOrchestrator({
    proxyUrl: proxyUrlFlag(ctx, values['proxy-url']),
    issuer: values.iss ?? envValue(ctx, 'ATI_JWT_ISSUER') ?? 'ati-orchestrator',
    ...(await signingKey(ctx, values)),
  });
  const options: ProvisionSandboxOptions = {
    agentId,
    tools,
    skills,
    extraScopes,
    ttlSeconds,
    rate: rateFlags(values.rate),
    jobId: values['job-id'],
    sandboxId: values['sandbox-id'],
  };
  return { orch, options };
}

async function run(ctx: CliContext, args: string[]): Promise<number> {
  const { values } = parse(args, { ...SANDBOX_FLAGS, format: { type: 'string' } });
  if (values.help) {
    ctx.stdout.write(PROVISION_HELP);
    return 0;
  }
  const format = values.json ? 'json' : (values.format ?? 'env');
  if (!['env', 'dotenv', 'json'].includes(format))
    throw new UsageError('--format must be env, dotenv or json');
  const { orch, options } = await sandboxFromFlags(ctx, values);
  const env = await orch.provisionSandbox({ ...options, tokenFile: undefined });
  // Printing the token is this command's job.
  ctx.stdout.write(
    formatEnv({ ATI_PROXY_URL: env.ATI_PROXY_URL, ATI_SESSION_TOKEN: env.ATI_SESSION_TOKEN }, format),
  );
  return 0;
}

export const provision: Command = run;
