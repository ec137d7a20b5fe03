/**
 * The dev proxy's key store, opened in the background when virtual keys are
 * configured (`adminToken`, `databaseUrl` or `keyDatabase`).
 *
 * @module
 */

import { AtiError } from 'ati-client/internal';
import type { DevProxyOptions } from '../types.ts';
import type { DevKeyDatabase } from './db.ts';
import type { KeyStore } from './store.ts';

/** The key store of one dev proxy. */
export interface Keys {
  /** Resolves once the tables exist and the listener runs; rejects with `ERR_KEY_DATABASE`. */
  readonly opened: Promise<void>;
  /** The store, or `undefined` when it could not be opened (the proxy's "no key store": 503). */
  store(): Promise<KeyStore | undefined>;
  connected(): boolean;
  close(): Promise<void>;
}

export function openKeys(o: DevProxyOptions): Keys | undefined {
  const wanted =
    (o.adminToken !== undefined && o.adminToken !== '') ||
    o.databaseUrl !== undefined ||
    o.keyDatabase !== undefined;
  if (!wanted) return undefined;
  if (o.adminToken !== undefined && typeof o.adminToken !== 'string') {
    throw new AtiError('ERR_INVALID_ARGUMENT', 'adminToken must be a string');
  }
  if (o.databaseUrl !== undefined && o.keyDatabase !== undefined) {
    throw new AtiError('ERR_INVALID_ARGUMENT', 'Give databaseUrl or keyDatabase, not both');
  }
  let db: DevKeyDatabase | undefined;
  let store: KeyStore | undefined;
  let closing: Promise<void> | undefined;
  const owned = o.keyDatabase === undefined;
  const opening = (async () => {
    const { openKeyDatabase } = await import('#key-db');
    const { KeyStore } = await import('./store.ts');
    db = o.keyDatabase ?? (await openKeyDatabase({ url: o.databaseUrl }));
    if (closing !== undefined) throw new AtiError('ERR_KEY_DATABASE', 'The dev proxy was closed');
    store = await KeyStore.open(db, o.onKeyEvent);
    return store;
  })();
  const opened = opening.then(
    () => undefined,
    async (err: unknown) => {
      if (owned) await db?.close();
      if (err instanceof AtiError) throw err;
      throw new AtiError(
        'ERR_KEY_DATABASE',
        `The key database could not be prepared: ${err instanceof Error ? err.message : String(err)}`,
      );
    },
  );
  opened.catch(() => undefined);
  return {
    opened,
    store: () => opening.catch(() => undefined),
    connected: () => store !== undefined && closing === undefined,
    close() {
      closing ??= (async () => {
        await opened.catch(() => undefined);
        store?.close();
        if (owned) await db?.close();
      })();
      return closing;
    },
  };
}
