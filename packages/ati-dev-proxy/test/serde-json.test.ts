/**
 * Known answers for the serde_json emulation behind the dev proxy's 400/422
 * bodies. Expected texts were produced by running Rust serde_json
 * (`from_slice` into the proxy's request structs, and `serde_path_to_error`
 * as axum uses it) and adjusted only where 1.0.149 differs from the 1.0.87
 * build used for the check: `\u` escapes are read four bytes at once, floats
 * print with zmij (`-0.0`, `1.8446744073709552e+19`), a long integer followed
 * by `.` and no digit is an invalid number, and a root or unknown path is
 * not printed (serde_path_to_error ≥ 0.1.10).
 */

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import {
  formatRustFloat,
  fromSlice,
  fromSliceWithPath,
  SerdeError,
  type StructSpec,
  valueFromSlice,
} from '../src/serde-json.ts';

const CALL: StructSpec = {
  name: 'CallRequest',
  fields: [
    { name: 'tool_name', kind: 'string' },
    { name: 'args', kind: 'any', default: () => ({}) },
    { name: 'raw_args', kind: 'opt-seq-string', default: () => undefined },
  ],
};
const RESOLVE: StructSpec = {
  name: 'SkillResolveRequest',
  fields: [
    { name: 'scopes', kind: 'seq-string' },
    { name: 'include_content', kind: 'bool', default: () => false },
  ],
};

const enc = new TextEncoder();

function callError(body: string | Uint8Array): string {
  try {
    fromSlice(typeof body === 'string' ? enc.encode(body) : body, CALL);
  } catch (err) {
    assert.ok(err instanceof SerdeError);
    return `${err.category} ${err.serdeMessage()}`;
  }
  return 'OK';
}

function resolveError(body: string): string {
  try {
    fromSliceWithPath(enc.encode(body), RESOLVE);
  } catch (err) {
    assert.ok(err instanceof SerdeError);
    return `${err.category} ${err.pathMessage()}`;
  }
  return 'OK';
}

