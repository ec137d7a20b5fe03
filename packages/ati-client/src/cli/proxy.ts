/**
 * What every command that calls the proxy shares: `--proxy-url`,
 * `--timeout <seconds>` and, for sandbox commands, the session token
 * (`--token`, then the sources the ATI CLI reads, contract §6).
 *
 * @module
 */
import { AtiProxyClient } from '../client/client.ts';
import { UsageError } from '../errors.ts';
import { resolveSessionToken } from '../node/session-token.ts';
import { rustTrim } from '../text/rust.ts';
import type { Options } from './args.ts';
import { type CliContext, envValue, SESSION_TOKEN_SOURCES } from './context.ts';

/** Flags of every command that calls the proxy. Spread them into the command's options. */
export const PROXY_OPTIONS = {
  'proxy-url': { type: 'string' },
  timeout: { type: 'string' },
} as const satisfies Options;

/** {@link PROXY_OPTIONS} plus `--token <token|->`, for commands that send the sandbox session token. */
export const SESSION_OPTIONS = { ...PROXY_OPTIONS, token: { type: 'string' } } as const satisfies Options;

/** The help lines for {@link SESSION_OPTIONS}; commands print them under their usage. */
export const SESSION_HELP = `
The proxy URL comes from --proxy-url, else ATI_PROXY_URL. The session token, as the ATI CLI reads it:
${SESSION_TOKEN_SOURCES.replace(', else /run', ',\nelse /run')}. --token - reads it from stdin (out of the process list).
--timeout <seconds> bounds each request (default 30; fractions allowed).
`;

/** Largest `--timeout`: the client's limit, 2^31 - 1 ms. */
const MAX_TIMEOUT_SECONDS = 2_147_483;

/** `--timeout <seconds>` in milliseconds; `undefined` when not given (the client's 30 s default). */
export function timeoutFlag(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const seconds = /^[0-9]{1,7}(\.[0-9]{1,3})?$/.test(value) ? Number(value) : Number.NaN;
  if (!(seconds > 0 && seconds <= MAX_TIMEOUT_SECONDS))
    throw new UsageError(`--timeout must be a number of seconds above 0 and at most ${MAX_TIMEOUT_SECONDS}`);
  return Math.max(1, Math.round(seconds * 1000));
}

/** The proxy URL from `--proxy-url` or `ATI_PROXY_URL`, checked now and never quoted (it may hold credentials). */
export function proxyUrlFlag(ctx: CliContext, value: string | undefined): string {
  const proxyUrl = value ?? envValue(ctx, 'ATI_PROXY_URL');
  if (proxyUrl === undefined) throw new UsageError('--proxy-url is required (or set ATI_PROXY_URL)');
  try {
    new AtiProxyClient({ proxyUrl });
  } catch {
    // The client's reason names its own option (proxyUrl); speak of the flag instead.
    throw new UsageError(
      '--proxy-url (or ATI_PROXY_URL) must be an http: or https: URL without credentials, query string or fragment',
    );
  }
  return proxyUrl;
}

/** The session token and where it came from (for the 401 hint), `--token` first. */
async function sessionToken(
  ctx: CliContext,
  flag: string | undefined,
): Promise<{ token: string | undefined; source: string }> {
  if (flag !== undefined) {
    const token = rustTrim(flag === '-' ? await ctx.readStdin() : flag);
    if (token === '') throw new UsageError('--token is empty');
    return { token, source: '--token' };
  }
  const token = await resolveSessionToken({ env: ctx.env });
  const fromEnv = rustTrim(ctx.env.ATI_SESSION_TOKEN ?? '') !== '';
  const fromFile = rustTrim(ctx.env.ATI_SESSION_TOKEN_FILE ?? '') !== '';
  const source = fromEnv
    ? 'ATI_SESSION_TOKEN'
    : fromFile
      ? 'the file named by ATI_SESSION_TOKEN_FILE'
      : '/run/ati/session_token';
  return { token, source };
}

/**
 * Check `--proxy-url`, `--timeout` and `--token` now, and return a way to
 * connect with the session token. Sets the 401 hint: which source the token
 * came from, or that none had one.
 *
 * @throws {UsageError} for a missing or bad flag; {@link SessionTokenError} when the token file cannot be read.
 */
export async function sessionClient(
  ctx: CliContext,
  values: { 'proxy-url'?: string | undefined; timeout?: string | undefined; token?: string | undefined },
): Promise<() => AtiProxyClient> {
  const proxyUrl = proxyUrlFlag(ctx, values['proxy-url']);
  const timeoutMs = timeoutFlag(values.timeout);
  const { token, source } = await sessionToken(ctx, values.token);
  ctx.authHint =
    token === undefined
      ? `no session token was found; it is looked for in ${SESSION_TOKEN_SOURCES}`
      : `the proxy refused the session token from ${source} (looked for in ${SESSION_TOKEN_SOURCES})`;
  const options = { proxyUrl, token, ...(timeoutMs === undefined ? {} : { timeoutMs }) };
  // Made on first use, after the command has checked its own arguments (a bad skill name wins).
  return () => {
    try {
      return new AtiProxyClient(options);
    } catch {
      // The client's reason names its own option (token); name the source instead, never the value.
      throw new UsageError(
        `The session token from ${source} contains characters not allowed in an Authorization header`,
      );
    }
  };
}
