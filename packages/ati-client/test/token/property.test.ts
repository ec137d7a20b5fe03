/**
 * Property tests (fast-check): mutated tokens never validate, decoding
 * arbitrary input only ever throws AtiError, the codecs and the JSON parser
 * agree with independent oracles, scope matching obeys its laws, and the
 * rate-spec grammar matches an independent regular expression.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { AtiError } from '../../src/errors.ts';
import {
  base64Decode,
  base64Encode,
  base64urlDecode,
  base64urlEncode,
  hexDecode,
  hexEncode,
} from '../../src/jws/encoding.ts';
import { JsonFloat, JsonSyntaxError, parseJson, toPlain } from '../../src/jws/json.ts';
import { parseRateSpec } from '../../src/rate/rate.ts';
import { checkScope, matchesWildcard, parseScopes, ScopeSet } from '../../src/scope/scope.ts';
import { inspectToken } from '../../src/token/inspect.ts';
import { validateToken } from '../../src/token/validate.ts';
import { SECRET } from '../helpers/constants.ts';
import { BACKENDS, b64u, ES_HEADER, makeEsKeys, NOW, payload, signRaw, validHs } from '../helpers/token.ts';

const keys = makeEsKeys();
const HS_TOKEN = validHs();
const ES_TOKEN = signRaw(ES_HEADER, payload(), { ec: keys.privateKey });

/** Characters a mutation inserts: mostly plausible token characters, some hostile ones. */
const tokenChar = fc.oneof(
  {
    weight: 6,
    arbitrary: fc.constantFrom(...'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_'),
  },
  {
    weight: 2,
    arbitrary: fc.constantFrom('.', '=', '+', '/', ' ', '\n', '\0', '\u0100', '\u014a', '\ud800'),
  },
  { weight: 1, arbitrary: fc.string({ unit: 'binary', minLength: 1, maxLength: 1 }) },
);

type Mutation = (token: string) => string;

/** One random edit of a token. */
const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  fc.tuple(fc.nat(), tokenChar).map(
    ([i, c]): Mutation =>
      (t) => {
        const at = i % t.length;
        return t.slice(0, at) + c + t.slice(at + 1);
      },
  ),
  fc.tuple(fc.nat(), tokenChar).map(
    ([i, c]): Mutation =>
      (t) => {
        const at = i % (t.length + 1);
        return t.slice(0, at) + c + t.slice(at);
      },
  ),
  fc.tuple(fc.nat(), fc.integer({ min: 1, max: 8 })).map(
    ([i, n]): Mutation =>
      (t) => {
        const at = i % t.length;
        return t.slice(0, at) + t.slice(at + n);
      },
  ),
  fc.constantFrom<[number, number, number]>([0, 2, 1], [1, 0, 2], [1, 2, 0], [2, 0, 1], [2, 1, 0]).map(
    (order): Mutation =>
      (t) => {
        const parts = t.split('.');
        return order.map((i) => parts[i]).join('.');
      },
  ),
  fc.tuple(fc.integer({ min: 0, max: 2 }), fc.integer({ min: 0, max: 2 })).map(
    ([from, to]): Mutation =>
      (t) => {
        const parts = t.split('.');
        parts[to] = parts[from]!;
        return parts.join('.');
      },
  ),
  // Re-encode the payload after a random JSON change, keeping header and signature.
  fc
    .tuple(
      fc.constantFrom('sub', 'aud', 'iat', 'exp', 'scope', 'iss', 'jti', 'ati', 'nbf', 'admin'),
      fc.option(fc.jsonValue({ maxDepth: 2 }), { nil: undefined }),
      fc.nat({ max: 3 }),
    )
    .map(
      ([key, value, indent]): Mutation =>
        (t) => {
          const [h, p, s] = t.split('.');
          let claims: Record<string, unknown>;
          try {
            claims = JSON.parse(Buffer.from(p ?? '', 'base64url').toString()) as Record<string, unknown>;
          } catch {
            return t; // an earlier edit broke the payload: nothing to re-encode
          }
          if (claims === null || typeof claims !== 'object') return t;
          if (value === undefined) delete claims[key];
          else claims[key] = value;
          return `${h}.${b64u(JSON.stringify(claims, null, indent))}.${s}`;
        },
    ),
);

