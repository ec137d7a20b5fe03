/**
 * The dev proxy's Postgres, behind one small interface with two backends:
 * PGlite (embedded Postgres in WebAssembly, the default) and a real server
 * through `pg`. Both drivers are loaded with dynamic `import()`, so the dev
 * proxy loads without them until virtual keys are used.
 *
 * Messages never carry the database URL (it may hold a password).
 *
 * @module
 */

import { AtiError } from 'ati-client/internal';

/** One result row: column name → the driver's value (text, boolean, text[]). */
export type SqlRow = Record<string, unknown>;

/** Runs one statement. */
export interface SqlRunner {
  /** Run `sql` with `$1`-style `params`; resolves to the result rows. */
  query(sql: string, params?: readonly unknown[]): Promise<SqlRow[]>;
}

/**
 * A Postgres database the dev proxy keeps its virtual keys in: statements,
 * transactions and LISTEN. Open one with {@link openKeyDatabase} to share it
 * between dev proxies (two proxies on one database are two proxy pods).
 */
export interface DevKeyDatabase extends SqlRunner {
  /** `'pglite'` (embedded) or `'postgres'` (a server). */
  readonly kind: 'pglite' | 'postgres';
  /** Run `fn` in one transaction: committed when it resolves, rolled back when it throws. */
  transaction<T>(fn: (tx: SqlRunner) => Promise<T>): Promise<T>;
  /**
   * LISTEN on `channel`. `onPayload` gets each notification's payload;
   * `onReconnect` runs after the listening connection was lost and came back
   * (notifications in between may be lost). Returns the function that stops listening.
   */
  listen(channel: string, onPayload: (payload: string) => void, onReconnect: () => void): Promise<() => void>;
  /** Close every connection. Idempotent. */
  close(): Promise<void>;
}

/** Options of {@link openKeyDatabase}. */
export interface OpenKeyDatabaseOptions {
  /**
   * A `postgres://` URL of a real server (the proxy's `ATI_DB_URL`).
   * @default an in-memory PGlite database
   */
  url?: string | undefined;
}

/** Listener reconnect backoff, as the proxy's: 1 s doubling up to 30 s. */
const BACKOFF_FIRST_MS = 1000;
const BACKOFF_MAX_MS = 30_000;

function unavailable(what: string, err: unknown): AtiError {
  const why = err instanceof Error ? err.message : String(err);
  return new AtiError('ERR_KEY_DATABASE', `${what}: ${why}`);
}

async function importDriver<T>(name: string, load: () => Promise<T>): Promise<T> {
  try {
    return await load();
  } catch (err) {
    throw new AtiError(
      'ERR_KEY_DATABASE',
      `Virtual keys need the ${name} package (npm install ${name}): ${err instanceof Error ? err.message : String(err)}`,
    );
  }
}

/**
 * Open the database the dev proxy's virtual keys live in: an in-memory PGlite
 * by default, or the Postgres server at `url`. The tables are created on
 * first use by the dev proxy, not here.
 *
 * @throws {AtiError} `ERR_KEY_DATABASE` when the driver is missing or the server unreachable.
 * @example
 * ```ts
 * const db = await openKeyDatabase({ url: process.env.ATI_DB_URL });
 * const a = await startDevProxy({ adminToken, keyDatabase: db });
 * const b = await startDevProxy({ adminToken, keyDatabase: db });
 * ```
 */
export async function openKeyDatabase(options: OpenKeyDatabaseOptions = {}): Promise<DevKeyDatabase> {
  const { url } = options;
  if (url !== undefined && (typeof url !== 'string' || url === '')) {
    throw new AtiError('ERR_INVALID_ARGUMENT', 'databaseUrl must be a non-empty postgres:// URL');
  }
  return url === undefined ? openPglite() : openServer(url);
}

async function openPglite(): Promise<DevKeyDatabase> {
  const { PGlite } = await importDriver('@electric-sql/pglite', () => import('@electric-sql/pglite'));
  let db: InstanceType<typeof PGlite>;
  try {
    db = new PGlite();
    await db.waitReady;
  } catch (err) {
    throw unavailable('PGlite did not start', err);
  }
  let closed: Promise<void> | undefined;
  const run = async (q: Pick<typeof db, 'query'>, sql: string, params?: readonly unknown[]) =>
    (await q.query<SqlRow>(sql, params === undefined ? undefined : [...params])).rows;
  return {
    kind: 'pglite',
    query: (sql, params) => run(db, sql, params),
    transaction: (fn) => db.transaction((tx) => fn({ query: (sql, params) => run(tx, sql, params) })),
    async listen(channel, onPayload) {
      // One process, one connection: nothing to reconnect.
      const stop = await db.listen(channel, onPayload);
      return () => {
        void stop().catch(() => undefined);
      };
    },
    close() {
      closed ??= db.close().catch(() => undefined);
      return closed;
    },
  };
}

