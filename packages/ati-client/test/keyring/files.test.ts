/**
 * The keyring files on disk (contract §8): keyring.enc and its key where ati
 * reads them, the plaintext credentials file byte for byte as `ati key set`
 * writes it (checked against Python's json module, which formats an object of
 * strings exactly as serde_json's pretty printer), modes, and no value in any
 * message.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { open, readdir, readFile, stat, unlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { decodeKeyringKey, openKeyring } from '../../src/keyring/keyring.ts';
import { readLocalKeyring, writeCredentials, writeLocalKeyring } from '../../src/node/keyring-files.ts';
import { rejectsCoded, tempDir, VECTOR } from '../helpers/keyring.ts';

const { fresh } = tempDir('ati-keyring-');
const modeOf = async (path: string) => (await stat(path)).mode & 0o777;

const SECRET = 'sk-live-0123456789abcdef';

/** What ati's sealed-key reader does (security/sealed_file.rs): open, unlink, read, trim, base64. */
async function consumeSealedKey(path: string): Promise<Uint8Array> {
  const handle = await open(path, 'r');
  try {
    await unlink(path);
    return decodeKeyringKey(await handle.readFile('utf8'));
  } finally {
    await handle.close();
  }
}

describe('writeLocalKeyring', () => {
  it('writes keyring.enc and the sealed key (ATI_KEY_FILE) with mode 0600; ati can open them', async () => {
    const atiDir = fresh();
    const keyFile = join(fresh(), 'run', 'ati', '.key');
    const entries = { finnhub_api_key: SECRET, sandbox_signing_shared_secret: 'abcd1234' };
    const files = await writeLocalKeyring(atiDir, entries, { env: { ATI_KEY_FILE: keyFile } });
    assert.equal(files.keyringPath, join(atiDir, 'keyring.enc'));
    assert.equal(files.keyPath, keyFile);
    assert.equal(await modeOf(files.keyringPath), 0o600);
    assert.equal(await modeOf(keyFile), 0o600);
    const keyText = await readFile(keyFile, 'utf8');
    assert.match(keyText, /^[A-Za-z0-9+/]{43}=$/, 'standard base64 with padding, no newline');
    const key = await consumeSealedKey(keyFile);
    assert.deepEqual(key, files.key);
    assert.deepEqual(await openKeyring(await readFile(files.keyringPath), key), entries);
    await assert.rejects(stat(keyFile), { code: 'ENOENT' });
  });

  it('sessionKeyPath wins over ATI_KEY_FILE', async () => {
    const atiDir = fresh();
    const keyPath = join(fresh(), 'k');
    const files = await writeLocalKeyring(
      atiDir,
      { a: 'b' },
      { sessionKeyPath: keyPath, env: { ATI_KEY_FILE: '/nope' } },
    );
    assert.equal(files.keyPath, keyPath);
  });

  it('persistentKey writes <atiDir>/.keyring-key (0600, no newline) and a given key is reused', async () => {
    const atiDir = fresh();
    const files = await writeLocalKeyring(atiDir, VECTOR.entries, { persistentKey: true, key: VECTOR.key });
    assert.equal(files.keyPath, join(atiDir, '.keyring-key'));
    assert.equal(await readFile(files.keyPath, 'utf8'), VECTOR.keyText);
    assert.equal(await modeOf(files.keyPath), 0o600);
    assert.deepEqual(await readLocalKeyring(atiDir), VECTOR.entries);
    // Re-sealing with the same key replaces keyring.enc in place; the key file is unchanged.
    await writeLocalKeyring(atiDir, { finnhub_api_key: 'rotated' }, { persistentKey: true, key: VECTOR.key });
    assert.equal(await readFile(files.keyPath, 'utf8'), VECTOR.keyText);
    assert.deepEqual(await readLocalKeyring(atiDir), { finnhub_api_key: 'rotated' });
  });

  it('sets the mode exactly, whatever the umask, and leaves no temp file behind', async () => {
    const atiDir = fresh();
    const old = process.umask(0o077);
    try {
      const files = await writeLocalKeyring(atiDir, { a: 'b' }, { persistentKey: true, mode: 0o640 });
      assert.equal(await modeOf(files.keyringPath), 0o640);
      assert.equal(await modeOf(files.keyPath), 0o640);
    } finally {
      process.umask(old);
    }
    assert.deepEqual((await readdir(atiDir)).sort(), ['.keyring-key', 'keyring.enc']);
  });

  it('bad options → ERR_INVALID_ARGUMENT before anything is written', async () => {
    const atiDir = fresh();
    const cases: Parameters<typeof writeLocalKeyring>[2][] = [
      { persistentKey: true, sessionKeyPath: join(atiDir, 'k') },
      { sessionKeyPath: '' },
      { mode: 0o1777, persistentKey: true },
      { mode: -1, persistentKey: true },
      { uid: -2, persistentKey: true },
      { gid: 1.5, persistentKey: true },
    ];
    for (const options of cases) {
      await rejectsCoded(writeLocalKeyring(atiDir, { a: SECRET }, options), 'ERR_INVALID_ARGUMENT', [SECRET]);
    }
    await rejectsCoded(writeLocalKeyring('', { a: SECRET }), 'ERR_INVALID_ARGUMENT', [SECRET]);
    await assert.rejects(stat(atiDir), { code: 'ENOENT' });
  });

  it('a non-string value is refused before anything is written, naming the entry only', async () => {
    const atiDir = fresh();
    const err = await rejectsCoded(
      writeLocalKeyring(atiDir, { ok: SECRET, bad: 42 } as unknown as Record<string, string>, {
        persistentKey: true,
      }),
      'ERR_KEYRING_ENTRY_INVALID',
      [SECRET],
    );
    assert.match(err.message, /"bad"/);
    await assert.rejects(stat(atiDir), { code: 'ENOENT' });
  });

  it('a filesystem failure → ERR_KEYRING_WRITE_FAILED naming the path, never a value or the key', async () => {
    const blocker = fresh();
    await writeFile(blocker, 'not a directory');
    const err = await rejectsCoded(
      writeLocalKeyring(join(blocker, 'ati'), { a: SECRET }, { persistentKey: true, key: VECTOR.key }),
      'ERR_KEYRING_WRITE_FAILED',
      [SECRET, VECTOR.keyText],
    );
    assert.match(err.message, /ENOTDIR|EEXIST/);
  });
});