async function neverValidates(
  token: string,
  mutations: Mutation[],
  options: Parameters<typeof validateToken>[1],
): Promise<void> {
  let mutated = token;
  for (const m of mutations) mutated = m(mutated);
  fc.pre(mutated !== token);
  try {
    await validateToken(mutated, { ...options, now: NOW });
  } catch (err) {
    assert.ok(err instanceof AtiError, `not an AtiError: ${String(err)}`);
    return;
  }
  assert.fail('a mutated token validated');
}

describe('mutated tokens never validate', () => {
  for (const backend of BACKENDS) {
    const runs = backend.name === 'node' ? 3000 : 600;
    it(`HS256 on ${backend.name} (${runs} runs)`, async () => {
      await fc.assert(
        fc.asyncProperty(fc.array(mutation, { minLength: 1, maxLength: 3 }), (ms) =>
          neverValidates(HS_TOKEN, ms, { secret: SECRET, crypto: backend }),
        ),
        { numRuns: runs },
      );
    });
    it(`ES256 on ${backend.name} (${runs / 2} runs)`, async () => {
      await fc.assert(
        fc.asyncProperty(fc.array(mutation, { minLength: 1, maxLength: 3 }), (ms) =>
          neverValidates(ES_TOKEN, ms, { publicKey: keys.publicPem, crypto: backend }),
        ),
        { numRuns: runs / 2 },
      );
    });
  }
  it('the unmutated tokens do validate (so the properties above are not vacuous)', async () => {
    await validateToken(HS_TOKEN, { secret: SECRET, now: NOW });
    await validateToken(ES_TOKEN, { publicKey: keys.publicPem, now: NOW });
  });
});

/** Inputs shaped like tokens, built from random JSON text. */
const tokenLike = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 200 }),
  fc.string({ unit: fc.constantFrom(...'AZaz09-_.=+/ eyJ'), maxLength: 120 }),
  fc
    .tuple(fc.json({ maxDepth: 3 }), fc.json({ maxDepth: 3 }), fc.string({ maxLength: 90 }))
    .map(([h, p, s]) => `${b64u(h)}.${b64u(p)}.${s}`),
  fc
    .tuple(fc.jsonValue({ maxDepth: 2 }), fc.dictionary(fc.string(), fc.jsonValue({ maxDepth: 2 })))
    .map(([alg, claims]) => `${b64u(JSON.stringify({ alg }))}.${b64u(JSON.stringify(claims))}.sig`),
  fc.constant(payload()).map((p) => `${b64u('{"alg":"HS256"}')}.${b64u(p)}.x`),
);

function onlyAtiErrors(fn: () => unknown): void {
  try {
    fn();
  } catch (err) {
    assert.ok(err instanceof AtiError, `not an AtiError: ${String(err)}`);
  }
}

describe('decoding arbitrary input only ever throws AtiError', () => {
  it('inspectToken on token-like strings', () => {
    fc.assert(
      fc.property(tokenLike, (s) => onlyAtiErrors(() => inspectToken(s))),
      { numRuns: 2000 },
    );
  });
  it('inspectToken on any value', () => {
    fc.assert(
      fc.property(fc.anything(), (v) => onlyAtiErrors(() => inspectToken(v as string))),
      { numRuns: 300 },
    );
  });
  it('validateToken on token-like strings (both backends)', async () => {
    await fc.assert(
      fc.asyncProperty(tokenLike, fc.constantFrom(...BACKENDS), async (s, crypto) => {
        try {
          await validateToken(s, { secret: SECRET, now: NOW, crypto });
        } catch (err) {
          assert.ok(err instanceof AtiError, `not an AtiError: ${String(err)}`);
          return;
        }
        assert.fail('validated');
      }),
      { numRuns: 600 },
    );
  });
});

const URL_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';

