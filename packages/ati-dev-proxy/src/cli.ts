/**
 * `ati-dev-proxy` (also `ati-client dev-proxy`): serve the sample fixtures (or a skills directory)
 * on a local port, with the proxy's auth.
 *
 * @module
 */
import { AtiError, errnoCode, SkillError, UsageError } from 'ati-client/internal';
import {
  type CliContext,
  type Command,
  envAudience,
  envIssuer,
  envValue,
  parse,
  printJson,
  verifyingKey,
} from 'ati-client/internal/cli';
import { sampleFixtures } from './fixtures.ts';
import { startDevProxy } from './server.ts';
import { loadSkillsDir } from './skills-dir.ts';
import type { DevSignatureOptions } from './types.ts';

export const DEV_PROXY_HELP = `Usage: ati-dev-proxy [--port <n>] [--host <addr>] [--skills-dir <dir>]
                     [--key <public.pem> | --secret <hex>]
                     [--sig-verify-mode log|warn|enforce] [--sig-drift-seconds <n>]
                     [--sig-exempt-paths <glob,...>]

Run an ATI-compatible dev proxy serving the sample fixtures (tools, skills, catalog), or the skills found
in --skills-dir (<dir>/<name>/SKILL.md + skill.toml). Auth: --key (ES256) or --secret (HS256), else
ATI_JWT_PUBLIC_KEY (path) or ATI_JWT_SECRET; with none, it runs unauthenticated, like the proxy's dev mode.
Tokens must carry the audience ATI_JWT_AUDIENCE (default ati-proxy) and, when ATI_JWT_ISSUER is set, that issuer.
Defaults: --host 127.0.0.1, --port 0 (any free port). Stops on SIGINT/SIGTERM.

Sandbox request signatures (X-Sandbox-Signature) are checked only with one of the --sig-* flags, as the
proxy does: the shared secret comes from ATI_KEY_SANDBOX_SIGNING_SHARED_SECRET (hex, else UTF-8), enforce
needs it; --sig-exempt-paths replaces the default exempt globs (/health, /.well-known/jwks.json, ...).

Virtual keys (/admin/keys*, Authorization: Ati-Key): ATI_ADMIN_TOKEN enables the admin routes; the keys live
in an in-memory PGlite database, or on the Postgres server at ATI_DB_URL (tables created if absent; several
dev proxies on one server revoke across each other like proxy pods).
`;

/** The `--sig-*` flags as dev proxy options; `undefined` when none is given. */
function signatureOptions(
  ctx: CliContext,
  values: { 'sig-verify-mode'?: string; 'sig-drift-seconds'?: string; 'sig-exempt-paths'?: string },
): DevSignatureOptions | undefined {
  const mode = values['sig-verify-mode'];
  const drift = values['sig-drift-seconds'];
  const exempt = values['sig-exempt-paths'];
  if (mode === undefined && drift === undefined && exempt === undefined) return undefined;
  if (mode !== undefined && mode !== 'log' && mode !== 'warn' && mode !== 'enforce') {
    throw new UsageError('--sig-verify-mode must be log, warn or enforce');
  }
  if (drift !== undefined && !/^[0-9]{1,9}$/.test(drift)) {
    throw new UsageError('--sig-drift-seconds must be a non-negative integer');
  }
  const secret = envValue(ctx, 'ATI_KEY_SANDBOX_SIGNING_SHARED_SECRET');
  if (mode === 'enforce' && secret === undefined) {
    throw new UsageError('--sig-verify-mode enforce needs ATI_KEY_SANDBOX_SIGNING_SHARED_SECRET');
  }
  return {
    mode,
    secret,
    // The proxy's `sig_verify` log line (it logs every verdict, in every mode), on stderr.
    onVerdict: (e) =>
      ctx.stderr.write(
        `sig_verify mode=${mode ?? 'log'} valid=${e.verdict === 'valid'} reason=${e.verdict} job_id=${e.jobId} method=${e.method} path=${e.path}\n`,
      ),
    driftSeconds: drift === undefined ? undefined : Number(drift),
    // As the proxy splits the flag: on commas, trimmed, empty entries dropped.
    exemptPaths:
      exempt === undefined
        ? undefined
        : exempt
            .split(',')
            .map((p) => p.trim())
            .filter((p) => p !== ''),
  };
}

