/**
 * The claims table (`token/claim-table.ts`) is the one declaration of the
 * claims. `toJSON` and the parser's known keys loop over it; the payload
 * encoder and decoder are generated from it (`npm run gen`). This checks that
 * the committed generated file is what the table gives, and then, from the
 * outside, that every claim is read with the table's kind and optionality and
 * issued in the table's order.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { biomeFormat, CODEC_PATH, renderClaimCodec } from '../../../../scripts/gen-claim-codec.ts';
import { issueToken } from '../../src/index.ts';
import { parseJson } from '../../src/jws/json.ts';
import { CLAIMS } from '../../src/token/claim-table.ts';
import { claimsFromPayload } from '../../src/token/claims.ts';
import { SECRET } from '../helpers/constants.ts';

const FULL: Record<string, unknown> = {
  iss: 'i',
  sub: 's',
  aud: 'a',
  iat: 1,
  exp: 2,
  jti: 'j',
  scope: 'tool:x',
  ati: { v: 1, rate: { 'tool:x': '1/sec' } },
  job_id: 'job',
  sandbox_id: 'sb',
};
const WRONG: Record<string, unknown> = { string: 7, u64: '7', ati: 'x' };

function decode(payload: Record<string, unknown>) {
  return claimsFromPayload(parseJson(JSON.stringify(payload)));
}

describe('the generated codec', () => {
  it('claim-codec.ts is what the table generates (else run `npm run gen`)', () => {
    const root = fileURLToPath(new URL('../../../../', import.meta.url));
    assert.equal(readFileSync(CODEC_PATH, 'utf8'), biomeFormat(renderClaimCodec(), root));
  });

  it('a changed table changes the codec (the generator reads every column)', () => {
    const base = renderClaimCodec();
    const moved = [...CLAIMS.slice(1), CLAIMS[0]!];
    assert.notEqual(renderClaimCodec(moved), base, 'order');
    for (const [i, change] of [
      [1, { option: 'subject' }],
      [1, { optional: true }],
      [8, { issue: 'always' }],
      [6, { kind: 'u64' }],
    ] as const) {
      const claims = CLAIMS.map((c, j) => (j === i ? { ...c, ...change } : c));
      assert.notEqual(renderClaimCodec(claims), base, JSON.stringify(change));
    }
  });

  it('refuses a table it cannot write code for', () => {
    const none = CLAIMS.map((c) => ({ ...c, issue: 'given' as const }));
    assert.throws(() => renderClaimCodec(none), /no claim is always issued/);
    const optionalU64 = CLAIMS.map((c) => (c.wire === 'iat' ? { ...c, optional: true } : c));
    assert.throws(() => renderClaimCodec(optionalU64), /optional u64/);
  });
});

describe('decode follows the claims table', () => {
  it('the table and the test fixture name the same claims, in serialization order', () => {
    assert.deepEqual(
      CLAIMS.map((c) => c.wire),
      Object.keys(FULL),
    );
    assert.deepEqual(Object.keys(decode(FULL).toJSON()), Object.keys(FULL));
  });

  for (const claim of CLAIMS) {
    it(`${claim.wire}: a ${claim.kind}, ${claim.optional ? 'optional' : 'required'}`, () => {
      assert.throws(() => decode({ ...FULL, [claim.wire]: WRONG[claim.kind] }), {
        code: 'ERR_JWT_CLAIMS_INVALID',
        message: new RegExp(`^Claim "${claim.wire}(\\.v)?"`),
      });
      const { [claim.wire]: _, ...without } = FULL;
      if (claim.optional) assert.equal(decode(without)[claim.wire], undefined);
      else
        assert.throws(() => decode(without), {
          message: new RegExp(`^Claim "${claim.wire}" must be present`),
        });
    });
  }

  it("issue errors name each string claim by the table's option name", async () => {
    for (const claim of CLAIMS.filter((c) => c.kind === 'string')) {
      await assert.rejects(
        issueToken({ secret: SECRET, sub: 's', scope: '', [claim.option]: 7 }),
        { code: 'ERR_INVALID_ARGUMENT', message: new RegExp(`^${claim.option} must be`) },
        claim.wire,
      );
    }
  });

  it('issue writes the claims in the table order', async () => {
    const token = await issueToken({
      secret: SECRET,
      sub: 's',
      scope: '',
      jobId: 'j',
      sandboxId: 'sb',
      now: 1,
    });
    const payload = JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString()) as object;
    assert.deepEqual(
      Object.keys(payload),
      CLAIMS.map((c) => c.wire),
    );
  });
});
