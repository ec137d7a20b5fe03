/**
 * Child process for backend-node-fallback.test.ts: removes `crypto.hash`
 * (as on Node 20 before 20.12), then loads the node backend and prints what
 * it computes, so the parent can check the `createHmac` path.
 */
import crypto from 'node:crypto';
import { syncBuiltinESMExports } from 'node:module';

delete (crypto as { hash?: unknown }).hash;
syncBuiltinESMExports();

const { nodeCryptoBackend } = await import('../../../src/jws/backend-node.ts');
const key = nodeCryptoBackend.importHmacKey(new Uint8Array(40).fill(9));
const data = process.argv[2] ?? '';
const mac = nodeCryptoBackend.hmacSign(key, data);
process.stdout.write(
  JSON.stringify({
    hashPresent: 'hash' in crypto,
    mac,
    verifies: nodeCryptoBackend.hmacVerify(key, data, mac as string),
    tamperedVerifies: nodeCryptoBackend.hmacVerify(key, `${data}x`, mac as string),
  }),
);
