/**
 * The READMEs teach by example, so their TypeScript examples must compile
 * against the package as shipped (`ati-client` resolves to `dist/*.d.ts` by
 * package self-reference; run after `npm run build`). Each ```ts block is its
 * own module; the few free variables a block leaves to the reader are
 * declared with their intended types.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const ROOT = fileURLToPath(new URL('../../../../', import.meta.url));
const DIR = join(ROOT, '.tmp', 'readme-check');

/** What the README leaves to the reader, when a block uses but does not define it. */
const FREE: Record<string, string> = {
  sandboxId: 'string',
  names: 'string[]',
  token: 'string',
  secret: 'string',
  claims: "import('ati-client').TokenClaims",
};

function declared(code: string): Set<string> {
  const out = new Set<string>();
  for (const m of code.matchAll(/\b(?:const|let)\s+(\{[^}]*\}|[A-Za-z_$][\w$]*)/g)) {
    const target = m[1]!;
    if (target.startsWith('{')) {
      for (const part of target.slice(1, -1).split(',')) {
        const name = part
          .replace(/^\s*\.\.\./, '')
          .split(':')
          .pop()!
          .trim();
        if (name) out.add(name);
      }
    } else out.add(target);
  }
  return out;
}

it('every ```ts block in README.md and the dev proxy package README type-checks against the built packages', async () => {
  const blocksOf = async (path: string) =>
    [...(await readFile(join(ROOT, path), 'utf8')).matchAll(/```ts\n([\s\S]*?)```/g)].map((m) => m[1]!);
  const blocks = await blocksOf('README.md');
  assert.ok(blocks.length >= 5, 'README has its examples');
  const devProxy = await blocksOf('packages/ati-dev-proxy/README.md');
  assert.ok(devProxy.length >= 1, 'the dev proxy README has its example');
  blocks.push(...devProxy);
  await rm(DIR, { recursive: true, force: true });
  await mkdir(DIR, { recursive: true });
  const files: string[] = [];
  for (const [i, code] of blocks.entries()) {
    const own = declared(code);
    const prelude = Object.entries(FREE)
      .filter(([name]) => !own.has(name) && new RegExp(`\\b${name}\\b`).test(code))
      .map(([name, type]) => `declare const ${name}: ${type};`)
      .join('\n');
    const file = `block-${i}.ts`;
    await writeFile(join(DIR, file), `${prelude}\n${code}\nexport {};\n`);
    files.push(file);
  }
  await writeFile(
    join(DIR, 'tsconfig.json'),
    JSON.stringify({
      compilerOptions: {
        target: 'ES2022',
        module: 'NodeNext',
        moduleResolution: 'NodeNext',
        lib: ['ES2023', 'DOM'],
        types: ['node'],
        typeRoots: [join(ROOT, 'node_modules/@types')],
        strict: true,
        noEmit: true,
        skipLibCheck: true,
        // Examples declare things they then do not use; that is fine in docs.
        noUnusedLocals: false,
      },
      files,
    }),
  );
  const tsc = join(ROOT, 'node_modules/typescript/bin/tsc');
  const result = await promisify(execFile)(process.execPath, [tsc, '-p', join(DIR, 'tsconfig.json')], {
    cwd: DIR,
  }).then(
    () => '',
    (e: { stdout: string }) => e.stdout,
  );
  assert.equal(result, '', `README examples do not compile:\n${result}`);
  await rm(DIR, { recursive: true, force: true });
});

it("README's error-code table has a row for every code in ERROR_CODES", async () => {
  const { ERROR_CODES } = await import('../../src/errors.ts');
  const readme = await readFile(join(ROOT, 'README.md'), 'utf8');
  const missing = ERROR_CODES.filter((code) => !readme.includes(`| \`${code}\``));
  assert.deepEqual(missing, []);
});
