/**
 * `ati-client skills download|listing`: what a sandbox (or an orchestrator
 * preparing one) runs against the proxy.
 *
 * @module
 */
import { UsageError } from '../errors.ts';
import { downloadSkillBundles, fetchSkillListing } from '../skills/download.ts';
import { type CliContext, type Command, parse, printJson, subcommands } from './context.ts';
import { SESSION_HELP, SESSION_OPTIONS, sessionClient } from './proxy.ts';

export const SKILLS_HELP = `Usage:
  ati-client skills download <name>... --dest <dir> [--proxy-url <url>] [--token <token|->]
                             [--timeout <seconds>] [--json]
  ati-client skills listing [--search <terms>] [--proxy-url <url>] [--token <token|->]
                            [--timeout <seconds>] [--json]

download  Write each skill atomically into <dir>/<name>; unknown or invisible skills are reported as missing.
listing   Print the skill listing for the agent's system prompt (same bytes as the Python SDK).
${SESSION_HELP}`;

async function download(ctx: CliContext, args: string[]): Promise<number> {
  const { values, positionals } = parse(args, { dest: { type: 'string' }, ...SESSION_OPTIONS }, true);
  if (values.help) {
    ctx.stdout.write(SKILLS_HELP);
    return 0;
  }
  if (positionals.length === 0) throw new UsageError('Name at least one skill to download');
  if (values.dest === undefined || values.dest === '') throw new UsageError('--dest <dir> is required');
  const connect = await sessionClient(ctx, values);
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
  const { values } = parse(args, { search: { type: 'string' }, ...SESSION_OPTIONS });
  if (values.help) {
    ctx.stdout.write(SKILLS_HELP);
    return 0;
  }
  const connect = await sessionClient(ctx, values);
  const text = await fetchSkillListing(connect(), { search: values.search });
  if (values.json) printJson(ctx, { listing: text });
  else ctx.stdout.write(text === '' ? '' : `${text}\n`);
  return 0;
}

export const skills: Command = subcommands('skills', SKILLS_HELP, { download, listing });