/** `--skills-dir` loaded; its errors keep their code and say which flag they are about. */
async function skillsFrom(dir: string): ReturnType<typeof loadSkillsDir> {
  try {
    return await loadSkillsDir(dir);
  } catch (err) {
    if (err instanceof SkillError)
      throw new SkillError(err.code, `--skills-dir: ${err.message}`, { cause: err });
    throw err;
  }
}

export const devProxy: Command = async (ctx, args) => {
  const { values } = parse(args, {
    port: { type: 'string' },
    host: { type: 'string' },
    'skills-dir': { type: 'string' },
    key: { type: 'string' },
    secret: { type: 'string' },
    'sig-verify-mode': { type: 'string' },
    'sig-drift-seconds': { type: 'string' },
    'sig-exempt-paths': { type: 'string' },
  });
  if (values.help) {
    ctx.stdout.write(DEV_PROXY_HELP);
    return 0;
  }
  const port = values.port === undefined ? 0 : /^[0-9]{1,5}$/.test(values.port) ? Number(values.port) : -1;
  if (port < 0 || port > 65535) throw new UsageError('--port must be a whole number, 0 to 65535');
  const key = await verifyingKey(ctx, values, false);
  const skillsDir = values['skills-dir'];
  const fixtures =
    skillsDir === undefined ? sampleFixtures : { ...sampleFixtures, skills: await skillsFrom(skillsDir) };
  const auth = key === undefined ? 'disabled' : key.secret !== undefined ? 'HS256' : 'ES256';
  const host = values.host ?? '127.0.0.1';
  if (key === undefined && !['127.0.0.1', 'localhost', '::1'].includes(host)) {
    ctx.stderr.write(
      `warning: no key given, so the dev proxy on ${host} accepts every request unauthenticated\n`,
    );
  }
  const signatures = signatureOptions(ctx, values);
  const adminToken = envValue(ctx, 'ATI_ADMIN_TOKEN');
  const databaseUrl = envValue(ctx, 'ATI_DB_URL');
  const keys = databaseUrl !== undefined ? 'postgres' : adminToken !== undefined ? 'pglite' : undefined;
  let proxy: Awaited<ReturnType<typeof startDevProxy>>;
  try {
    proxy = await startDevProxy({
      ...fixtures,
      ...key,
      audience: envAudience(ctx),
      issuer: envIssuer(ctx),
      port,
      host,
      signatures,
      adminToken,
      databaseUrl,
    });
  } catch (err) {
    // Every option here came from a flag: an invalid one (such as an exempt glob) is a usage error.
    if (err instanceof AtiError && err.code === 'ERR_INVALID_ARGUMENT') throw new UsageError(err.message);
    // listen failed (EADDRINUSE, EADDRNOTAVAIL, ENOTFOUND, EACCES): the flags named an unusable address.
    const code = errnoCode(err);
    if (code !== undefined)
      throw new UsageError(`Cannot listen on --host ${JSON.stringify(host)} --port ${port}: ${code}`);
    throw err;
  }
  const sig = signatures === undefined ? undefined : (signatures.mode ?? 'log');
  if (values.json)
    printJson(ctx, {
      url: proxy.url,
      auth,
      ...(sig === undefined ? {} : { signatures: sig }),
      ...(keys === undefined ? {} : { keys }),
    });
  else {
    const extra =
      (sig === undefined ? '' : `, signatures: ${sig}`) + (keys === undefined ? '' : `, keys: ${keys}`);
    ctx.stdout.write(`ATI dev proxy listening on ${proxy.url} (auth: ${auth}${extra})\n`);
  }
  await ctx.waitForStop();
  await proxy.close();
  return 0;
};
