/**
 * One table: every env variable and flag that can carry a secret (a key, a
 * shared secret, a session token) is fed one, the command or call runs, and
 * every message, `cause` chain, rendering and CLI stream is searched for it,
 * whole and by any 16+ character piece (a PEM line, a JWT segment).
 */
import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { startDevProxy } from 'ati-dev-proxy';
import { AtiProxyClient } from '../../src/client/client.ts';
import { resolveSessionToken } from '../../src/node/session-token.ts';
import { issueToken } from '../../src/token/issue.ts';
import { validateToken } from '../../src/token/validate.ts';
import { cli } from '../helpers/cli.ts';
import { renderings, startServer, type TestServer } from '../helpers/http.ts';

const { privateKey: PRIVATE_PEM, publicKey: PUBLIC_PEM } = generateKeyPairSync('ec', {
  namedCurve: 'P-256',
  privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
  publicKeyEncoding: { type: 'spki', format: 'pem' },
});
const HEX_SECRET = 'a1'.repeat(32);
/** A broken key: PEM armour around secret-looking material that decodes to nothing valid. */
const BROKEN_PEM = `-----BEGIN PRIVATE KEY-----\nS3cr3tKeyMaterialThatMustNeverBeQuoted0123456789\n-----END PRIVATE KEY-----\n`;
/** A secret pasted where a path belongs: too long for a file name, so opening it fails with ENAMETOOLONG. */
const LONG_SECRET = `eyJhbGciOiJIUzI1NiJ9.${'c2VjcmV0LXBheWxvYWQ'.repeat(16)}.S1gnatureSegmentThatMustNotLeak`;
const SHORT_SECRET = 'not-a-path-but-a-secret-value-0123456789';

/** The secret and every piece of it a leak could show: whitespace- and dot-separated parts of 16+ chars. */
function pieces(secret: string): string[] {
  return [secret.trim(), ...secret.split(/[\s.]+/).filter((p) => p.length >= 16 && !p.startsWith('-----'))];
}

function causeChain(error: unknown): string[] {
  const out: string[] = [];
  for (let e = error, depth = 0; e !== undefined && depth < 10; depth++) {
    out.push(...renderings(e));
    e = e instanceof Error ? e.cause : undefined;
  }
  return out;
}

/** Run `fn`; the texts it exposes: the error renderings and cause chain, or the returned texts. */
async function exposed(fn: () => Promise<unknown>): Promise<string[]> {
  try {
    const value = await fn();
    return [JSON.stringify(value) ?? ''];
  } catch (error) {
    return causeChain(error);
  }
}

let dir: string;
let echo: TestServer;
let proxyUrl: string;
let closeProxy: () => Promise<void>;
before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'ati-secrets-'));
  // A server that echoes the Authorization header and a known token back on every route.
  echo = await startServer((req, res) => {
    const body = `{"error":"bad token ${req.headers.authorization ?? ''} ${LONG_SECRET}"}`;
    res.writeHead(req.url === '/health' ? 503 : 401, { 'content-type': 'application/json' });
    res.end(body);
  });
  const proxy = await startDevProxy({ secret: 'b2'.repeat(32) });
  proxyUrl = proxy.url;
  closeProxy = () => proxy.close();
});
after(async () => {
  await echo.close();
  await closeProxy();
  await rm(dir, { recursive: true, force: true });
});

interface Row {
  name: string;
  secret: string;
  /** The texts a user or a log could see. */
  run: () => Promise<string[]>;
}

async function cliTexts(argv: string[], env: Record<string, string> = {}): Promise<string[]> {
  const r = await cli(argv, { env, stop: Promise.resolve() });
  return [r.stdout, r.stderr];
}

const ISSUE = ['token', 'issue', '--sub', 'agent', '--scope', 'tool:x'];
const VALIDATE = (token: string) => ['token', 'validate', token];

