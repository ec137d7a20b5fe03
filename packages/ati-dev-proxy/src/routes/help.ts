/**
 * `POST /help` (contract §4.2): the fixture answer, the `help` option's, or
 * the proxy's 503 without an LLM; errors are `{"content":"","error":…}`.
 *
 * @module
 */

import { json, jsonBody } from '../http.ts';
import { structJson } from '../json-out.ts';
import type { Route, RouteContext } from '../router.ts';
import type { StructSpec } from '../serde-json.ts';

// Field order = Rust declaration order.
const HELP_REQUEST: StructSpec = {
  name: 'HelpRequest',
  fields: [
    { name: 'query', kind: 'string' },
    { name: 'tool', kind: 'opt-string', default: () => undefined },
  ],
};

function helpError(status: number, message: string): Response {
  return json(
    status,
    structJson([
      ['content', ''],
      ['error', message],
    ]),
  );
}

async function help({ req, state, claims, scopes }: RouteContext): Promise<Response> {
  const parsed = await jsonBody(req, HELP_REQUEST, state.maxBody);
  if (parsed instanceof Response) return parsed;
  const helpOption = state.options.help;
  if (helpOption === false) {
    return helpError(503, 'No _llm.toml manifest found. Proxy help requires a configured LLM provider.');
  }
  const queryText = parsed.query as string;
  const tool = parsed.tool as string | undefined;
  const visible = state.registry.visibleTools(scopes);
  if (tool !== undefined && !visible.some((t) => t.name === tool || t.provider.name === tool)) {
    return helpError(403, `Scope '${tool}' is not visible in your current scopes.`);
  }
  const visibleTools = visible.map((t) => t.name);
  let content: string;
  try {
    content =
      helpOption === undefined
        ? `Dev proxy help (fixture answer, no LLM).\nQuery: ${queryText}\n${tool === undefined ? '' : `Tool: ${tool}\n`}Visible tools: ${visibleTools.join(', ') || '(none)'}`
        : await helpOption({ query: queryText, tool }, { claims, scopes, visibleTools });
  } catch (err) {
    return helpError(502, `LLM request failed: ${err instanceof Error ? err.message : String(err)}`);
  }
  return json(200, structJson([['content', String(content)]]));
}

/** The help route. */
export const helpRoutes: readonly Route[] = [{ method: 'POST', path: '/help', handle: help }];
