/**
 * `ati-client token rotate`: keep a sandbox's token file fresh in the
 * foreground (contract §6), until SIGINT/SIGTERM.
 *
 * @module
 */
import { UsageError } from '../errors.ts';
import { fileSink } from '../node/token-file.ts';
import { type CliContext, type Command, parse } from './context.ts';
import { formatEnv, SANDBOX_FLAGS, sandboxFromFlags } from './provision.ts';

export const ROTATE_HELP = `Usage: ati-client token rotate --file <path> --agent-id <id> [--tool <name>]... [--skill <name>]...
                            [--extra <scope>]... [--ttl <seconds>] [--rate <pattern>=<spec>]...
                            [--job-id <id>] [--sandbox-id <id>] [--proxy-url <url>]
                            [--key <private.pem> | --secret <hex>]
                            [--sandbox-path <path>] [--mode <octal>] [--refresh-at <fraction>]

Write a sandbox token to --file now, then a new one each time --refresh-at (default 0.667) of the current
one's lifetime has passed, atomically (temp file, fsync, rename), until SIGINT or SIGTERM. The sandbox reads it
through ATI_SESSION_TOKEN_FILE, which ATI re-reads on every call; do not also set ATI_SESSION_TOKEN, which
would pin the first token. Prints the sandbox's env (ATI_PROXY_URL, ATI_SESSION_TOKEN_FILE=--sandbox-path,
default --file) on stdout, and one line per rotation on stderr, never the token. A failed write is retried
until the current token expires; the command then exits 1.
Token flags as for \`provision\` (--ttl defaults to 3600 s). --mode defaults to 600.
`;

/** `--mode 640` / `0640` / `0o640` as permission bits. */
export function modeFlag(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const m = /^(?:0o?)?([0-7]{1,3})$/.exec(value);
  if (m === null) throw new UsageError('--mode must be octal permission bits, e.g. 600 or 0640');
  return Number.parseInt(m[1]!, 8);
}

function fractionFlag(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!/^(?:0?\.[0-9]+|0)$/.test(value) || !(n > 0 && n < 1)) {
    throw new UsageError('--refresh-at must be a fraction between 0 and 1, e.g. 0.66');
  }
  return n;
}

/** Keep the process up while waiting: the rotator's own timers are unref'd by design. */
function holdProcess(): () => void {
  const timer = setInterval(() => {}, 1 << 30);
  return () => clearInterval(timer);
}

async function run(ctx: CliContext, args: string[]): Promise<number> {
  const { values } = parse(args, {
    ...SANDBOX_FLAGS,
    file: { type: 'string' },
    'sandbox-path': { type: 'string' },
    mode: { type: 'string' },
    'refresh-at': { type: 'string' },
  });
  if (values.help) {
    ctx.stdout.write(ROTATE_HELP);
    return 0;
  }
  const file = values.file;
  if (file === undefined || file === '') throw new UsageError('--file is required');
  const mode = modeFlag(values.mode);
  const refreshAt = fractionFlag(values['refresh-at']);
  const { orch, options } = await sandboxFromFlags(ctx, values);
  let lapsed: (code: string) => void = () => {};
  const lapse = new Promise<string>((resolve) => {
    lapsed = resolve;
  });
  const rotator = orch.rotateSessionToken({
    ...options,
    refreshAt,
    sink: fileSink(file, { mode }),
    onRotate: (e) => {
      const next = Math.max(0, Math.round((e.nextRotationAt - Date.now()) / 1000));
      ctx.stderr.write(
        `rotated #${e.rotation}: exp=${new Date(e.expiresAt * 1000).toISOString()} jti=${e.jti ?? '-'} attempts=${e.attempts} next in ${next}s\n`,
      );
    },
    onError: (err) => {
      ctx.stderr.write(`rotation failed (attempt ${err.attempt}) ${err.code}: ${err.message}\n`);
      if (err.code === 'ERR_TOKEN_ROTATION_LAPSED') lapsed(err.code);
    },
  });
  const release = holdProcess();
  // Listen for the signal before the first write, so a supervisor that stops us right after it is heard.
  const stop = ctx.waitForStop().then(() => 'stopped');
  try {
    await rotator.start();
    const sandboxEnv = {
      ATI_PROXY_URL: orch.proxyUrl,
      ATI_SESSION_TOKEN_FILE: values['sandbox-path'] ?? file,
    };
    ctx.stdout.write(formatEnv(sandboxEnv, values.json ? 'json' : 'env'));
    const outcome = await Promise.race([stop, lapse]);
    await rotator.stop();
    ctx.stderr.write(`stopped after ${rotator.rotations} token(s)\n`);
    return outcome === 'stopped' ? 0 : 1;
  } finally {
    await rotator.stop();
    release();
  }
}

/** `ati-client token rotate`. */
export const rotate: Command = run;