const ROWS: Row[] = [
  // CLI: env variables
  ...[PRIVATE_PEM, BROKEN_PEM, LONG_SECRET, SHORT_SECRET].flatMap((secret, i): Row[] => [
    {
      name: `ATI_JWT_PRIVATE_KEY #${i} → token issue`,
      secret,
      run: () => cliTexts(ISSUE, { ATI_JWT_PRIVATE_KEY: secret }),
    },
    {
      name: `ATI_JWT_PRIVATE_KEY #${i} → provision`,
      secret,
      run: () =>
        cliTexts(['provision', '--agent-id', 'a', '--proxy-url', proxyUrl], { ATI_JWT_PRIVATE_KEY: secret }),
    },
    {
      name: `--key #${i} → token issue`,
      secret,
      run: () => cliTexts([...ISSUE, `--key=${secret}`]),
    },
    {
      name: `ATI_JWT_PUBLIC_KEY #${i} → token validate`,
      secret,
      run: () => cliTexts(VALIDATE('a.b.c'), { ATI_JWT_PUBLIC_KEY: secret.replace(/PRIVATE/g, 'PUBLIC') }),
    },
    {
      name: `ATI_JWT_PUBLIC_KEY #${i} → jwks`,
      secret,
      run: () => cliTexts(['jwks'], { ATI_JWT_PUBLIC_KEY: secret }),
    },
    {
      name: `--key #${i} → dev-proxy`,
      secret,
      run: () => cliTexts(['dev-proxy', `--key=${secret}`]),
    },
    ...[
      ISSUE,
      VALIDATE('a.b.c'),
      ['jwks'],
      ['provision', '--agent-id', 'a', '--proxy-url', 'http://127.0.0.1:1'],
    ].map(
      (argv): Row => ({
        name: `--key #${i} → ${argv.slice(0, 2).join(' ')}`,
        secret,
        run: () => cliTexts([...argv, `--key=${secret}`]),
      }),
    ),
    ...[ISSUE, VALIDATE('a.b.c'), ['dev-proxy']].map(
      (argv): Row => ({
        name: `--secret #${i} → ${argv.slice(0, 2).join(' ')}`,
        secret,
        run: () => cliTexts([...argv, `--secret=${secret}`]),
      }),
    ),
    {
      name: `ATI_JWT_SECRET #${i} → token issue`,
      secret,
      run: () => cliTexts(ISSUE, { ATI_JWT_SECRET: secret }),
    },
    {
      name: `--secret #${i} → provision`,
      secret,
      run: () => cliTexts(['provision', '--agent-id', 'a', '--proxy-url', proxyUrl, '--secret', secret]),
    },
    {
      name: `ATI_SESSION_TOKEN #${i} → skills list (401)`,
      secret,
      run: () => cliTexts(['skills', 'list', '--proxy-url', proxyUrl], { ATI_SESSION_TOKEN: secret }),
    },
    {
      name: `ATI_SESSION_TOKEN #${i} → skills list (echoing server)`,
      secret,
      run: () => cliTexts(['skills', 'list', '--proxy-url', echo.url], { ATI_SESSION_TOKEN: secret }),
    },
    {
      name: `ATI_KEY_SANDBOX_SIGNING_SHARED_SECRET #${i} → dev-proxy`,
      secret,
      run: () =>
        cliTexts(['dev-proxy', '--sig-verify-mode', 'enforce'], {
          ATI_KEY_SANDBOX_SIGNING_SHARED_SECRET: secret,
        }),
    },
    {
      name: `ATI_PROXY_URL with credentials #${i} → skills list`,
      secret,
      run: () =>
        cliTexts(['skills', 'list'], {
          ATI_PROXY_URL: `http://user:${encodeURIComponent(secret)}@127.0.0.1:1`,
          ATI_SESSION_TOKEN: 'x',
        }),
    },
    {
      name: `<token> argument #${i} → token validate / inspect`,
      secret,
      run: async () => [
        ...(await cliTexts(VALIDATE(secret), { ATI_JWT_SECRET: HEX_SECRET })),
        ...(await cliTexts(['token', 'inspect', '-'], {})),
      ],
    },
  ]),
  // ATI_SESSION_TOKEN_FILE holding the token itself (the CLI and the library).
  {
    name: 'ATI_SESSION_TOKEN_FILE = a long token → skills list',
    secret: LONG_SECRET,
    run: () => cliTexts(['skills', 'list', '--proxy-url', proxyUrl], { ATI_SESSION_TOKEN_FILE: LONG_SECRET }),
  },
  {
    name: 'ATI_SESSION_TOKEN_FILE = a long token → resolveSessionToken',
    secret: LONG_SECRET,
    run: () => exposed(() => resolveSessionToken({ env: { ATI_SESSION_TOKEN_FILE: LONG_SECRET } })),
  },
  {
    name: 'ATI_SESSION_TOKEN_FILE = a path through a file ending in the token → resolveSessionToken',
    secret: SHORT_SECRET,
    run: async () => {
      const file = join(dir, 'regular');
      await writeFile(file, 'x');
      return exposed(() =>
        resolveSessionToken({ env: { ATI_SESSION_TOKEN_FILE: join(file, SHORT_SECRET) } }),
      );
    },
  },
  // The client: its configured token, on routes sent with and without it.
  ...['health', 'jwks', 'listTools'].flatMap((route): Row[] => [
    {
      name: `AtiProxyClient token → ${route} (server echoes it)`,
      secret: LONG_SECRET,
      run: () =>
        exposed(() => {
          const client = new AtiProxyClient({ proxyUrl: echo.url, token: LONG_SECRET, retries: 0 });
          return route === 'health' ? client.health() : route === 'jwks' ? client.jwks() : client.listTools();
        }),
    },
    {
      name: `AtiProxyClient getToken → ${route} after an authenticated call (server echoes it)`,
      secret: LONG_SECRET,
      run: async () => {
        const client = new AtiProxyClient({ proxyUrl: echo.url, getToken: () => LONG_SECRET, retries: 0 });
        const first = await exposed(() => client.listTools());
        return [...first, ...(await exposed(() => (route === 'health' ? client.health() : client.jwks())))];
      },
    },
  ]),
  // The library's key and token inputs.
  ...[BROKEN_PEM, SHORT_SECRET, LONG_SECRET].map(
    (secret): Row => ({
      name: `issueToken / validateToken with a bad key ${secret.slice(0, 12)}…`,
      secret,
      run: async () => [
        ...(await exposed(() => issueToken({ sub: 'a', scope: 'x', privateKey: secret }))),
        ...(await exposed(() => issueToken({ sub: 'a', scope: 'x', secret }))),
        ...(await exposed(() => validateToken('a.b.c', { publicKey: secret }))),
        ...(await exposed(() => validateToken(secret, { secret: HEX_SECRET }))),
      ],
    }),
  ),
];

