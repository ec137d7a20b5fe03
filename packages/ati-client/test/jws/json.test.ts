/**
 * The strict JSON parser (src/jws/json.ts): the serde_json behaviours
 * JSON.parse does not have (contract §1.3).
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isJsonObject, JsonFloat, JsonSyntaxError, parseJson, toPlain } from '../../src/jws/json.ts';

describe('parseJson', () => {
  const rejected: Array<[string, string]> = [
    ['{"a":1,"a":1}', 'duplicate key'],
    ['{"a":1,"\\u0061":2}', 'duplicate key through an escape'],
    ['"\\ud800"', 'lone high surrogate'],
    ['"\\udc00"', 'lone low surrogate'],
    ['"\\ud800\\u0041"', 'high surrogate followed by a non-surrogate escape'],
    ['"\\ud800x"', 'high surrogate followed by a plain character'],
    ['\ufeff{}', 'BOM'],
    ['{} x', 'trailing characters'],
    ['', 'empty'],
    ['   ', 'only whitespace'],
    ['01', 'leading zero'],
    ['-', 'bare minus'],
    ['1.', 'fraction without digits'],
    ['1e', 'exponent without digits'],
    ['+1', 'plus sign'],
    ['.5', 'no integer part'],
    ['1e400', 'float overflow'],
    ['-1e400', 'negative float overflow'],
    ['NaN', 'NaN'],
    ['Infinity', 'Infinity'],
    ['[1,]', 'trailing comma in an array'],
    ['{"a":1,}', 'trailing comma in an object'],
    ['{a:1}', 'unquoted key'],
    ["{'a':1}", 'single quotes'],
    ['"a\tb"', 'raw tab in a string'],
    ['"\\x41"', 'invalid escape'],
    ['"\\u00g1"', 'invalid unicode escape'],
    ['"abc', 'unterminated string'],
    ['[', 'unterminated array'],
    ['tru', 'truncated literal'],
    ['\u00a0{}', 'NBSP is not JSON whitespace'],
    ['\f{}', 'form feed is not JSON whitespace'],
    [`${'['.repeat(129)}${']'.repeat(129)}`, 'nesting 129 deep'],
  ];
  for (const [text, why] of rejected) {
    it(`rejects ${why}`, () => assert.throws(() => parseJson(text), JsonSyntaxError));
  }

  it('nesting 128 deep is accepted', () => {
    assert.ok(Array.isArray(parseJson(`${'['.repeat(128)}${']'.repeat(128)}`)));
  });

  it('keeps integer literals apart from floats', () => {
    assert.equal(parseJson('1700000000'), 1700000000);
    for (const text of ['1.0', '1e3', '1E+3', '-0', '-0.0', '0.5e-1']) {
      const v = parseJson(text);
      assert.ok(v instanceof JsonFloat, text);
      assert.ok(Object.is(v.value, Number(text)), text);
    }
    assert.equal(parseJson('9007199254740991'), 9007199254740991);
    assert.equal(parseJson('9007199254740992'), 9007199254740992n);
    assert.equal(parseJson('-9007199254740992'), -9007199254740992n);
    assert.equal(parseJson('18446744073709551616'), 18446744073709551616n);
  });

  it('decodes escapes and surrogate pairs', () => {
    assert.equal(parseJson('"\\"\\\\\\/\\b\\f\\n\\r\\t\\u0041\\ud83d\\ude00"'), '"\\/\b\f\n\r\tA\u{1f600}');
    assert.equal(parseJson('"\u2028\u{1f600}"'), '\u2028\u{1f600}');
  });

  it('objects inherit nothing; "__proto__" is an ordinary key, kept by toPlain', () => {
    const v = parseJson('{"__proto__":{"admin":true},"constructor":1}');
    assert.ok(isJsonObject(v));
    // One shared prototype: frozen, empty, and without a prototype of its own.
    const proto = Object.getPrototypeOf(v) as object;
    assert.equal(Object.getPrototypeOf(proto), null);
    assert.ok(Object.isFrozen(proto));
    assert.deepEqual(Reflect.ownKeys(proto), []);
    const empty = parseJson('{}') as object;
    assert.equal(Object.getPrototypeOf(empty), proto);
    assert.ok(Object.hasOwn(v, '__proto__') && Object.hasOwn(v, 'constructor'));
    for (const inherited of ['toString', 'valueOf', 'hasOwnProperty', '__defineGetter__']) {
      assert.equal(inherited in empty, false, inherited);
    }
    assert.equal(v.constructor, 1);
    // Assigning to the prototype's (absent) members cannot reach it: it is frozen.
    assert.throws(() => {
      (proto as Record<string, unknown>).polluted = 1;
    }, TypeError);
    const plain = toPlain(v) as Record<string, unknown>;
    assert.deepEqual(Object.keys(plain), ['__proto__', 'constructor']);
    assert.equal(({} as Record<string, unknown>).admin, undefined);
    assert.equal(Object.getPrototypeOf(plain), Object.prototype);
  });

  it('allows JSON whitespace around and between tokens', () => {
    assert.deepEqual(toPlain(parseJson(' \t\r\n{ "a" : [ 1 , 2 ] }\n')), { a: [1, 2] });
  });
});
