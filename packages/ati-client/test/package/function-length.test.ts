/**
 * Issue 9's rule of thumb, kept: no function in either package is longer than
 * 120 lines. A long function is where a route, a case or a layer hides.
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { it } from 'node:test';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';

const ROOT = fileURLToPath(new URL('../../../../', import.meta.url));
const MAX_LINES = 120;

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((e) => e.isFile() && e.name.endsWith('.ts'))
    .map((e) => join(e.parentPath, e.name));
}

it(`no function in packages/*/src is longer than ${MAX_LINES} lines`, () => {
  const long: string[] = [];
  for (const pkg of ['ati-client', 'ati-dev-proxy']) {
    for (const file of sources(join(ROOT, 'packages', pkg, 'src'))) {
      const sf = ts.createSourceFile(file, readFileSync(file, 'utf8'), ts.ScriptTarget.Latest, true);
      const visit = (node: ts.Node): void => {
        if (ts.isFunctionLike(node) && 'body' in node && node.body !== undefined) {
          const first = sf.getLineAndCharacterOfPosition(node.getStart(sf)).line;
          const last = sf.getLineAndCharacterOfPosition(node.end).line;
          if (last - first + 1 > MAX_LINES)
            long.push(`${relative(ROOT, file)}:${first + 1} (${last - first + 1} lines)`);
        }
        ts.forEachChild(node, visit);
      };
      visit(sf);
    }
  }
  assert.deepEqual(long, []);
});