describe('no secret reaches a message, a cause or a CLI stream', () => {
  for (const row of ROWS) {
    it(row.name, async () => {
      const texts = await row.run();
      for (const text of texts) {
        for (const piece of pieces(row.secret)) {
          assert.ok(
            !text.includes(piece),
            `${row.name} leaked ${JSON.stringify(piece.slice(0, 24))}…:\n${text}`,
          );
        }
      }
    });
  }
});

describe('keys given as PEM text', () => {
  it('ATI_JWT_PRIVATE_KEY and --key take the PEM text itself, and ATI_JWT_PUBLIC_KEY verifies it', async () => {
    for (const issue of [
      await cli(ISSUE, { env: { ATI_JWT_PRIVATE_KEY: PRIVATE_PEM } }),
      // A value starting with "-" goes as --key=<pem> (node:util parseArgs reads `--key -----BEGIN` as two flags).
      await cli([...ISSUE, `--key=${PRIVATE_PEM}`]),
      // .env files often hold the key on one line with escaped newlines.
      await cli(ISSUE, { env: { ATI_JWT_PRIVATE_KEY: PRIVATE_PEM.trim().replace(/\n/g, '\\n') } }),
    ]) {
      assert.equal(issue.code, 0, issue.stderr);
      const token = issue.stdout.trim();
      const check = await cli(VALIDATE(token), { env: { ATI_JWT_PUBLIC_KEY: PUBLIC_PEM } });
      assert.equal(check.code, 0, check.stderr);
      const viaFlag = await cli([...VALIDATE(token), `--key=${PUBLIC_PEM}`]);
      assert.equal(viaFlag.code, 0, viaFlag.stderr);
    }
  });

  it('a path that cannot be read is named by its variable or flag, not quoted', async () => {
    const r = await cli(ISSUE, { env: { ATI_JWT_PRIVATE_KEY: join(dir, 'missing.pem') } });
    assert.equal(r.code, 2);
    assert.match(r.stderr, /Cannot read the file named by ATI_JWT_PRIVATE_KEY: ENOENT/);
    assert.ok(!r.stderr.includes('missing.pem'));
  });
});
