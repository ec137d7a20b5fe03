"""Time PyJWT encode/decode the way the ATI Python SDK calls them.

Reads one JSON object on stdin (keys travel on stdin, never argv) and prints
one JSON object on stdout: per-round ops/s for "issue" (jwt.encode) and
"validate" (jwt.decode). Rounds alternate the order of the two operations,
like the Node harness. Keys are loaded once, outside the timed loops.
"""

import json
import sys
import time

import jwt


def main() -> None:
    cfg = json.load(sys.stdin)
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

    # The SDK's validate_token options: algorithms, audience, leeway, issuer, options={}.
    decode_kwargs = {
        "algorithms": [alg],
        "audience": cfg["audience"],
        "issuer": cfg["issuer"],
        "leeway": cfg["leeway"],
        "options": {},
    }

    def issue() -> object:
        return jwt.encode(claims, sign_key, algorithm=alg)

    def validate() -> object:
        return jwt.decode(token, verify_key, **decode_kwargs)

    # Correctness before timing.
    out = validate()
    assert out["sub"] == claims["sub"] and out["scope"] == claims["scope"], "decode mismatch"
    assert jwt.decode(issue(), verify_key, **decode_kwargs) == claims, "encode mismatch"

    clock = time.perf_counter
    warmup = cfg["warmup_ms"] / 1000
    round_s = cfg["round_ms"] / 1000

    def batch(fn, n: int) -> float:
        t0 = clock()
        for _ in range(n):
            fn()
        return clock() - t0

    def calibrate(fn) -> int:
        n, spent, rate = 1, 0.0, 0.0
        while spent < warmup:
            s = batch(fn, n)
            spent += s
            if s > 0:
                rate = n / s
            if s < warmup / 8:
                n *= 2
        return max(1, round(rate * round_s))

    ops = {"issue": issue, "validate": validate}
    sizes = {name: calibrate(fn) for name, fn in ops.items()}
    samples: dict[str, list[float]] = {name: [] for name in ops}
    names = list(ops)
    for r in range(cfg["rounds"]):
        for name in names if r % 2 == 0 else reversed(names):
            n = sizes[name]
            samples[name].append(n / batch(ops[name], n))

    print(
        json.dumps(
            {
                "python": sys.version.split()[0],
                "pyjwt": jwt.__version__,
                "issue": samples["issue"],
                "validate": samples["validate"],
            }
        )
    )


if __name__ == "__main__":
    main()