describe('codecs', () => {
  it('base64url round-trips and matches Buffer', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 200 }), (bytes) => {
        const text = base64urlEncode(bytes);
        assert.equal(text, Buffer.from(bytes).toString('base64url'));
        assert.deepEqual(base64urlDecode(text), bytes);
      }),
      { numRuns: 500 },
    );
  });

  it('base64url decoding accepts exactly the canonical unpadded encodings', () => {
    const text = fc.string({ unit: fc.constantFrom(...`${URL_ALPHABET}=+/ .`), maxLength: 24 });
    fc.assert(
      fc.property(text, (s) => {
        const canonical =
          /^[A-Za-z0-9_-]*$/.test(s) &&
          s.length % 4 !== 1 &&
          Buffer.from(s, 'base64url').toString('base64url') === s;
        const decoded = base64urlDecode(s);
        assert.equal(decoded !== undefined, canonical, JSON.stringify(s));
        if (decoded) assert.deepEqual(Buffer.from(decoded), Buffer.from(s, 'base64url'));
      }),
      { numRuns: 3000 },
    );
  });

  it('any single-character change to a canonical encoding is rejected or decodes to other bytes', () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ minLength: 1, maxLength: 40 }),
        fc.nat(),
        fc.constantFrom(...URL_ALPHABET),
        (bytes, i, c) => {
          const text = base64urlEncode(bytes);
          const at = i % text.length;
          fc.pre(text[at] !== c);
          const decoded = base64urlDecode(text.slice(0, at) + c + text.slice(at + 1));
          if (decoded) assert.notDeepEqual(decoded, bytes);
        },
      ),
      { numRuns: 1000 },
    );
  });

  it('standard base64 round-trips, matches Buffer, and rejects missing padding', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 100 }), (bytes) => {
        const text = base64Encode(bytes);
        assert.equal(text, Buffer.from(bytes).toString('base64'));
        assert.deepEqual(base64Decode(text), bytes);
        if (text.endsWith('=')) assert.equal(base64Decode(text.replace(/=+$/, '')), undefined);
      }),
      { numRuns: 300 },
    );
  });

  it('hex decoding is strict and agrees with Buffer', () => {
    const text = fc.string({ unit: fc.constantFrom(...'0123456789abcdefABCDEFxg \n'), maxLength: 20 });
    fc.assert(
      fc.property(text, (s) => {
        const strict = /^(?:[0-9a-fA-F]{2})*$/.test(s);
        const decoded = hexDecode(s);
        assert.equal(decoded !== undefined, strict);
        if (decoded) {
          assert.deepEqual(Buffer.from(decoded), Buffer.from(s, 'hex'));
          assert.equal(hexEncode(decoded), s.toLowerCase());
        }
      }),
      { numRuns: 1000 },
    );
  });
});

/** JSON values with integers only, unique keys and well-formed strings: what serde and JSON.parse agree on. */
const { value: plainJson } = fc.letrec((tie) => ({
  value: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    fc.constant(null),
    fc.boolean(),
    fc.integer({ min: Number.MIN_SAFE_INTEGER, max: Number.MAX_SAFE_INTEGER }),
    fc.integer(),
    fc.string({ unit: 'binary', maxLength: 12 }),
    fc.array(tie('value'), { maxLength: 4 }),
    fc.dictionary(fc.string({ unit: 'binary', maxLength: 6 }), tie('value'), { maxKeys: 4 }),
  ),
}));

