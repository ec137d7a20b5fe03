/**
 * `ati-client keys issue|get|revoke|bulk-revoke|list|hash`: the proxy's
 * virtual-key admin API (contract §9) from a shell. The admin token comes from
 * `ATI_ADMIN_TOKEN` only (a flag would show in `ps`), and is never printed.
 *
 * @module
 */
import { isJsonValue } from '../client/guards.ts';
import type { JsonValue } from '../client/types.ts';
import { AtiError, UsageError } from '../errors.ts';
import { AtiAdminClient, type IssuedVirtualKey, type VirtualKeyInfo } from '../virtual-keys/admin-client.ts';
import { hashVirtualKey } from '../virtual-keys/hash.ts';
import { type CliContext, type Command, envValue, parse, printJson, subcommands } from './context.ts';
import { PROXY_OPTIONS, proxyUrlFlag, timeoutFlag } from './proxy.ts';

export const ADMIN_KEYS_HELP = `Usage:
  ati-client keys issue --user-id <id> --alias <alias> [--tool <t>]... [--provider <p>]... [--skill <s>]...
                        [--category <c>]... [--expires-in <seconds>] [--metadata <json>] [--created-by <who>]
  ati-client keys get <hash>
  ati-client keys revoke <hash> [--by <who>]
  ati-client keys bulk-revoke [--user-id <id>] [--alias-prefix <p>] [--hash <h>]... [--by <who>]
  ati-client keys list --user-id <id>
  ati-client keys hash <raw-key | ->

Virtual keys (ati-key_…) on a proxy with a key database. Every command but hash takes
--proxy-url <url> (or ATI_PROXY_URL), --timeout <seconds> (default 30) and needs ATI_ADMIN_TOKEN in the
environment; --json prints JSON. A 401 means the proxy refused ATI_ADMIN_TOKEN.
issue        Print the new raw key on stdout (the only copy; hash, alias and expiry go to stderr).
revoke       Exit 1 when there was no such key (already revoked, or never issued).
bulk-revoke  Revoke the keys matching every filter given (at least one); prints the count.
list         A user's keys, newest first (at most 100), blocked and expired ones included.
hash         The key's hash (SHA-256 hex), the <hash> of the other commands; - reads the key from stdin.
`;

const CONNECTION = PROXY_OPTIONS;

function help(ctx: CliContext): number {
  ctx.stdout.write(ADMIN_KEYS_HELP);
  return 0;
}

/** The admin client from flags and env; option errors become usage errors that quote nothing. */
function connect(ctx: CliContext, values: { 'proxy-url'?: string; timeout?: string }): AtiAdminClient {
  const proxyUrl = proxyUrlFlag(ctx, values['proxy-url']);
  const timeoutMs = timeoutFlag(values.timeout);
  const adminToken = envValue(ctx, 'ATI_ADMIN_TOKEN');
  if (adminToken === undefined) throw new UsageError('Set ATI_ADMIN_TOKEN to the proxy admin token');
  // A 401 here is the admin token's, not a session token's.
  ctx.authHint = 'the proxy refused the admin token from ATI_ADMIN_TOKEN';
  try {
    return new AtiAdminClient({ proxyUrl, adminToken, timeoutMs });
  } catch (err) {
    // The client's messages name the option, never its value.
    throw new UsageError(err instanceof Error ? err.message : 'Invalid proxy URL or admin token');
  }
}

/** Run one admin call; its argument errors (bad hash, bad list) are usage errors. */
async function call<T>(run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (err) {
    if (err instanceof AtiError && err.code === 'ERR_INVALID_ARGUMENT') throw new UsageError(err.message);
    throw err;
  }
}

function onePositional(positionals: string[], what: string): string {
  if (positionals.length !== 1) throw new UsageError(`Expected exactly one <${what}> argument`);
  return positionals[0]!;
}

function iso(date: Date | null): string | null {
  return date === null ? null : date.toISOString();
}

/** A key object as JSON: the SDK's names, ISO timestamps. */
function keyJson(key: VirtualKeyInfo): Record<string, unknown> {
  return {
    ...key,
    expiresAt: iso(key.expiresAt),
    createdAt: iso(key.createdAt),
    lastUsedAt: iso(key.lastUsedAt),
  };
}

function keyLine(key: VirtualKeyInfo): string {
  const state = key.blocked
    ? 'blocked'
    : key.expiresAt !== null && key.expiresAt <= new Date()
      ? 'expired'
      : 'active';
  return `${key.hash}\t${JSON.stringify(key.alias)}\t${state}\texpires ${iso(key.expiresAt) ?? 'never'}\n`;
}

function metadataFlag(text: string | undefined): JsonValue | undefined {
  if (text === undefined) return undefined;
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    value = undefined;
  }
  if (!isJsonValue(value)) throw new UsageError('--metadata must be JSON');
  return value;
}

