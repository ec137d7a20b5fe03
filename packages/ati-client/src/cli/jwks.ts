/**
 * `ati-client jwks`: print the JWKS the proxy would serve for a public key.
 *
 * @module
 */
import { UsageError } from '../errors.ts';
import { toJwks } from '../jws/keys.ts';
import { type Command, parse, printJson } from './context.ts';
import { verifyingKey } from './keys.ts';

export const JWKS_HELP = `Usage: ati-client jwks [--key <public.pem>] [--kid <kid>] [--format both|ati|standard]

Print the JWKS for an ES256 public key (--key, else ATI_JWT_PUBLIC_KEY). Format "ati" is exactly what
the proxy serves at /.well-known/jwks.json; "standard" has crv/x/y only; "both" (default) has all.
`;

export const jwks: Command = async (ctx, args) => {
  const { values } = parse(args, {
    key: { type: 'string' },
    kid: { type: 'string' },
    format: { type: 'string' },
  });
  if (values.help) {
    ctx.stdout.write(JWKS_HELP);
    return 0;
  }
  const format = values.format ?? 'both';
  if (format !== 'both' && format !== 'ati' && format !== 'standard') {
    throw new UsageError('--format must be both, ati or standard');
  }
  const key = await verifyingKey(ctx, { key: values.key });
  if (key?.publicKey === undefined)
    throw new UsageError('jwks needs an ES256 public key (--key or ATI_JWT_PUBLIC_KEY)');
  printJson(ctx, toJwks(key.publicKey, { kid: values.kid, format }));
  return 0;
};