describe('parseJson', () => {
  it('agrees with JSON.parse on valid JSON without duplicates or floats', () => {
    fc.assert(
      fc.property(plainJson, fc.constantFrom(undefined, 0, 1, 2, '\t', ' \r\n'), (value, indent) => {
        const text = JSON.stringify(value, null, indent);
        assert.deepStrictEqual(toPlain(parseJson(text)), JSON.parse(text));
      }),
      { numRuns: 1000 },
    );
  });

  it('integer literals of any size keep their exact value', () => {
    fc.assert(
      fc.property(fc.bigInt({ min: -(2n ** 70n), max: 2n ** 70n }), (n) => {
        const v = parseJson(String(n));
        if (n >= -(2n ** 53n - 1n) && n <= 2n ** 53n - 1n) assert.equal(v, Number(n));
        else assert.equal(v, n);
        assert.equal(toPlain(v), JSON.parse(String(n)));
      }),
      { numRuns: 500 },
    );
  });

  it('floats are marked as floats and keep their value', () => {
    fc.assert(
      fc.property(fc.double({ noNaN: true, noDefaultInfinity: true }), fc.boolean(), (d, exp) => {
        let text = exp ? d.toExponential() : String(d);
        if (!/[.eE]/.test(text)) text += '.0';
        const v = parseJson(text);
        assert.ok(v instanceof JsonFloat, text);
        assert.ok(Object.is(v.value, JSON.parse(text)), text);
      }),
      { numRuns: 500 },
    );
  });

  it('on mutated JSON text it only accepts what JSON.parse accepts, with the same value', () => {
    fc.assert(
      fc.property(
        plainJson,
        fc.array(fc.tuple(fc.nat(), fc.string({ unit: 'binary', maxLength: 2 }), fc.nat(2))),
        (value, edits) => {
          let text = JSON.stringify(value);
          for (const [i, s, del] of edits) {
            const at = i % (text.length + 1);
            text = text.slice(0, at) + s + text.slice(at + del);
          }
          let parsed: unknown;
          try {
            parsed = toPlain(parseJson(text));
          } catch (err) {
            assert.ok(err instanceof JsonSyntaxError, String(err));
            return;
          }
          assert.deepStrictEqual(parsed, JSON.parse(text));
        },
      ),
      { numRuns: 2000 },
    );
  });

  it('duplicate keys are always rejected', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 6 }), plainJson, plainJson, (k, a, b) => {
        const key = JSON.stringify(k);
        assert.throws(
          () => parseJson(`{${key}:${JSON.stringify(a)},${key}:${JSON.stringify(b)}}`),
          JsonSyntaxError,
        );
      }),
      { numRuns: 300 },
    );
  });
});

/** Scope-ish strings: short, with the characters that matter to matching. */
const scopeText = fc.string({ unit: fc.constantFrom('t', 'o', 'l', ':', '_', '*', 'a', 'b'), maxLength: 10 });
const scopeList = fc.array(
  scopeText.filter((s) => s !== ''),
  { maxLength: 5 },
);

describe('scope laws', () => {
  it('matchesWildcard: "*" matches all, a name matches itself, "p*" matches exactly the names starting with p', () => {
    fc.assert(
      fc.property(scopeText, scopeText, (name, p) => {
        assert.equal(matchesWildcard(name, '*'), true);
        assert.equal(matchesWildcard(name, name), true);
        assert.equal(matchesWildcard(name, `${p}*`), name.startsWith(p) || name === `${p}*`);
        if (!p.endsWith('*') && p !== '*') assert.equal(matchesWildcard(name, p), name === p);
      }),
      { numRuns: 2000 },
    );
  });

  it('checkScope: "" always allowed; own scope and "*" grant; more grants never deny; string ≡ split list', () => {
    fc.assert(
      fc.property(scopeText, scopeList, scopeList, (required, granted, more) => {
        assert.equal(checkScope('', granted), true);
        assert.equal(checkScope(required, [...granted, required]), true);
        assert.equal(checkScope(required, [...granted, '*']), true);
        assert.equal(checkScope(required, []), required === '');
        if (checkScope(required, granted)) assert.equal(checkScope(required, [...granted, ...more]), true);
        assert.equal(checkScope(required, granted.join(' ')), checkScope(required, granted));
      }),
      { numRuns: 2000 },
    );
  });

  it('checkScope: the legacy alias grants the colon form, never the reverse', () => {
    const part = fc.string({ unit: fc.constantFrom('a', 'b', '_', '*'), minLength: 1, maxLength: 5 });
    fc.assert(
      fc.property(part, part, (a, b) => {
        assert.equal(checkScope(`tool:${a}:${b}`, [`tool:${a}_${b}`]), true);
        if (!b.includes('*') && !a.includes('*')) {
          assert.equal(checkScope(`tool:${a}_${b}`, [`tool:${a}:${b}`]), false);
        }
      }),
      { numRuns: 1000 },
    );
  });

  it('ScopeSet.isAllowed is checkScope until expiry and false after', () => {
    fc.assert(
      fc.property(
        scopeText,
        scopeList,
        fc.integer({ min: 1, max: 1000 }),
        fc.integer({ min: 0, max: 2000 }),
        (r, g, exp, now) => {
          const set = new ScopeSet(g, exp, () => now);
          assert.equal(set.isAllowed(r), now > exp ? false : checkScope(r, g));
        },
      ),
      { numRuns: 1000 },
    );
  });

  it('parseScopes: no empty or whitespace-bearing scopes, and idempotent through join(" ")', () => {
    const text = fc.string({
      unit: fc.constantFrom('a', ':', ' ', '\t', '\u3000', '\u0085', '\x1f', '\u200b'),
      maxLength: 20,
    });
    fc.assert(
      fc.property(text, (s) => {
        const scopes = parseScopes(s);
        for (const x of scopes) assert.ok(x !== '' && !/[\s\u0085]/u.test(x));
        assert.deepEqual(parseScopes(scopes.join(' ')), scopes);
      }),
      { numRuns: 1000 },
    );
  });
});