describe('writeLocalKeyring write order', () => {
  it('writes keyring.enc before its key: a key that cannot be written leaves the new keyring and no key', async () => {
    const atiDir = fresh();
    const blocker = `${fresh()}-not-a-dir`;
    await writeFile(blocker, 'x');
    await rejectsCoded(
      writeLocalKeyring(atiDir, { a: SECRET }, { sessionKeyPath: join(blocker, 'key') }),
      'ERR_KEYRING_WRITE_FAILED',
      [SECRET],
    );
    assert.ok((await stat(join(atiDir, 'keyring.enc'))).isFile());
    await assert.rejects(stat(join(blocker, 'key')));
  });
});

describe('readLocalKeyring', () => {
  it('reports a missing key file, a bad key and a tampered keyring with codes', async () => {
    const atiDir = fresh();
    await rejectsCoded(readLocalKeyring(atiDir), 'ERR_KEYRING_READ_FAILED');
    await writeLocalKeyring(atiDir, { a: SECRET }, { persistentKey: true });
    await writeFile(join(atiDir, 'bad-key'), 'not base64!');
    await rejectsCoded(
      readLocalKeyring(atiDir, { keyPath: join(atiDir, 'bad-key') }),
      'ERR_KEYRING_KEY_INVALID',
      ['not base64!'],
    );
    await writeFile(join(atiDir, 'bom-key'), Buffer.from([0xff, 0xfe]));
    await rejectsCoded(
      readLocalKeyring(atiDir, { keyPath: join(atiDir, 'bom-key') }),
      'ERR_KEYRING_KEY_INVALID',
    );
    const enc = await readFile(join(atiDir, 'keyring.enc'));
    enc[enc.length - 1]! ^= 1;
    await writeFile(join(atiDir, 'keyring.enc'), enc);
    await rejectsCoded(readLocalKeyring(atiDir), 'ERR_KEYRING_DECRYPT_FAILED', [SECRET]);
  });

  it('refuses a FIFO as the key file instead of waiting for a writer', async () => {
    const atiDir = fresh();
    await writeLocalKeyring(atiDir, { a: SECRET }, { persistentKey: true });
    const fifo = join(atiDir, 'key-fifo');
    execFileSync('mkfifo', [fifo]);
    await rejectsCoded(readLocalKeyring(atiDir, { keyPath: fifo }), 'ERR_KEYRING_READ_FAILED');
  });
});

describe('writeCredentials (as `ati key set` writes ~/.ati/credentials)', () => {
  it('pretty JSON, names sorted, no trailing newline, mode 0600', async () => {
    const atiDir = fresh();
    const path = await writeCredentials(atiDir, {
      zeta: 'z',
      Alpha: 'line\nbreak "q" \\ \u0001',
      beta: '@file:/run/secrets/b',
    });
    assert.equal(path, join(atiDir, 'credentials'));
    assert.equal(
      await readFile(path, 'utf8'),
      '{\n  "Alpha": "line\\nbreak \\"q\\" \\\\ \\u0001",\n  "beta": "@file:/run/secrets/b",\n  "zeta": "z"\n}',
    );
    assert.equal(await modeOf(path), 0o600);
    assert.equal(await readFile(await writeCredentials(fresh(), {}), 'utf8'), '{}');
  });

  it('matches serde_json pretty (via Python json, same format) for any entries', async () => {
    const samples = fc.sample(
      fc.dictionary(fc.string({ unit: 'binary', minLength: 1 }), fc.string({ unit: 'binary' }), {
        maxKeys: 6,
      }),
      { numRuns: 150, seed: 11 },
    );
    const ours: string[] = [];
    for (const entries of samples)
      ours.push(await readFile(await writeCredentials(fresh(), entries), 'utf8'));
    const script =
      'import json,sys\nfor d in json.load(sys.stdin): sys.stdout.write(json.dumps(d, sort_keys=True, indent=2, ensure_ascii=False) + "\\0")';
    const python = execFileSync('/usr/bin/python3', ['-c', script], {
      input: JSON.stringify(samples),
    }).toString('utf8');
    assert.deepEqual(ours, python.split('\0').slice(0, -1));
  });

  it('refuses what ati could not load, naming no value', async () => {
    await rejectsCoded(writeCredentials(fresh(), { a: `${SECRET}\ud800` }), 'ERR_KEYRING_ENTRY_INVALID', [
      SECRET,
    ]);
    await rejectsCoded(
      writeCredentials(fresh(), { a: 7 } as unknown as Record<string, string>),
      'ERR_KEYRING_ENTRY_INVALID',
    );
  });
});
