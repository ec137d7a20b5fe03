/**
 * One clock type: every `now` option takes epoch seconds as a number or as a
 * function read at each use, and floors it.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createDevProxy } from 'ati-dev-proxy';
import {
  type Clock,
  issueToken,
  ScopeSet,
  signSandboxRequest,
  validateToken,
  verifySandboxSignature,
} from '../../src/index.ts';
import { SECRET } from '../helpers/constants.ts';

const T = 1_800_000_000;
const clocks: [string, Clock][] = [
  ['a number', T + 0.9],
  ['a function', () => T + 0.9],
];

describe('every now option takes a number or a function', () => {
  for (const [what, now] of clocks) {
    it(`issueToken, validateToken, ScopeSet, sandbox signatures and the dev proxy with ${what}`, async () => {
      const token = await issueToken({ secret: SECRET, sub: 's', scope: 'tool:x', ttlSeconds: 10, now });
      const claims = await validateToken(token, { secret: SECRET, now });
      assert.equal(claims.iat, T);
      await assert.rejects(validateToken(token, { secret: SECRET, now: () => T + 71 }), {
        code: 'ERR_JWT_EXPIRED',
      });
      assert.equal(ScopeSet.fromClaims(claims, now).isExpired(), false);
      assert.equal(new ScopeSet([], T + 1, () => T + 1.5).isExpired(), false, 'floored');
      const header = await signSandboxRequest({ secret: SECRET, method: 'GET', path: '/x', timestamp: now });
      assert.equal(
        await verifySandboxSignature(header, { secret: SECRET, method: 'GET', path: '/x', now }),
        'valid',
      );
      const proxy = createDevProxy({ secret: SECRET, now });
      const res = await proxy.fetch(
        new Request('http://127.0.0.1/tools', { headers: { authorization: `Bearer ${token}` } }),
      );
      assert.equal(res.status, 200);
    });
  }

  it('a function clock is read at each use', async () => {
    let t = T;
    const proxy = createDevProxy({ secret: SECRET, now: () => t });
    const token = await issueToken({ secret: SECRET, sub: 's', scope: '', ttlSeconds: 10, now: T });
    const get = () =>
      proxy.fetch(new Request('http://127.0.0.1/tools', { headers: { authorization: `Bearer ${token}` } }));
    assert.equal((await get()).status, 200);
    t = T + 71;
    assert.equal((await get()).status, 401);
  });

  it('a clock that is not a number or a function is refused with a code', async () => {
    const bad = 'soon' as unknown as Clock;
    await assert.rejects(issueToken({ secret: SECRET, sub: 's', scope: '', now: bad }), {
      code: 'ERR_INVALID_ARGUMENT',
    });
    assert.throws(() => createDevProxy({ now: bad }), { code: 'ERR_INVALID_ARGUMENT' });
  });
});
