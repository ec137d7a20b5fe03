/**
 * `ati-client provision`: issue a sandbox token and print its env vars.
 *
 * @module
 */
import { UsageError } from '../errors.ts';
import { AtiOrchestrator, type ProvisionSandboxOptions } from '../orchestrator.ts';
import { type CliContext, type Command, envValue, parse, rateFlags } from './context.ts';
import { signingKey } from './keys.ts';

export const PROVISION_HELP = `Usage: ati-client provision --agent-id <id> [--tool <name>]... [--skill <name>]... [--extra <scope>]...
                            [--ttl <seconds>] [--rate <pattern>=<spec>]... [--job-id <id>] [--sandbox-id <id>]
                            [--proxy-url <url>] [--key <private.pem> | --secret <hex>]
                            [--format env|dotenv|json]

Issue a scoped session token for a sandbox and print ATI_PROXY_URL and ATI_SESSION_TOKEN.
--proxy-url falls back to ATI_PROXY_URL; the key to ATI_JWT_PRIVATE_KEY (path) or ATI_JWT_SECRET.
--ttl defaults to 3600 s. Formats: env (KEY='value', shell-quoted; default), dotenv (KEY="value"), json.
`;

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
  if (agentId === undefined) throw new UsageError('--agent-id is required');
  const proxyUrl = values['proxy-url'] ?? envValue(ctx, 'ATI_PROXY_URL');
  if (proxyUrl === undefined) throw new UsageError('--proxy-url is required (or set ATI_PROXY_URL)');
  if (values.ttl !== undefined && !/^[0-9]+$/.test(values.ttl))
    throw new UsageError('--ttl must be a whole number of seconds');
  const orch = new AtiOrchestrator({ proxyUrl, ...(await signingKey(ctx, values)) });
  const options: ProvisionSandboxOptions = {
    agentId,
    tools: values.tool,
    skills: values.skill,
    extraScopes: values.extra,
    ttlSeconds: values.ttl === undefined ? undefined : Number(values.ttl),
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
