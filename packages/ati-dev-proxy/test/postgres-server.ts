/**
 * A throwaway Postgres server for tests and benchmarks: `initdb` into a temp
 * directory, `pg_ctl start` on a free port of 127.0.0.1, trust auth, fsync
 * off. As root the cluster runs as `nobody` (initdb refuses root). Binaries
 * come from /usr/lib/postgresql/<version>/bin (Debian's `postgresql`), or
 * from `PG_BIN` when set.
 *
 * @module
 */
import { execFile } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** The directory holding `initdb` and `pg_ctl`, or `undefined` when Postgres is not installed. */
export function postgresBinDir(): string | undefined {
  const fromEnv = process.env.PG_BIN;
  if (fromEnv !== undefined && existsSync(join(fromEnv, 'initdb'))) return fromEnv;
  const root = '/usr/lib/postgresql';
  if (!existsSync(root)) return undefined;
  const versions = readdirSync(root)
    .filter((v) => existsSync(join(root, v, 'bin', 'initdb')) && existsSync(join(root, v, 'bin', 'pg_ctl')))
    .sort((a, b) => Number(b) - Number(a));
  return versions[0] === undefined ? undefined : join(root, versions[0], 'bin');
}

/** Why the real-server suites are skipped here, or `false` when they can run. */
export function postgresSkipReason(): string | false {
  return postgresBinDir() === undefined
    ? 'Postgres binaries not found (install Debian postgresql: /usr/lib/postgresql/*/bin), real-server suites skipped'
    : false;
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      const port = typeof addr === 'object' && addr !== null ? addr.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

/** A running throwaway server. */
export interface TestPostgres {
  /** `postgres://postgres@127.0.0.1:<port>/postgres` */
  readonly url: string;
  readonly port: number;
  /** Stop the server (immediate mode) and delete its directory. */
  stop(): Promise<void>;
  /** Kill every client connection (as a server restart would), to exercise reconnects. */
  terminateConnections(): Promise<void>;
}

/**
 * Start a server.
 *
 * @throws when the binaries are missing or the server does not start.
 */
export async function startTestPostgres(): Promise<TestPostgres> {
  const bin = postgresBinDir();
  if (bin === undefined) throw new Error('Postgres binaries not found');
  const asRoot = process.getuid?.() === 0;
  // As root the cluster runs as nobody, who must reach the directory: /tmp, whatever TMPDIR says.
  const dir = mkdtempSync(join(asRoot ? '/tmp' : tmpdir(), 'ati-pg-'));
  const data = join(dir, 'data');
  const cmd = async (file: string, args: string[]): Promise<void> => {
    if (asRoot) await run('runuser', ['-u', 'nobody', '--', join(bin, file), ...args], { cwd: dir });
    else await run(join(bin, file), args, { cwd: dir });
  };
  if (asRoot) {
    const { stdout } = await run('id', ['-u', 'nobody']);
    const { stdout: gid } = await run('id', ['-g', 'nobody']);
    chownSync(dir, Number(stdout.trim()), Number(gid.trim()));
  }
  try {
    await cmd('initdb', [
      '-D',
      data,
      '-U',
      'postgres',
      '--auth=trust',
      '-E',
      'UTF8',
      '--locale=C',
      '--no-sync',
    ]);
  } catch (err) {
    rmSync(dir, { recursive: true, force: true });
    throw err;
  }
  let port = 0;
  let started = false;
  for (let attempt = 0; attempt < 5 && !started; attempt++) {
    port = await freePort();
    const opts = `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off`;
    try {
      await cmd('pg_ctl', ['-D', data, '-o', opts, '-l', join(dir, 'log'), '-w', '-t', '60', 'start']);
      started = true;
    } catch {
      // The port was taken in between: try another.
    }
  }
  if (!started) {
    const log = existsSync(join(dir, 'log')) ? readFileSync(join(dir, 'log'), 'utf8') : '';
    rmSync(dir, { recursive: true, force: true });
    throw new Error(`Postgres did not start:\n${log}`);
  }
  const url = `postgres://postgres@127.0.0.1:${port}/postgres`;
  let stopping: Promise<void> | undefined;
  return {
    url,
    port,
    stop() {
      stopping ??= (async () => {
        await cmd('pg_ctl', ['-D', data, '-m', 'immediate', '-w', 'stop']).catch(() => undefined);
        rmSync(dir, { recursive: true, force: true });
      })();
      return stopping;
    },
    async terminateConnections() {
      const { default: pg } = await import('pg');
      const client = new pg.Client({ connectionString: url });
      await client.connect();
      try {
        await client.query(
          'SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE pid <> pg_backend_pid() AND datname IS NOT NULL',
        );
      } finally {
        await client.end();
      }
    },
  };
}
