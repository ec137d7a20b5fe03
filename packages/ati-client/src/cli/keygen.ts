/**
 * `ati-client keygen [--algorithm ES256|HS256]`: same output as
 * `ati token keygen` (contract §1.5–1.6).
 *
 * @module
 */
import { UsageError } from '../errors.ts';
import { generateKeyPair, generateSecret } from '../jws/keys.ts';
import { type Command, parse, printJson } from './context.ts';

export const KEYGEN_HELP = `Usage: ati-client keygen [--algorithm ES256|HS256] [--json]

Generate signing keys. ES256 (default) prints the PKCS#8 private key PEM, a
blank line, the SPKI public key PEM and a blank line, as \`ati token keygen\`
does. HS256 prints a 32-byte secret as 64 hex characters.
`;

export const keygen: Command = async (ctx, args) => {
  const { values } = parse(args, { algorithm: { type: 'string', short: 'a' } });
  if (values.help) {
    ctx.stdout.write(KEYGEN_HELP);
    return 0;
  }
  const alg = (values.algorithm ?? 'ES256').toUpperCase();
  if (alg === 'HS256') {
    const secret = generateSecret();
    if (values.json) printJson(ctx, { algorithm: 'HS256', secret });
    else ctx.stdout.write(`${secret}\n`);
    if (ctx.stderr.isTTY && !values.json)
      ctx.stderr.write('Set it as ATI_JWT_SECRET on the proxy and the orchestrator.\n');
    return 0;
  }
  if (alg !== 'ES256')
    throw new UsageError(`Unsupported algorithm ${JSON.stringify(values.algorithm)}; use ES256 or HS256`);
  const { privateKey, publicKey } = await generateKeyPair();
  if (values.json) printJson(ctx, { algorithm: 'ES256', privateKey, publicKey });
  else ctx.stdout.write(`${privateKey}\n${publicKey}\n`);
  if (ctx.stderr.isTTY && !values.json) {
    ctx.stderr.write(
      'Save the private key for the orchestrator (ATI_JWT_PRIVATE_KEY=<path>) and the public key for the proxy (ATI_JWT_PUBLIC_KEY=<path>).\n',
    );
  }
  return 0;
};
