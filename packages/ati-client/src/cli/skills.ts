/**
 * `ati-client skills download|listing`: what a sandbox (or an orchestrator
 * preparing one) runs against the proxy.
 *
 * @module
 */
import { AtiProxyClient } from '../client/client.ts';
import { UsageError } from '../errors.ts';
import { resolveSessionToken } from '../node/session-token.ts';
import { downloadSkillBundles, fetchSkillListing } from '../skills/download.ts';
import { type CliContext, type Command, envValue, parse, printJson, reportError } from './context.ts';

export const SKILLS_HELP = `Usage:
  ati-client skills download <name>... --dest <dir> [--proxy-url <url>] [--json]
  ati-client skills listing [--search <terms>] [--proxy-url <url>]

The proxy URL comes from --proxy-url or ATI_PROXY_URL. The session token is read like the ATI CLI reads it:
ATI_SESSION_TOKEN, then the file named by ATI_SESSION_TOKEN_FILE, then /run/ati/session_token.
download  Write each skill atomically into <dir>/<name>; unknown or invisible skills are reported as missing.
listing   Print the skill listing for the agent's system prompt (same bytes as the Python SDK).
`;

/**
 * The proxy URL, checked now, and a way to connect with the session token.
 * Only a session token here, no signing key: a bare client, not an
 * orchestrator. The client (and so the token) is made only when needed, after
 * the skill names have been checked.
 */
async function context(ctx: CliContext, flagUrl: string | undefined): Promise<() => AtiProxyClient> {
  const proxyUrl = flagUrl ?? envValue(ctx, 'ATI_PROXY_URL');
  if (proxyUrl === undefined) throw new UsageError('--proxy-url is required (or set ATI_PROXY_URL)');
  try {
    new AtiProxyClient({ proxyUrl });
  } catch {
    // The client's reason names its own option; the URL itself is never quoted (it may hold credentials).
    throw new UsageError(
      '--proxy-url (or ATI_PROXY_URL) must be an http: or https: URL without credentials, query string or fragment',
    );
  }
  const token = await resolveSessionToken({ env: ctx.env });
  return () => new AtiProxyClient({ proxyUrl, token });
}

async function download(ctx: CliContext, args: string[]): Promise<number> {
  const { values, positionals } = parse(
    args,
    { dest: { type: 'string' }, 'proxy-url': { type: 'string' } },
    true,
  );
  if (values.help) {
    ctx.stdout.write(SKILLS_HELP);
    return 0;
  }
  if (positionals.length === 0) throw new UsageError('Name at least one skill to download');
  if (values.dest === undefined) throw new UsageError('--dest <dir> is required');
  const connect = await context(ctx, values['proxy-url']);
  const tty = ctx.stderr.isTTY === true && !values.json;
  const result = await downloadSkillBundles(connect, positionals, values.dest, {
    onProgress: tty
      ? (p) =>
          ctx.stderr.write(
            `\r[${'#'.repeat(Math.round((20 * p.done) / p.total)).padEnd(20)}] ${p.done}/${p.total} ${p.name}\x1b[K`,
          )
      : undefined,
  });
  if (tty) ctx.stderr.write('\n');
  if (values.json) printJson(ctx, result);
  else {
    for (const [name, dir] of Object.entries(result.written))
      ctx.stdout.write(`${JSON.stringify(name)}\t${dir}\n`);
    if (result.missing.length > 0)
      ctx.stderr.write(`missing: ${result.missing.map((n) => JSON.stringify(n)).join(', ')}\n`);
  }
  return result.missing.length > 0 ? 1 : 0;
}

async function listing(ctx: CliContext, args: string[]): Promise<number> {
  const { values } = parse(args, { search: { type: 'string' }, 'proxy-url': { type: 'string' } });
  if (values.help) {
    ctx.stdout.write(SKILLS_HELP);
    return 0;
  }
  const connect = await context(ctx, values['proxy-url']);
  const text = await fetchSkillListing(connect(), { search: values.search });
  if (values.json) printJson(ctx, { listing: text });
  else ctx.stdout.write(text === '' ? '' : `${text}\n`);
  return 0;
}

export const skills: Command = async (ctx, args) => {
  const [sub, ...rest] = args;
  switch (sub) {
    case 'download':
      return download(ctx, rest);
    case 'listing':
      return listing(ctx, rest);
    case '--help':
    case '-h':
      ctx.stdout.write(SKILLS_HELP);
      return 0;
    default:
      return reportError(
        ctx,
        new UsageError(`Unknown skills command ${JSON.stringify(sub ?? '')}; see --help`),
        false,
      );
  }
};
