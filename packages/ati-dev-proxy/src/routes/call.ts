/**
 * `POST /call` (contract §4.2): the body is parsed by hand, not by axum's
 * `Json`, so no content-type is needed; errors are `{"result":null,"error":…}`.
 *
 * @module
 */

import { json } from '../http.ts';
import { type Invocation, invokeTool } from '../invoke.ts';
import { structJson } from '../json-out.ts';
import type { Route } from '../router.ts';
import { fromSlice, type Json, SerdeError, type StructSpec } from '../serde-json.ts';

// Field order = Rust declaration order.
const CALL_REQUEST: StructSpec = {
  name: 'CallRequest',
  fields: [
    { name: 'tool_name', kind: 'string' },
    { name: 'args', kind: 'any', default: () => Object.create(null) as Json },
    { name: 'raw_args', kind: 'opt-seq-string', default: () => undefined },
  ],
};

const STATUS: Record<Exclude<Invocation['outcome'], 'ok'>, [number, string]> = {
  unknown: [404, ''],
  denied: [403, ''],
  'rate-limited': [429, ''],
  upstream: [502, 'Upstream API error: '],
  processing: [500, 'Response processing error: '],
};

function callError(status: number, message: string): Response {
  return json(
    status,
    structJson([
      ['result', null],
      ['error', message],
    ]),
  );
}

/** The call route. */
export const callRoutes: readonly Route[] = [
  {
    method: 'POST',
    path: '/call',
    handle: async (ctx) => {
      const bytes = await ctx.req.body(ctx.state.maxBody);
      if (bytes === undefined) return callError(400, 'Failed to read request body: length limit exceeded');
      let parsed: Record<string, Json | undefined>;
      try {
        parsed = fromSlice(bytes, CALL_REQUEST);
      } catch (err) {
        if (!(err instanceof SerdeError)) throw err;
        return callError(422, `Invalid request: ${err.serdeMessage()}`);
      }
      const done = await invokeTool(ctx, {
        name: parsed.tool_name as string,
        args: parsed.args as Json,
        rawArgs: parsed.raw_args as string[] | undefined,
        via: 'call',
      });
      if (done.outcome === 'ok') return json(200, structJson([['result', done.value]]));
      const [status, prefix] = STATUS[done.outcome];
      return callError(status, prefix + done.message);
    },
  },
];