describe('serde_json::from_slice::<CallRequest> (POST /call)', () => {
  const table: [string, string][] = [
    ['', 'eof EOF while parsing a value at line 1 column 0'],
    [' ', 'eof EOF while parsing a value at line 1 column 1'],
    ['{', 'eof EOF while parsing an object at line 1 column 1'],
    ['}', 'syntax expected value at line 1 column 1'],
    ['[]', 'data invalid length 0, expected struct CallRequest with 3 elements at line 1 column 2'],
    ['["a"]', 'OK'],
    ['["a",{},null]', 'OK'],
    ['["a",{},null,1]', 'syntax trailing characters at line 1 column 14'],
    ['["a",{},null,]', 'syntax trailing comma at line 1 column 14'],
    ['null', 'data invalid type: null, expected struct CallRequest at line 1 column 4'],
    ['nul', 'eof EOF while parsing a value at line 1 column 3'],
    ['true', 'data invalid type: boolean `true`, expected struct CallRequest at line 1 column 4'],
    ['5', 'data invalid type: integer `5`, expected struct CallRequest at line 1 column 1'],
    ['-0', 'data invalid type: floating point `-0.0`, expected struct CallRequest at line 1 column 2'],
    ['01', 'syntax invalid number at line 1 column 2'],
    ['1.', 'eof EOF while parsing a value at line 1 column 2'],
    ['1e+', 'eof EOF while parsing a value at line 1 column 3'],
    ['"x"', 'data invalid type: string "x", expected struct CallRequest at line 1 column 3'],
    ['"\\x"', 'syntax invalid escape at line 1 column 3'],
    ['"\\u12"', 'eof EOF while parsing a string at line 1 column 6'],
    ['"\\uD800"', 'syntax unexpected end of hex escape at line 1 column 8'],
    ['"\\uD800\\u0041"', 'syntax lone leading surrogate in hex escape at line 1 column 13'],
    ['"\\uDC00"', 'syntax lone leading surrogate in hex escape at line 1 column 7'],
    [
      '"a\u0001"',
      'syntax control character (\\u0000-\\u001F) found while parsing a string at line 1 column 3',
    ],
    ['{}', 'data missing field `tool_name` at line 1 column 2'],
    ['{"tool_name":"a"}', 'OK'],
    ['{"tool_name":"a",}', 'syntax trailing comma at line 1 column 18'],
    ['{"tool_name":"a" "b"}', 'syntax expected `,` or `}` at line 1 column 18'],
    ['{"tool_name" "a"}', 'syntax expected `:` at line 1 column 14'],
    ['{tool_name:1}', 'syntax key must be a string at line 1 column 2'],
    ['{"tool_name":null}', 'data invalid type: null, expected a string at line 1 column 17'],
    ['{"tool_name":1.5}', 'data invalid type: floating point `1.5`, expected a string at line 1 column 16'],
    ['{"tool_name":-7}', 'data invalid type: integer `-7`, expected a string at line 1 column 15'],
    ['{"tool_name":1e400}', 'syntax number out of range at line 1 column 18'],
    [
      '{"tool_name":18446744073709551615}',
      'data invalid type: integer `18446744073709551615`, expected a string at line 1 column 33',
    ],
    [
      '{"tool_name":18446744073709551616}',
      'data invalid type: floating point `1.8446744073709552e+19`, expected a string at line 1 column 33',
    ],
    [
      '{"tool_name":-9223372036854775808}',
      'data invalid type: integer `-9223372036854775808`, expected a string at line 1 column 33',
    ],
    ['{"tool_name":[1]}', 'data invalid type: sequence, expected a string at line 1 column 13'],
    ['{"tool_name":{}}', 'data invalid type: map, expected a string at line 1 column 13'],
    ['{"tool_name":"a","args":[1,2,]}', 'syntax trailing comma at line 1 column 30'],
    ['{"tool_name":"a","args":{"x":1,}}', 'syntax trailing comma at line 1 column 32'],
    ['{"tool_name":"a","raw_args":null}', 'OK'],
    [
      '{"tool_name":"a","raw_args":"x"}',
      'data invalid type: string "x", expected a sequence at line 1 column 31',
    ],
    // Unknown fields are skipped without building them: no UTF-8 check, no depth limit, same syntax errors.
    ['{"tool_name":"a","zzz":[1,{"a":[}]}', 'syntax expected value at line 1 column 33'],
    ['{"tool_name":"a","zzz":[1,]}', 'syntax expected value at line 1 column 27'],
    ['{"tool_name":"a","zzz":01}', 'syntax invalid number at line 1 column 25'],
    ['{"zzz":{"a":1} , "tool_name":"a"}', 'OK'],
    ['{"tool_name":"a","tool_name":"b"}', 'data duplicate field `tool_name` at line 1 column 28'],
    ['{"tool_name":"a"}\n\n  x', 'syntax trailing characters at line 3 column 3'],
    ['{\n"tool_name":\n5}', 'data invalid type: integer `5`, expected a string at line 3 column 1'],
    ['9999999999999999999999.tru', 'syntax invalid number at line 1 column 24'],
  ];
  for (const [body, expected] of table) {
    it(JSON.stringify(body), () => assert.equal(callError(body), expected));
  }

  it('invalid UTF-8 in a kept string is an error; in a skipped one it is not', () => {
    assert.equal(
      callError(Uint8Array.from([...enc.encode('{"tool_name":"'), 0xff, ...enc.encode('"}')])),
      'syntax invalid unicode code point at line 1 column 16',
    );
    assert.equal(
      callError(Uint8Array.from([...enc.encode('{"zz":"'), 0xff, ...enc.encode('","tool_name":"a"}')])),
      'OK',
    );
  });

  it('args nest up to the recursion limit of 128 (the struct counts as one level)', () => {
    const nest = (n: number) => `{"tool_name":"a","args":${'['.repeat(n)}${']'.repeat(n)}}`;
    assert.equal(callError(nest(126)), 'OK');
    assert.equal(callError(nest(127)), 'syntax recursion limit exceeded at line 1 column 151');
    // Skipped values have no depth limit, and skipping is iterative.
    assert.equal(callError(`{"tool_name":"a","zz":${'['.repeat(100_000)}${']'.repeat(100_000)}}`), 'OK');
  });
});

