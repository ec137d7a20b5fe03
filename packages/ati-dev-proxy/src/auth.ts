/**
 * The proxy's auth layer (`auth_middleware`, contract §4.0): `Ati-Key` first,
 * then `Authorization: Bearer <JWT>` when a key is configured; 401/503 with
 * an empty body on failure.
 *
 * @module
 */

import { type TokenClaims, validateToken } from 'ati-client/internal';
import { type DevRequest, empty, headerText } from './http.ts';
import { atiKeyClaims } from './keys/admin.ts';
import type { DevState } from './state.ts';

/** Who the request is: validated claims, `undefined` in unauthenticated dev mode. */
export interface Caller {
  readonly claims: TokenClaims | undefined;
}

/** Authenticate a request: the caller, or the middleware's rejection. */
export async function authenticate(state: DevState, req: DevRequest): Promise<Response | Caller> {
  const auth = headerText(req, 'authorization');
  // Ati-Key is tried first, even in dev mode (contract §4.0, §9).
  if (auth?.startsWith('Ati-Key ')) {
    const outcome = await atiKeyClaims(auth.slice(8), await state.keys?.store(), state.clock());
    return outcome instanceof Response ? outcome : { claims: outcome };
  }
  if (!state.authEnabled) return { claims: undefined };
  if (auth === undefined || !auth.startsWith('Bearer ')) return empty(401);
  const o = state.options;
  try {
    const claims = await validateToken(auth.slice(7), {
      secret: o.secret,
      publicKey: state.publicKey,
      audience: o.audience ?? 'ati-proxy',
      issuer: o.issuer,
      requireIssuer: false,
      leeway: 60,
      now: state.now(),
    });
    return { claims };
  } catch {
    return empty(401);
  }
}
