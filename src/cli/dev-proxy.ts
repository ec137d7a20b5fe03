/**
 * `ati-client dev-proxy`: serve the sample fixtures (or a skills directory)
 * on a local port, with the proxy's auth.
 *
 * @module
 */
import { UsageError } from '../errors.ts';
import { loadSkillsDir, sampleFixtures, startDevProxy } from '../testing/index.ts';
import { type Command, parse, printJson } from './context.ts';
import { verifyingKey } from './keys.ts';

export const DEV_PROXY_HELP = `Usage: ati-client dev-proxy [--port <n>] [--host <addr>] [--skills-dir <dir>]
                            [--key <public.pem> | --secret <hex>]

Run an ATI-compatible dev proxy serving the sample fixtures (tools, skills, catalog), or the skills found
in --skills-dir (<dir>/<name>/SKILL.md + skill.toml). Auth: --key (ES256) or --secret (HS256), else
ATI_JWT_PUBLIC_KEY (path) or ATI_JWT_SECRET; with none, it runs unauthenticated, like the proxy's dev mode.
Defaults: --host 127.0.0.1, --port 0 (any free port). Stops on SIGINT/SIGTERM.
`;

export const devProxy: Command = async (ctx, args) => {
  const { values } = parse(args, {
    port: { type: 'string' },
    host: { type: 'string' },
    'skills-dir': { type: 'string' },
    key: { type: 'string' },
    secret: { type: 'string' },
  });
  if (values.help) {
    ctx.stdout.write(DEV_PROXY_HELP);
    return 0;
  }
  const port = values.port === undefined ? 0 : Number(values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new UsageError('--port must be 0-65535');
  const key = await verifyingKey(ctx, values, false);
  const skillsDir = values['skills-dir'];
  const fixtures =
    skillsDir === undefined ? sampleFixtures : { ...sampleFixtures, skills: await loadSkillsDir(skillsDir) };
  const auth = key === undefined ? 'disabled' : key.secret !== undefined ? 'HS256' : 'ES256';
  const host = values.host ?? '127.0.0.1';
  if (key === undefined && !['127.0.0.1', 'localhost', '::1'].includes(host)) {
    ctx.stderr.write(
      `warning: no key given, so the dev proxy on ${host} accepts every request unauthenticated\n`,
    );
  }
  const proxy = await startDevProxy({ ...fixtures, ...key, port, host });
  if (values.json) printJson(ctx, { url: proxy.url, auth });
  else ctx.stdout.write(`ATI dev proxy listening on ${proxy.url} (auth: ${auth})\n`);
  await ctx.waitForStop();
  await proxy.close();
  return 0;
};
