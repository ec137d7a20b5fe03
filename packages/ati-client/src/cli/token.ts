/**
 * `ati-client token issue|inspect|validate`, flag-compatible with
 * `ati token` where they overlap (contract §1.10).
 *
 * @module
 */
import { AtiError, UsageError } from '../errors.ts';
import type { TokenClaims } from '../token/claims.ts';
import { inspectToken } from '../token/inspect.ts';
import { issueToken } from '../token/issue.ts';
import { validateToken } from '../token/validate.ts';
import {
  type CliContext,
  type Command,
  envValue,
  parse,
  printJson,
  rateFlags,
  reportError,
  tokenArgument,
} from './context.ts';
import { envAudience, envIssuer, signingKey, verifyingKey } from './keys.ts';

export const TOKEN_HELP = `Usage:
  ati-client token issue --sub <id> --scope <scopes> [--ttl <seconds>] [--aud <aud>] [--iss <iss>]
                         [--key <private.pem> | --secret <hex>] [--rate <pattern>=<spec>]...
                         [--jti <id>] [--job-id <id>] [--sandbox-id <id>] [--json]
  ati-client token inspect <token|->   [--json]
  ati-client token validate <token|-> [--key <public.pem> | --secret <hex>] [--aud <aud>] [--iss <iss>] [--json]
  ati-client token rotate --file <path> --agent-id <id> [provision flags]   (see token rotate --help)

issue     Sign a token. Key: --key (ES256), --secret (HS256), else ATI_JWT_PRIVATE_KEY (path), else
          ATI_JWT_SECRET. --ttl defaults to 1800 s, as in \`ati token issue\`; --iss falls back to ATI_JWT_ISSUER.
inspect   Decode WITHOUT verifying (debugging only).
validate  Verify as the proxy would. Key: --key, --secret, else ATI_JWT_PUBLIC_KEY (path), else ATI_JWT_SECRET.
          Audience: --aud, else ATI_JWT_AUDIENCE, else ati-proxy. Issuer: --iss, else ATI_JWT_ISSUER; like
          the proxy, a token without iss is accepted even then.
          Exit 0 when valid, 1 when rejected.
Pass - as <token> to read it from stdin (keeps it out of the process list).
`;

function intFlag(value: string | undefined, name: string): number | undefined {
  if (value === undefined) return undefined;
  if (!/^[0-9]+$/.test(value)) throw new UsageError(`${name} must be a whole number of seconds`);
  return Number(value);
}

/** `ati token inspect`'s JSON: keys sorted, `iss`/`jti`/`ati` null when absent, plus `scopes`. */
export function claimsView(claims: TokenClaims): Record<string, unknown> {
  const view: Record<string, unknown> = {
    ati: claims.ati === undefined ? null : claims.toJSON().ati,
    aud: claims.aud,
    exp: claims.exp,
    iat: claims.iat,
    iss: claims.iss ?? null,
  };
  if (claims.job_id !== undefined) view.job_id = claims.job_id;
  view.jti = claims.jti ?? null;
  if (claims.sandbox_id !== undefined) view.sandbox_id = claims.sandbox_id;
  view.scope = claims.scope;
  view.scopes = claims.scopes();
  view.sub = claims.sub;
  return view;
}

async function issue(ctx: CliContext, args: string[]): Promise<number> {
  const { values } = parse(args, {
    sub: { type: 'string' },
    scope: { type: 'string' },
    ttl: { type: 'string' },
    aud: { type: 'string' },
    iss: { type: 'string' },
    key: { type: 'string' },
    secret: { type: 'string' },
    rate: { type: 'string', multiple: true },
    jti: { type: 'string' },
    'job-id': { type: 'string' },
    'sandbox-id': { type: 'string' },
  });
  if (values.help) {
    ctx.stdout.write(TOKEN_HELP);
    return 0;
  }
  if (values.sub === undefined) throw new UsageError('--sub is required');
  if (values.scope === undefined) throw new UsageError('--scope is required');
  const key = await signingKey(ctx, values);
  const token = await issueToken({
    ...key,
    sub: values.sub,
    scope: values.scope,
    ttlSeconds: intFlag(values.ttl, '--ttl') ?? 1800,
    audience: values.aud ?? 'ati-proxy',
    issuer: values.iss ?? envValue(ctx, 'ATI_JWT_ISSUER') ?? null,
    jti: values.jti,
    rate: rateFlags(values.rate),
    jobId: values['job-id'],
    sandboxId: values['sandbox-id'],
  });
  if (values.json) printJson(ctx, { token, claims: claimsView(inspectToken(token)) });
  else ctx.stdout.write(`${token}\n`);
  if (ctx.stderr.isTTY && !values.json) {
    ctx.stderr.write(
      'Give it to the sandbox as ATI_SESSION_TOKEN. Inspect it with: ati-client token inspect -\n',
    );
  }
  return 0;
}

async function inspect(ctx: CliContext, args: string[]): Promise<number> {
  const { values, positionals } = parse(args, {}, true);
  if (values.help) {
    ctx.stdout.write(TOKEN_HELP);
    return 0;
  }
  printJson(ctx, claimsView(inspectToken(await tokenArgument(ctx, positionals))));
  return 0;
}

async function validate(ctx: CliContext, args: string[]): Promise<number> {
  const { values, positionals } = parse(
    args,
    { key: { type: 'string' }, secret: { type: 'string' }, aud: { type: 'string' }, iss: { type: 'string' } },
    true,
  );
  if (values.help) {
    ctx.stdout.write(TOKEN_HELP);
    return 0;
  }
  const token = await tokenArgument(ctx, positionals);
  const key = await verifyingKey(ctx, values);
  try {
    const claims = await validateToken(token, {
      ...key!,
      audience: values.aud ?? envAudience(ctx),
      issuer: values.iss ?? envIssuer(ctx),
      // Predict the proxy: with an issuer configured it still accepts tokens without `iss` (contract §1.4).
      requireIssuer: false,
    });
    if (values.json) printJson(ctx, { valid: true, claims: claimsView(claims) });
    else
      ctx.stdout.write(
        `VALID sub=${claims.sub} exp=${new Date(claims.exp * 1000).toISOString()} scopes=${claims.scopes().length}\n`,
      );
    return 0;
  } catch (err) {
    if (!(err instanceof AtiError) || err.code.startsWith('ERR_KEY') || err.code === 'ERR_INVALID_ARGUMENT')
      throw err;
    if (values.json) printJson(ctx, { valid: false, error: { code: err.code, message: err.message } });
    else ctx.stderr.write(`INVALID ${err.code}: ${err.message}\n`);
    return 1;
  }
}

export const token: Command = async (ctx, args) => {
  const [sub, ...rest] = args;
  switch (sub) {
    case 'issue':
      return issue(ctx, rest);
    case 'inspect':
      return inspect(ctx, rest);
    case 'validate':
      return validate(ctx, rest);
    case 'rotate':
      return (await import('./rotate.ts')).rotate(ctx, rest);
    case undefined:
    case '--help':
    case '-h':
      // Asked for help: stdout, exit 0. No subcommand at all: a usage error, help on stderr.
      (sub === undefined ? ctx.stderr : ctx.stdout).write(TOKEN_HELP);
      return sub === undefined ? 2 : 0;
    default:
      return reportError(ctx, new UsageError(`Unknown token command ${JSON.stringify(sub)}`), false);
  }
};