async function openServer(url: string): Promise<DevKeyDatabase> {
  const pg = (await importDriver('pg', () => import('pg'))).default;
  const pool = new pg.Pool({ connectionString: url, max: 10 });
  // An idle client's error (server restart) must not crash the process; the next query reconnects.
  pool.on('error', () => undefined);
  try {
    (await pool.connect()).release();
  } catch (err) {
    await pool.end().catch(() => undefined);
    throw unavailable('Cannot connect to the key database', err);
  }
  const listeners = new Set<() => void>();
  let closed: Promise<void> | undefined;
  return {
    kind: 'postgres',
    async query(sql, params) {
      return (await pool.query<SqlRow>(sql, params === undefined ? undefined : [...params])).rows;
    },
    async transaction(fn) {
      const client = await pool.connect();
      let broken: Error | undefined;
      try {
        await client.query('BEGIN');
        const out = await fn({
          query: async (sql, params) =>
            (await client.query<SqlRow>(sql, params === undefined ? undefined : [...params])).rows,
        });
        await client.query('COMMIT');
        return out;
      } catch (err) {
        try {
          await client.query('ROLLBACK');
        } catch (rollbackErr) {
          broken = rollbackErr instanceof Error ? rollbackErr : new Error(String(rollbackErr));
        }
        throw err;
      } finally {
        client.release(broken);
      }
    },
    async listen(channel, onPayload, onReconnect) {
      const stop = await listenWithReconnect(pg.Client, url, channel, onPayload, onReconnect);
      listeners.add(stop);
      return () => {
        listeners.delete(stop);
        stop();
      };
    },
    close() {
      closed ??= (async () => {
        for (const stop of listeners) stop();
        listeners.clear();
        await pool.end().catch(() => undefined);
      })();
      return closed;
    },
  };
}

type PgClientClass = typeof import('pg').Client;

/**
 * A dedicated connection LISTENing on `channel`, reconnected with backoff
 * (1 s doubling to 30 s, reset once connected) when it drops, as the proxy's
 * listener task does. The first connection must succeed.
 */
async function listenWithReconnect(
  Client: PgClientClass,
  url: string,
  channel: string,
  onPayload: (payload: string) => void,
  onReconnect: () => void,
): Promise<() => void> {
  let stopped = false;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let current: InstanceType<PgClientClass> | undefined;
  let backoff = BACKOFF_FIRST_MS;
  const quoted = `"${channel.replaceAll('"', '""')}"`;

  const connect = async (): Promise<void> => {
    const client = new Client({ connectionString: url });
    client.on('notification', (msg) => {
      if (msg.channel === channel) onPayload(msg.payload ?? '');
    });
    let lost = false;
    const onLost = (): void => {
      if (lost) return;
      lost = true;
      client.end().catch(() => undefined);
      if (current === client) current = undefined;
      schedule();
    };
    client.on('error', onLost);
    client.on('end', onLost);
    try {
      await client.connect();
      await client.query(`LISTEN ${quoted}`);
    } catch (err) {
      lost = true;
      client.removeAllListeners('end');
      await client.end().catch(() => undefined);
      throw err;
    }
    if (stopped) {
      lost = true;
      await client.end().catch(() => undefined);
      return;
    }
    current = client;
    backoff = BACKOFF_FIRST_MS;
  };

  const schedule = (): void => {
    if (stopped || timer !== undefined) return;
    timer = setTimeout(() => {
      timer = undefined;
      connect().then(onReconnect, () => {
        backoff = Math.min(backoff * 2, BACKOFF_MAX_MS);
        schedule();
      });
    }, backoff);
    timer.unref?.();
  };

  try {
    await connect();
  } catch (err) {
    throw unavailable('Cannot LISTEN on the key database', err);
  }
  return () => {
    stopped = true;
    if (timer !== undefined) clearTimeout(timer);
    const c = current;
    current = undefined;
    if (c !== undefined) {
      c.removeAllListeners('end');
      c.removeAllListeners('error');
      c.on('error', () => undefined);
      void c.end().catch(() => undefined);
    }
  };
}
