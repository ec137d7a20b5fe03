/**
 * What `#key-db` resolves to outside Node (workers, browsers): the key
 * database drivers (`@electric-sql/pglite`, `pg`) need Node, so virtual keys
 * fail with a coded error instead of pulling them into a worker bundle.
 *
 * @module
 */
import { AtiError } from 'ati-client/internal';
import type { DevKeyDatabase, OpenKeyDatabaseOptions } from './db.ts';

/**
 * Unavailable outside Node: pass a `keyDatabase` opened elsewhere, or run the dev proxy on Node.
 *
 * @throws {AtiError} `ERR_KEY_DATABASE`, always.
 */
export async function openKeyDatabase(_options?: OpenKeyDatabaseOptions): Promise<DevKeyDatabase> {
  throw new AtiError(
    'ERR_KEY_DATABASE',
    'The key database needs Node.js (PGlite or pg); run the dev proxy on Node',
  );
}
