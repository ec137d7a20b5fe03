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
  secondsFlag,
  subcommands,
  tokenArgument,
} from './context.ts';
import { envAudience, envIssuer, signingKey, verifyingKey } from './keys.ts';

export const TOKEN_HELP = `Usage:
  ati-client token issue --sub <id> --scope <scopes> [--ttl <seconds>] [--aud <aud>] [--iss <iss>]
                         [--key <private.pem> | --secret <hex>] [--rate <pattern>=<spec>]...
                         [--jti <id>] [--job-id <id>] [--sandbox-id <id>] [--json]
  ati-client token inspect <token|-> [--json]
  ati-client token validate <token|-> [--key <public.pem> | --secret <hex>] [--aud <aud>] [--iss <iss>]
                            [--json]
  ati-client token rotate --file <path> --agent-id <id> [provision flags]   (see token rotate --help)

issue     Sign a token. Key: --key (ES256), --secret (HS256), else ATI_JWT_PRIVATE_KEY (path), else
          ATI_JWT_SECRET. Defaults are those of \`ati token issue\`: --ttl 1800 s, --aud ati-proxy, --iss from
          ATI_JWT_ISSUER, else no iss at all. (\`provision\` follows the Python SDK instead: 3600 s and
          iss ati-orchestrator; a proxy without ATI_JWT_ISSUER accepts both.)
inspect   Decode WITHOUT verifying (debugging only): a readable summary, or with --json the stable JSON of
          \`ati token inspect\` (keys sorted; iss, jti and ati null when absent).
validate  Verify as the proxy would. Key: --key, --secret, else ATI_JWT_PUBLIC_KEY (path), else
          ATI_JWT_SECRET. Audience: --aud, else ATI_JWT_AUDIENCE, else ati-proxy. Issuer: --iss, else
          ATI_JWT_ISSUER; like the proxy, a token without iss is accepted even then.
          Exit 0 when valid, 1 when rejected.
Pass - as <token> to read it from stdin (keeps it out of the process list).
`;

/** What a terminal must not receive raw from a claim: C0/C1 controls (escape sequences), line and bidi controls. */
// biome-ignore lint/suspicious/noControlCharactersInRegex: these control characters are exactly what is refused.
const UNPRINTABLE = /[\u0000-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;

/**
 * A claim value as it is safe to print on a terminal: a value holding an
 * unprintable character (an escape-sequence injection from a hostile token)
 * is printed as a quoted string with those characters as `\uXXXX`.
 */
export function printable(value: string): string {
  if (value.search(UNPRINTABLE) === -1) return value;
  return `"${value.replace(/["\\]/g, '\\$&').replace(UNPRINTABLE, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`)}"`;
}

/** `1h 30m`, `45s`, `2d 3h`: the two largest units. */
function duration(seconds: number): string {
  const units: [string, number][] = [
    ['d', 86400],
    ['h', 3600],
    ['m', 60],
    ['s', 1],
  ];
  const parts: string[] = [];
  let rest = Math.abs(seconds);
  for (const [unit, size] of units) {
    if (rest >= size || (unit === 's' && parts.length === 0)) {
      parts.push(`${Math.floor(rest / size)}${unit}`);
      rest %= size;
    }
    if (parts.length === 2) break;
  }
  return parts.join(' ');
}

/** An epoch time as ISO 8601 (seconds), its raw value, and for `exp` how long until or since. */
function timeLine(epoch: number, now: number, claim: 'iat' | 'exp'): string {
  const when = new Date(epoch * 1000).toISOString().replace('.000Z', 'Z');
  if (claim === 'iat') return `${when} (iat ${epoch})`;
  const left = epoch - now;
  return `${when} (exp ${epoch}), ${left >= 0 ? `in ${duration(left)}` : `expired ${duration(left)} ago`}`;
}

/** `token inspect` without --json: one claim per line, aligned, for people. */
export function readableClaims(claims: TokenClaims, now: number): string {
  const rows: [string, string][] = [
    ['sub', printable(claims.sub)],
    ['aud', printable(claims.aud)],
    ['iss', claims.iss === undefined ? '(none)' : printable(claims.iss)],
    ['jti', claims.jti === undefined ? '(none)' : printable(claims.jti)],
    ['issued', timeLine(claims.iat, now, 'iat')],
    ['expires', timeLine(claims.exp, now, 'exp')],
  ];
  const scopes = claims.scopes();
  if (scopes.length === 0) rows.push(['scopes', '(none)']);
  scopes.forEach((scope, i) => {
    rows.push([i === 0 ? 'scopes' : '', printable(scope)]);
  });
  Object.entries(claims.ati?.rate ?? {}).forEach(([pattern, spec], i) => {
    rows.push([i === 0 ? 'rate' : '', `${printable(pattern)}  ${printable(spec)}`]);
  });
  if (claims.job_id !== undefined) rows.push(['job_id', printable(claims.job_id)]);
  if (claims.sandbox_id !== undefined) rows.push(['sandbox_id', printable(claims.sandbox_id)]);
  const lines = rows.map(([k, v]) => `${k.padEnd(11)}${v}`);
  lines.push('(decoded WITHOUT verifying the signature: use `ati-client token validate` to check it)');
  return `${lines.join('\n')}\n`;
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
  if (values.sub === undefined || values.sub === '') throw new UsageError('--sub is required (non-empty)');
  if (values.scope === undefined) throw new UsageError('--scope is required');
  const key = await signingKey(ctx, values);
  const token = await issueToken({
    ...key,
    sub: values.sub,
    scope: values.scope,
    ttlSeconds: secondsFlag(values.ttl, '--ttl') ?? 1800,
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
  const claims = inspectToken(await tokenArgument(ctx, positionals));
  if (values.json) printJson(ctx, claimsView(claims));
  else ctx.stdout.write(readableClaims(claims, Math.floor(Date.now() / 1000)));
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
        `VALID sub=${printable(claims.sub)} exp=${new Date(claims.exp * 1000).toISOString()} scopes=${claims.scopes().length}\n`,
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

export const token: Command = subcommands('token', TOKEN_HELP, {
  issue,
  inspect,
  validate,
  rotate: async (ctx, args) => (await import('./rotate.ts')).rotate(ctx, args),
});