describe('rate-spec grammar', () => {
  // An independent statement of contract §3: optional "+", ASCII digits, "/", Unicode White_Space-trimmed unit.
  const WS = '[\\t\\n\\v\\f\\r \\u0085\\u00a0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000]';
  const ORACLE = new RegExp(`^\\+?([0-9]+)/${WS}*(s|sec|second|m|min|minute|h|hr|hour|d|day)${WS}*$`, 'u');
  const SECONDS: Record<string, number> = {
    s: 1,
    sec: 1,
    second: 1,
    m: 60,
    min: 60,
    minute: 60,
    h: 3600,
    hr: 3600,
    hour: 3600,
    d: 86400,
    day: 86400,
  };
  const piece = fc.constantFrom(
    '+',
    '-',
    '0',
    '1',
    '7',
    '10',
    '007',
    '9007199254740991',
    '9007199254740992',
    '99999999999999999999',
    '/',
    '/',
    ' ',
    '\t',
    '\u3000',
    '\u00a0',
    '\x1f',
    '\u200b',
    '\ufeff',
    's',
    'sec',
    'second',
    'm',
    'min',
    'minute',
    'h',
    'hr',
    'hour',
    'd',
    'day',
    'Hour',
    'hours',
    'week',
    'S',
    'x',
    '.',
    'e',
    '1.5',
  );
  const spec = fc.oneof(
    { weight: 4, arbitrary: fc.array(piece, { maxLength: 6 }).map((p) => p.join('')) },
    {
      weight: 4,
      arbitrary: fc
        .tuple(
          fc.constantFrom('', '+', ' '),
          fc.nat(),
          fc.array(fc.constantFrom(' ', '\t', '\u3000', '\x1f'), { maxLength: 2 }),
          piece,
          fc.array(fc.constantFrom(' ', '\n', '\u2028', '\u200b'), { maxLength: 2 }),
        )
        .map(([sign, n, pre, unit, post]) => `${sign}${n}/${pre.join('')}${unit}${post.join('')}`),
    },
    { weight: 1, arbitrary: fc.string({ maxLength: 12 }) },
  );

  it('parseRateSpec accepts exactly what the oracle accepts, with the same value', () => {
    fc.assert(
      fc.property(spec, (s) => {
        const m = ORACLE.exec(s);
        const expected =
          m && BigInt(m[1]!) <= BigInt(Number.MAX_SAFE_INTEGER)
            ? { count: Number(m[1]), windowSeconds: SECONDS[m[2]!] }
            : undefined;
        let actual: { count: number; windowSeconds: number } | undefined;
        try {
          actual = { ...parseRateSpec(s) };
        } catch (err) {
          assert.ok(err instanceof AtiError && err.code === 'ERR_RATE_SPEC_INVALID', String(err));
        }
        assert.deepEqual(actual, expected, JSON.stringify(s));
      }),
      { numRuns: 4000 },
    );
  });
});
