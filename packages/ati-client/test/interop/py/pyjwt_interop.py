"""PyJWT side of test/interop/pyjwt.test.ts (Debian python3-jwt, run as /usr/bin/python3).

Reads one JSON request on stdin and writes one JSON answer on stdout; no
network, no files. Request members (all optional):

  decode:    [{token, alg, key, audience?}]  -> validate like the Python SDK's
             validate_token: algorithms=[alg], audience, leeway=60, options={};
             key = bytes.fromhex(secret) for HS256, the public PEM for ES256.
  sdk_issue: [{alg, key, sub, scope, ttl_seconds?, aud?, iss?, jti, rate?, now?}]
             -> the Python SDK's issue_token claim dict (sub, aud, iat, exp,
             scope, iss?, jti?, ati) signed by PyJWT; key = hex secret (HS256)
             or private PEM (ES256, which the SDK itself does not offer).
"""

import json
import sys
import time

import jwt


def key_for(alg, key):
    # The SDK hex-decodes HS256 secrets with bytes.fromhex; ES256 keys are PEM text.
    return bytes.fromhex(key) if alg.startswith("HS") else key


def decode(item):
    try:
        claims = jwt.decode(
            item["token"],
            key_for(item["alg"], item["key"]),
            algorithms=[item["alg"]],
            audience=item.get("audience", "ati-proxy"),
            leeway=60,
            options={},
        )
        return {"ok": True, "claims": claims}
    except jwt.PyJWTError as exc:
        return {"ok": False, "error": type(exc).__name__}


def sdk_issue(item):
    now = int(item["now"]) if item.get("now") is not None else int(time.time())
    claims = {
        "sub": item["sub"],
        "aud": item.get("aud", "ati-proxy"),
        "iat": now,
        "exp": now + item.get("ttl_seconds", 3600),
        "scope": item["scope"],
    }
    iss = item.get("iss", "ati-orchestrator")
    if iss is not None:
        claims["iss"] = iss
    claims["jti"] = item["jti"]
    ati = {"v": 1}
    if item.get("rate"):
        ati["rate"] = item["rate"]
    claims["ati"] = ati
    return jwt.encode(claims, key_for(item["alg"], item["key"]), algorithm=item["alg"])


def main():
    request = json.load(sys.stdin)
    answer = {
        "pyjwt": jwt.__version__,
        "decode": [decode(item) for item in request.get("decode", [])],
        "sdk_issue": [sdk_issue(item) for item in request.get("sdk_issue", [])],
    }
    json.dump(answer, sys.stdout)


main()
