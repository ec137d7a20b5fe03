/**
 * Scope semantics, contract §2.1–2.6: the proxy's rules (not Python's
 * `check_scope`) as tables.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ScopeError } from '../../src/errors.ts';
import {
  buildScopeString,
  checkScope,
  legacyAlias,
  matchesWildcard,
  parseScopes,
  ScopeSet,
} from '../../src/scope/scope.ts';

describe('§2.1 matchesWildcard(name, pattern)', () => {
  const rows: Array<[string, string, boolean]> = [
    ['anything', '*', true],
    ['', '*', true],
    ['tool:x', 'tool:x', true],
    ['tool:github:search_repos', 'tool:github:*', true],
    ['tool:github:', 'tool:github:*', true],
    ['tool:github', 'tool:github:*', false],
    ['tool:githubx', 'tool:github*', true],
    ['tool:anything:at:all', 'tool:*', true],
    ['skill:x', 'tool:*', false],
    ['tool:a*b', 'tool:a*b', true],
    ['tool:aXb', 'tool:a*b', false],
    ['tool:x', '*tool:x', false],
    ['tool:*x', 'tool:**', true],
    ['tool:x', 'tool:**', false],
    ['', '', true],
    ['x', '', false],
    ['', 'tool:*', false],
    ['TOOL:x', 'tool:*', false],
    ['tool:x', 'tool:X', false],
    ['tool:x ', 'tool:x', false],
  ];
  for (const [name, pattern, expected] of rows) {
    it(`${JSON.stringify(name)} vs ${JSON.stringify(pattern)} → ${expected}`, () => {
      assert.equal(matchesWildcard(name, pattern), expected);
    });
  }
});

describe('§2.3 legacyAlias', () => {
  const rows: Array<[string, string | undefined]> = [
    ['tool:github:search_repos', 'tool:github_search_repos'],
    ['tool:a:b:c', 'tool:a_b:c'],
    ['tool::x', 'tool:_x'],
    ['tool:a:', 'tool:a_'],
    ['tool:web_search', undefined],
    ['tool:', undefined],
    ['skill:a:b', undefined],
    ['Tool:a:b', undefined],
    ['a:b:c', undefined],
    ['', undefined],
  ];
  for (const [scope, alias] of rows) {
    it(`${JSON.stringify(scope)} → ${JSON.stringify(alias)}`, () => assert.equal(legacyAlias(scope), alias));
  }
});

describe('§2.2/§2.3 checkScope(required, granted) follows the proxy', () => {
  const rows: Array<[string, string[] | string, boolean]> = [
    ['tool:github:search_repos', ['tool:github:*'], true],
    ['tool:github:search_repos', ['tool:github_search_repos'], true],
    ['tool:github:search', ['tool:github_*'], true],
    ['tool:test_api:get_data', ['tool:test_api_get_data'], true],
    ['tool:a:b:c', ['tool:a_b:c'], true],
    ['tool:a:b:c', ['tool:a_b_c'], false],
    // One direction only: granting the colon form does not reach an underscore tool.
    ['tool:github_search', ['tool:github:*'], false],
    ['tool:github_search', ['tool:github:search'], false],
    ['tool:secret_api', ['tool:web_search'], false],
    ['tool:x', ['*'], true],
    ['anything at all', ['*'], true],
    ['tool:x', [], false],
    ['', [], true],
    ['', ['tool:x'], true],
    ['help', ['help'], true],
    ['category:search', ['tool:*'], false],
    ['skill:research-notes', ['skill:research-*'], true],
    ['tool:x', 'tool:web_search tool:x', true],
    ['tool:x', '  tool:x\n', true],
    ['tool:y', 'tool:x', false],
  ];
  for (const [required, granted, expected] of rows) {
    it(`${JSON.stringify(required)} with ${JSON.stringify(granted)} → ${expected}`, () => {
      assert.equal(checkScope(required, granted), expected);
    });
  }

  it('rejects non-string input with ERR_SCOPE_INVALID', () => {
    for (const [required, granted] of [
      [1, ['x']],
      ['x', [1]],
      ['x', null],
      ['x', { 0: 'x' }],
      [null, '*'],
    ] as const) {
      assert.throws(
        () => checkScope(required as unknown as string, granted as unknown as string[]),
        (err: unknown) => err instanceof ScopeError && err.code === 'ERR_SCOPE_INVALID',
      );
    }
  });
});

describe('§2.6 the Python differences, decided the proxy’s way', () => {
  it('1–2: the legacy alias applies (Python: False)', () => {
    assert.equal(checkScope('tool:github:search', ['tool:github_search']), true);
    assert.equal(checkScope('tool:github:search', ['tool:github_*']), true);
  });
  it('3: an empty required scope is allowed (Python: False)', () => {
    assert.equal(checkScope('', ['tool:x']), true);
    assert.equal(checkScope('', []), true);
  });
  it('4: checkScope has no clock, ScopeSet does', () => {
    const expired = new ScopeSet(['tool:x'], 100, () => 101);
    assert.equal(checkScope('tool:x', expired.scopes), true);
    assert.equal(expired.isAllowed('tool:x'), false);
  });
  it('5: a granted string is split, never iterated (Python: True because "*" is a character)', () => {
    assert.equal(checkScope('tool:x', 'tool:github:*'), false);
    assert.equal(checkScope('t', 'tool:x'), false);
  });
  it('7: \\x1c-\\x1f do not separate scopes (Python: they do)', () => {
    for (const c of ['\x1c', '\x1d', '\x1e', '\x1f']) assert.deepEqual(parseScopes(`a${c}b`), [`a${c}b`]);
  });
});

describe('§2.4 parseScopes splits like Rust split_whitespace', () => {
  const separators = [
    ' ',
    '\t',
    '\n',
    '\v',
    '\f',
    '\r',
    '\u0085',
    '\u00a0',
    '\u1680',
    '\u2000',
    '\u200a',
    '\u2028',
    '\u2029',
    '\u202f',
    '\u205f',
    '\u3000',
  ];
  for (const sep of separators) {
    it(`U+${sep.charCodeAt(0).toString(16).padStart(4, '0')} separates`, () => {
      assert.deepEqual(parseScopes(`${sep}tool:a${sep}${sep}tool:b${sep}`), ['tool:a', 'tool:b']);
    });
  }
  const notSeparators = ['\x1c', '\x1f', '\u200b', '\u180e', '\ufeff', '\u2060', '_', '\0'];
  for (const c of notSeparators) {
    it(`U+${c.charCodeAt(0).toString(16).padStart(4, '0')} does not separate`, () => {
      assert.deepEqual(parseScopes(`tool:a${c}tool:b`), [`tool:a${c}tool:b`]);
    });
  }
  it('empty and whitespace-only strings give []; duplicates are kept', () => {
    assert.deepEqual(parseScopes(''), []);
    assert.deepEqual(parseScopes(' \u3000\n'), []);
    assert.deepEqual(parseScopes('a a'), ['a', 'a']);
  });
  it('a non-string is ERR_SCOPE_INVALID', () => {
    assert.throws(() => parseScopes(['a'] as unknown as string), { code: 'ERR_SCOPE_INVALID' });
  });
});

describe('ScopeSet (proxy ScopeConfig, §2.2 and §1.7)', () => {
  it('expiry boundary: allowed at now == exp, denied at exp + 1, even for ""', () => {
    let now = 100;
    const set = new ScopeSet(['tool:x'], 100, () => now);
    assert.equal(set.isExpired(), false);
    assert.equal(set.isAllowed('tool:x'), true);
    assert.equal(set.isAllowed(''), true);
    now = 101;
    assert.equal(set.isExpired(), true);
    assert.equal(set.isAllowed('tool:x'), false);
    assert.equal(set.isAllowed(''), false);
  });
  it('exp 0 never expires', () => {
    const set = new ScopeSet(['tool:x'], 0, () => Number.MAX_SAFE_INTEGER);
    assert.equal(set.isExpired(), false);
    assert.equal(set.isAllowed('tool:x'), true);
  });
  it('the wildcard is reported even when expired, but allows nothing then', () => {
    const set = new ScopeSet(['*'], 10, () => 11);
    assert.equal(set.isWildcard(), true);
    assert.equal(set.isAllowed('tool:x'), false);
  });
  it('fromClaims splits the claim and keeps exp', () => {
    const set = ScopeSet.fromClaims({ scope: 'tool:github:*\u3000skill:research', exp: 50 }, () => 50);
    assert.deepEqual(set.scopes, ['tool:github:*', 'skill:research']);
    assert.equal(set.isAllowed('tool:github:search'), true);
    assert.equal(set.isAllowed('tool:github_search'), false);
    assert.equal(set.isAllowed('tool:web_search'), false);
  });
  it('unrestricted() allows everything forever', () => {
    const set = ScopeSet.unrestricted();
    assert.equal(set.isWildcard(), true);
    assert.equal(set.isAllowed('tool:anything'), true);
    assert.equal(set.exp, 0);
  });
  it('skillNames: exact skill scopes only; exactToolNames: tool scopes without a trailing *', () => {
    const set = new ScopeSet(['skill:a', 'skill:', 'skill:b-*', 'tool:x', 'tool:y:*', 'tool:', 'help', '*']);
    assert.deepEqual(set.skillNames(), ['a', 'b-*']);
    assert.deepEqual(set.exactToolNames(), ['x']);
  });
  it('scopes are a frozen copy', () => {
    const input = ['tool:x'];
    const set = new ScopeSet(input);
    input.push('*');
    assert.deepEqual(set.scopes, ['tool:x']);
    assert.ok(Object.isFrozen(set.scopes));
  });
});

describe('buildScopeString (Python build_scope_string, stricter)', () => {
  it('prefixes tools and skills unless already prefixed, appends extra verbatim, keeps order and duplicates', () => {
    assert.equal(
      buildScopeString({
        tools: ['web_search', 'tool:github:*', 'web_search'],
        skills: ['research', 'skill:x'],
        extra: ['help', '*'],
      }),
      'tool:web_search tool:github:* tool:web_search skill:research skill:x help *',
    );
  });
  it('nothing gives ""', () => {
    assert.equal(buildScopeString(), '');
    assert.equal(buildScopeString({ tools: [], skills: [], extra: [] }), '');
  });
  it('refuses empty entries and entries the proxy would split', () => {
    for (const options of [
      { tools: [''] },
      { tools: ['a b'] },
      { skills: ['x\ty'] },
      { extra: ['a\u3000b'] },
      { extra: ['a\u0085'] },
      { tools: [1] },
    ]) {
      assert.throws(
        () => buildScopeString(options as never),
        (err: unknown) => err instanceof ScopeError && err.code === 'ERR_SCOPE_INVALID',
        JSON.stringify(options),
      );
    }
  });
  it('\\x1f is not whitespace for the proxy, so it is kept inside one scope', () => {
    assert.equal(buildScopeString({ tools: ['a\x1fb'] }), 'tool:a\x1fb');
  });
});
