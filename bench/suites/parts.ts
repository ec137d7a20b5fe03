/**
 * Pieces of the HS256 path, each against the platform primitive it stands
 * in for: the strict JSON parser against `JSON.parse` (what verdict parity
 * costs), and our HMAC (two one-shot `crypto.hash` calls, base64url out)
 * against `createHmac`. Ratios are `ours ÷ peer`.
 *
 * @module
 */
import { createHmac } from 'node:crypto';
import { nodeCryptoBackend } from '../../packages/ati-client/src/jws/backend-node.ts';
import { parseJson } from '../../packages/ati-client/src/jws/json.ts';
import { issueToken } from '../../packages/ati-client/src/token/issue.ts';
import { issueOptionsFor, makeClaims } from '../fixtures.ts';
import { type BenchCase, defineSuite } from '../harness.ts';

const SECRET = '4f1c6a0e9b2d7c3a58e1f0b6d4a29c7e13b8f5d0a6c2e9f7b1d3a5c8e0f2b4d6';

export default defineSuite('parts', async (): Promise<BenchCase[]> => {
  const claims = makeClaims();
  const token = await issueToken({ secret: SECRET, ...issueOptionsFor(claims) });
  const [header, payload, signature] = token.split('.') as [string, string, string];
  const payloadText = Buffer.from(payload, 'base64url').toString('utf8');
  const signingInput = `${header}.${payload}`;
  const keyBytes = Buffer.from(SECRET, 'hex');
  const key = nodeCryptoBackend.importHmacKey(keyBytes);
  if (nodeCryptoBackend.hmacSign(key, signingInput) !== signature) throw new Error('HMAC disagrees');
  return [
    {
      name: 'payload parse',
      description: `the token's ${payloadText.length}-character claims JSON`,
      peers: [
        {
          name: 'ours',
          note: 'strict parser (duplicates, integer syntax, surrogates, depth)',
          fn: () => parseJson(payloadText),
        },
        { name: 'JSON.parse', note: 'loses all of that', fn: () => JSON.parse(payloadText) },
      ],
    },
    {
      name: 'HMAC',
      description: `HMAC-SHA256 of the ${signingInput.length}-character signing input, base64url out`,
      peers: [
        {
          name: 'ours',
          note: 'node backend hmacSign (two crypto.hash calls)',
          fn: () => nodeCryptoBackend.hmacSign(key, signingInput),
        },
        {
          name: 'createHmac',
          note: 'Buffer key',
          fn: () => createHmac('sha256', keyBytes).update(signingInput).digest('base64url'),
        },
      ],
    },
  ];
});