async function issue(ctx: CliContext, args: string[]): Promise<number> {
  const many = { type: 'string', multiple: true } as const;
  const { values } = parse(args, {
    ...CONNECTION,
    'user-id': { type: 'string' },
    alias: { type: 'string' },
    tool: many,
    provider: many,
    category: many,
    skill: many,
    'expires-in': { type: 'string' },
    metadata: { type: 'string' },
    'created-by': { type: 'string' },
  });
  if (values.help) return help(ctx);
  if (values['user-id'] === undefined || values.alias === undefined) {
    throw new UsageError('--user-id and --alias are required');
  }
  const expires = values['expires-in'];
  if (expires !== undefined && !/^[0-9]{1,15}$/.test(expires)) {
    throw new UsageError('--expires-in must be a whole number of seconds');
  }
  const metadata = metadataFlag(values.metadata);
  const admin = connect(ctx, values);
  const key: IssuedVirtualKey = await call(() =>
    admin.issueKey({
      userId: values['user-id']!,
      alias: values.alias!,
      tools: values.tool,
      providers: values.provider,
      categories: values.category,
      skills: values.skill,
      expiresInSeconds: expires === undefined ? undefined : Number(expires),
      metadata,
      createdBy: values['created-by'],
    }),
  );
  // The raw key is printed on purpose, once, on stdout: this is the only place it exists.
  if (values.json) {
    printJson(ctx, { rawKey: key.rawKey, hash: key.hash, alias: key.alias, expiresAt: iso(key.expiresAt) });
  } else {
    ctx.stdout.write(`${key.rawKey}\n`);
    ctx.stderr.write(
      `issued ${JSON.stringify(key.alias)} hash ${key.hash} expires ${iso(key.expiresAt) ?? 'never'}\n`,
    );
  }
  return 0;
}

async function get(ctx: CliContext, args: string[]): Promise<number> {
  const { values, positionals } = parse(args, CONNECTION, true);
  if (values.help) return help(ctx);
  const hash = onePositional(positionals, 'hash');
  const key = await call(() => connect(ctx, values).getKey(hash));
  if (values.json) printJson(ctx, keyJson(key));
  else {
    for (const [name, value] of Object.entries(keyJson(key))) {
      ctx.stdout.write(`${name}\t${typeof value === 'string' ? value : JSON.stringify(value)}\n`);
    }
  }
  return 0;
}

async function revoke(ctx: CliContext, args: string[]): Promise<number> {
  const { values, positionals } = parse(args, { ...CONNECTION, by: { type: 'string' } }, true);
  if (values.help) return help(ctx);
  const hash = onePositional(positionals, 'hash');
  const revoked = await call(() => connect(ctx, values).revokeKey(hash, { by: values.by }));
  if (values.json) printJson(ctx, { revoked });
  else if (revoked) ctx.stdout.write(`revoked ${hash}\n`);
  else ctx.stderr.write(`no such key ${hash} (already revoked, or never issued)\n`);
  return revoked ? 0 : 1;
}

async function bulkRevoke(ctx: CliContext, args: string[]): Promise<number> {
  const { values } = parse(args, {
    ...CONNECTION,
    'user-id': { type: 'string' },
    'alias-prefix': { type: 'string' },
    hash: { type: 'string', multiple: true },
    by: { type: 'string' },
  });
  if (values.help) return help(ctx);
  const admin = connect(ctx, values);
  const count = await call(() =>
    admin.bulkRevoke({
      userId: values['user-id'],
      aliasPrefix: values['alias-prefix'],
      hashes: values.hash,
      by: values.by,
    }),
  );
  if (values.json) printJson(ctx, { revoked: count });
  else ctx.stdout.write(`revoked ${count}\n`);
  return 0;
}

async function list(ctx: CliContext, args: string[]): Promise<number> {
  const { values } = parse(args, { ...CONNECTION, 'user-id': { type: 'string' } });
  if (values.help) return help(ctx);
  const userId = values['user-id'];
  if (userId === undefined) throw new UsageError('--user-id is required');
  const keys = await call(() => connect(ctx, values).listKeys(userId));
  if (values.json) printJson(ctx, keys.map(keyJson));
  else for (const key of keys) ctx.stdout.write(keyLine(key));
  return 0;
}

async function hash(ctx: CliContext, args: string[]): Promise<number> {
  const { values, positionals } = parse(args, {}, true);
  if (values.help) return help(ctx);
  const arg = onePositional(positionals, 'raw-key');
  // From stdin, only the line break a shell or a file adds is dropped: the proxy hashes the raw key as sent.
  const raw = arg === '-' ? (await ctx.readStdin()).replace(/\r?\n$/, '') : arg;
  const digest = await call(() => hashVirtualKey(raw));
  if (values.json) printJson(ctx, { hash: digest });
  else ctx.stdout.write(`${digest}\n`);
  return 0;
}

const SUBCOMMANDS: Readonly<Record<string, (ctx: CliContext, args: string[]) => Promise<number>>> = {
  issue,
  get,
  revoke,
  'bulk-revoke': bulkRevoke,
  list,
  hash,
};

export const adminKeys: Command = subcommands('keys', ADMIN_KEYS_HELP, SUBCOMMANDS);
