/**
 * Child process for session-token tests that need another user: resolves the
 * token from the file named in argv[2] and prints the outcome as JSON.
 */

import { AtiError } from '../../src/errors.ts';
import { resolveSessionToken } from '../../src/node/session-token.ts';

try {
  const token = await resolveSessionToken({ env: { ATI_SESSION_TOKEN_FILE: process.argv[2] } });
  process.stdout.write(JSON.stringify({ token }));
} catch (error) {
  if (!(error instanceof AtiError)) throw error;
  process.stdout.write(JSON.stringify({ code: error.code, message: error.message }));
}