describe('serde_path_to_error around SkillResolveRequest (axum Json)', () => {
  const table: [string, string][] = [
    ['{"scopes":"x"}', 'data scopes: invalid type: string "x", expected a sequence at line 1 column 13'],
    ['{"scopes":[}', 'syntax scopes[0]: expected value at line 1 column 12'],
    ['{"scopes":["a",]}', 'syntax scopes: trailing comma at line 1 column 16'],
    [
      '{"scopes":["a",1]}',
      'data scopes[1]: invalid type: integer `1`, expected a string at line 1 column 16',
    ],
    ['{"include_content":true}', 'data missing field `scopes` at line 1 column 24'],
    [
      '{"scopes":[],"include_content":null}',
      'data include_content: invalid type: null, expected a boolean at line 1 column 35',
    ],
    [
      '{"scopes":[],"include_content":"true"}',
      'data include_content: invalid type: string "true", expected a boolean at line 1 column 37',
    ],
    ['{"scopes":[]} x', 'syntax trailing characters at line 1 column 15'],
    ['{"scopes":[],"zz":[1,}', 'syntax zz: expected value at line 1 column 22'],
    ['[["x"],true,1]', 'syntax trailing characters at line 1 column 13'],
    ['[[1]]', 'data [0][0]: invalid type: integer `1`, expected a string at line 1 column 3'],
    ['{"tool_name":"a",}', 'syntax trailing comma at line 1 column 18'],
    ['{"scopes":[],"scopes":[]}', 'data duplicate field `scopes` at line 1 column 21'],
    ['[]', 'data invalid length 0, expected struct SkillResolveRequest with 2 elements at line 1 column 2'],
    ['[["x"]]', 'OK'],
  ];
  for (const [body, expected] of table) {
    it(JSON.stringify(body), () => assert.equal(resolveError(body), expected));
  }
});

describe('serde_json::Value (POST /mcp)', () => {
  it('keeps the last of duplicate keys and builds null-prototype objects', () => {
    const v = valueFromSlice(enc.encode('{"a":1,"a":2,"__proto__":{"x":true}}')) as Record<string, unknown>;
    assert.equal(v.a, 2);
    assert.equal(Object.getPrototypeOf(v), null);
    assert.deepEqual(Object.keys(v), ['a', '__proto__']);
  });

  it('never throws anything but SerdeError on arbitrary bytes (property)', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 64 }), (bytes) => {
        try {
          valueFromSlice(bytes);
          fromSlice(bytes, CALL);
        } catch (err) {
          assert.ok(err instanceof SerdeError, String(err));
          assert.ok(err.line >= 1);
        }
      }),
    );
  });

  it('agrees with JSON.parse on what is valid JSON text (property)', () => {
    fc.assert(
      fc.property(fc.json(), (text) => {
        const parsed = valueFromSlice(enc.encode(text));
        assert.deepEqual(JSON.parse(JSON.stringify(parsed)), JSON.parse(text));
      }),
    );
  });
});

describe('formatRustFloat (zmij, serde_json 1.0.149)', () => {
  const table: [number, string][] = [
    [0, '0.0'],
    [-0, '-0.0'],
    [1, '1.0'],
    [1.5, '1.5'],
    [-10, '-10.0'],
    [43210.1, '43210.1'],
    [5942736479622170, '5942736479622170.0'],
    [1e16, '1e+16'],
    [1.8446744073709552e19, '1.8446744073709552e+19'],
    [0.0001, '0.0001'],
    [0.00001, '0.00001'],
    [0.000001, '1e-6'],
    [1e15, '1000000000000000.0'],
    [123456789012345680000, '1.2345678901234568e+20'],
    [6.62607015e-34, '6.62607015e-34'],
    [Number.MAX_VALUE, '1.7976931348623157e+308'],
    [Number.EPSILON, '2.220446049250313e-16'],
  ];
  for (const [value, text] of table) it(text, () => assert.equal(formatRustFloat(value), text));
});
