"""PyJWT as a benchmark peer, timed the way the ATI Python SDK calls it.

A line protocol on stdin/stdout, so the Node harness can interleave PyJWT's
rounds with its in-process peers (the Node process only waits meanwhile):

  1st line   {"alg", "claims", "token", "audience", "issuer", "leeway",
              "secret" | "private_key" + "public_key"}      -> {"python", "pyjwt"}
  then       {"cmd": "calibrate", "op", "warmup_ms", "round_ms"} -> {"n"}
             {"cmd": "round", "op"}                       -> {"ops_per_sec"}

`op` is "issue" (jwt.encode) or "validate" (jwt.decode). Keys travel on
stdin, never argv, are loaded once outside the timed loops, and are never
printed. EOF on stdin ends the process.
"""

import json
import sys
import time

import jwt


def setup(cfg):
    alg = cfg["alg"]
    claims = cfg["claims"]
    token = cfg["token"]
    if alg == "HS256":
        # The SDK passes bytes.fromhex(secret) to PyJWT.
        sign_key = verify_key = bytes.fromhex(cfg["secret"])
    else:
        from cryptography.hazmat.primitives.serialization import (
            load_pem_private_key,
            load_pem_public_key,
        )

        sign_key = load_pem_private_key(cfg["private_key"].encode(), password=None)
        verify_key = load_pem_public_key(cfg["public_key"].encode())

    # The SDK's validate_token keyword arguments: algorithms, audience, leeway,
    # issuer, options={}.
    decode_kwargs = {
        "algorithms": [alg],
        "audience": cfg["audience"],
        "issuer": cfg["issuer"],
        "leeway": cfg["leeway"],
        "options": {},
    }

    def issue():
        return jwt.encode(claims, sign_key, algorithm=alg)

    def validate():
        return jwt.decode(token, verify_key, **decode_kwargs)

    # Correctness before timing.
    out = validate()
    assert out["sub"] == claims["sub"] and out["scope"] == claims["scope"], "decode mismatch"
    assert jwt.decode(issue(), verify_key, **decode_kwargs) == claims, "encode mismatch"
    return {"issue": issue, "validate": validate}


def batch(fn, n):
    t0 = time.perf_counter()
    for _ in range(n):
        fn()
    return time.perf_counter() - t0


def calibrate(fn, warmup, round_s):
    n, spent, rate = 1, 0.0, 0.0
    while spent < warmup:
        s = batch(fn, n)
        spent += s
        if s > 0:
            rate = n / s
        if s < warmup / 8:
            n *= 2
    return max(1, round(rate * round_s))


def reply(obj):
    sys.stdout.write(json.dumps(obj) + "\n")
    sys.stdout.flush()


def main():
    ops = setup(json.loads(sys.stdin.readline()))
    reply({"python": sys.version.split()[0], "pyjwt": jwt.__version__})
    sizes = {}
    for line in sys.stdin:
        req = json.loads(line)
        fn = ops[req["op"]]
        if req["cmd"] == "calibrate":
            sizes[req["op"]] = calibrate(fn, req["warmup_ms"] / 1000, req["round_ms"] / 1000)
            reply({"n": sizes[req["op"]]})
        elif req["cmd"] == "round":
            n = sizes[req["op"]]
            reply({"ops_per_sec": n / batch(fn, n)})
        else:
            raise ValueError("unknown command")


if __name__ == "__main__":
    main()
