/**
 * One embedded Postgres (PGlite) per test process, shared by every dev proxy
 * the file starts (as proxy pods share one database): booting PGlite is the
 * slow part of a virtual-key test, so it happens once.
 */

import type { DevKeyDatabase, DevProxyOptions, RunningDevProxy } from 'ati-dev-proxy';
import { openKeyDatabase, sampleFixtures, startDevProxy } from 'ati-dev-proxy';
import { SECRET } from './constants.ts';

let database: Promise<DevKeyDatabase> | undefined;

/** A dev proxy with the sample fixtures, HS256 `SECRET`, `adminToken`, on the shared key database. */
export async function startKeyProxy(
  adminToken: string,
  options: Partial<DevProxyOptions> & { port?: number } = {},
): Promise<RunningDevProxy> {
  database ??= openKeyDatabase();
  return startDevProxy({
    ...sampleFixtures,
    secret: SECRET,
    adminToken,
    keyDatabase: await database,
    ...options,
  });
}

/** Close the shared database (call in the file's `after`, after the proxies). */
export async function closeKeyDatabase(): Promise<void> {
  const db = database;
  database = undefined;
  if (db !== undefined) await (await db).close();
}
