/** Shared by the keyring tests: coded failures that never show a secret. */
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before } from 'node:test';
import { AtiError } from '../../src/errors.ts';
import { rejectsWith, renderings } from './http.ts';

/** The §8 vector: key 0x00..0x1f, nonce 0x00..0x0b, one entry (contract §8, [V]). */
export const VECTOR = {
  key: Uint8Array.from({ length: 32 }, (_, i) => i),
  keyText: 'AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=',
  nonce: Uint8Array.from({ length: 12 }, (_, i) => i),
  entries: { finnhub_api_key: 'abc123' },
  keyringEncHex:
    '000102030405060708090a0b3c20b072ab8baa6eef1ef6fbd8b61308faf4bd1691193c4d0a54c7f8266c7e8be063f52962e385357f817455',
} as const;

/** Assert that no rendering of `error` (message, stack, inspect with causes, JSON) contains any of `secrets`. */
export function assertNoSecret(error: unknown, secrets: readonly string[]): void {
  for (const text of renderings(error)) {
    for (const secret of secrets) {
      assert.ok(!text.includes(secret), `error rendering shows a secret: ${text.slice(0, 200)}`);
    }
  }
}

/** Await a rejection with `code` whose renderings hold none of `secrets`. */
export async function rejectsCoded(
  promise: Promise<unknown>,
  code: string,
  secrets: readonly string[] = [],
): Promise<AtiError> {
  const error = await rejectsWith(promise, code);
  assertNoSecret(error, secrets);
  return error;
}

/** Run a sync function that must throw `code`; returns the error. */
export function throwsCoded(fn: () => unknown, code: string, secrets: readonly string[] = []): AtiError {
  try {
    fn();
  } catch (error) {
    assert.ok(error instanceof AtiError, `expected an AtiError, got ${String(error)}`);
    assert.equal(error.code, code, `expected ${code}, got ${error.code}: ${error.message}`);
    assertNoSecret(error, secrets);
    return error;
  }
  assert.fail(`expected ${code}, but nothing was thrown`);
}

/** Seal arbitrary plaintext bytes with AES-256-GCM as ati lays it out, to feed the reader hostile JSON. */
export async function sealRaw(
  plaintext: Uint8Array,
  key: Uint8Array = VECTOR.key,
  nonce: Uint8Array = crypto.getRandomValues(new Uint8Array(12)),
): Promise<Uint8Array> {
  const cryptoKey = await crypto.subtle.importKey('raw', new Uint8Array(key), 'AES-GCM', false, ['encrypt']);
  const sealed = new Uint8Array(
    await crypto.subtle.encrypt(
      { name: 'AES-GCM', iv: new Uint8Array(nonce) },
      cryptoKey,
      new Uint8Array(plaintext),
    ),
  );
  const out = new Uint8Array(12 + sealed.length);
  out.set(nonce);
  out.set(sealed, 12);
  return out;
}

/** Collect process warnings with `code` emitted while `fn` runs. */
export async function warningsDuring(code: string, fn: () => Promise<unknown>): Promise<string[]> {
  const seen: string[] = [];
  const listener = (warning: Error & { code?: string }) => {
    if (warning.code === code) seen.push(warning.message);
  };
  process.on('warning', listener);
  try {
    await fn();
    // Warnings are emitted on the next tick.
    await new Promise((resolve) => setImmediate(resolve));
  } finally {
    process.off('warning', listener);
  }
  return seen;
}

/** A temp directory for this test file (made before, removed after); `fresh()` names a new path in it. */
export function tempDir(prefix: string): { readonly root: string; fresh: () => string } {
  let root = '';
  let n = 0;
  before(async () => {
    root = await mkdtemp(join(tmpdir(), prefix));
  });
  after(async () => {
    await rm(root, { recursive: true, force: true });
  });
  return {
    get root() {
      return root;
    },
    fresh: () => join(root, `case-${n++}`),
  };
}
