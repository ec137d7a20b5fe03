/**
 * The README npm shows is written at pack time from the repository's, with
 * every relative link made absolute (npm's page resolves nothing against the
 * repository): a table of link forms, and what must stay as it is.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { absoluteLinks, githubBase } from '../../../../scripts/package-readme.ts';

const BASE = 'https://github.com/o/r';

describe('absoluteLinks', () => {
  const cases: [string, string, string][] = [
    ['inline link', '[b](bench/README.md)', '[b](https://github.com/o/r/blob/main/bench/README.md)'],
    ['link with anchor', '[c](docs/x.md#part)', '[c](https://github.com/o/r/blob/main/docs/x.md#part)'],
    ['dot directory', '[.ci/run](.ci/run)', '[.ci/run](https://github.com/o/r/blob/main/.ci/run)'],
    ['directory', '[p](packages/ati-client)', '[p](https://github.com/o/r/tree/main/packages/ati-client)'],
    ['code in the label', '[`p`](./CHANGELOG.md)', '[`p`](https://github.com/o/r/blob/main/CHANGELOG.md)'],
    ['title', '[t](a.md "A")', '[t](https://github.com/o/r/blob/main/a.md "A")'],
    ['image', '![i](docs/i.png)', '![i](https://github.com/o/r/raw/main/docs/i.png)'],
    ['reference definition', '[ref]: docs/x.md', '[ref]: https://github.com/o/r/blob/main/docs/x.md'],
    ['html href', '<a href="docs/x.md">x</a>', '<a href="https://github.com/o/r/blob/main/docs/x.md">x</a>'],
    ['anchor stays', '[s](#install)', '[s](#install)'],
    ['absolute stays', '[u](https://example.com/a)', '[u](https://example.com/a)'],
    ['mailto stays', '[m](mailto:a@b.c)', '[m](mailto:a@b.c)'],
    ['inline code stays', '`[x](y.md)`', '`[x](y.md)`'],
    ['fenced code stays', '```ts\nconst a = "[x](y.md)";\n```', '```ts\nconst a = "[x](y.md)";\n```'],
  ];
  for (const [what, input, expected] of cases) {
    it(what, () => assert.equal(absoluteLinks(input, BASE, '.'), expected));
  }

  it('resolves against the README directory', () => {
    assert.equal(
      absoluteLinks('[r](../../README.md)', BASE, 'packages/ati-dev-proxy'),
      '[r](https://github.com/o/r/blob/main/README.md)',
    );
  });

  it('refuses a link out of the repository', () => {
    assert.throws(() => absoluteLinks('[x](../elsewhere.md)', BASE, '.'), /leaves the repository/);
  });

  it('leaves prose after a fenced block alone only inside the block', () => {
    const md = '```\n[a](a.md)\n```\nthen [b](b.md)';
    assert.equal(
      absoluteLinks(md, BASE, '.'),
      '```\n[a](a.md)\n```\nthen [b](https://github.com/o/r/blob/main/b.md)',
    );
  });
});

describe('githubBase', () => {
  for (const repository of [
    { type: 'git', url: 'git+https://github.com/o/r.git' },
    'https://github.com/o/r',
    { url: 'git@github.com:o/r.git' },
  ]) {
    it(JSON.stringify(repository), () => assert.equal(githubBase(repository), BASE));
  }
  it('throws without a GitHub URL', () => {
    assert.throws(() => githubBase(undefined), /no GitHub repository/);
    assert.throws(() => githubBase({ url: 'https://gitlab.com/o/r' }), /no GitHub repository/);
  });
});
