#!/usr/bin/env python3
"""What the deadline rush sends, made before its clock starts: one HS256 bearer token per
student (signed here with the server's secret, one per line) and the create's JSON body
(five choices of 200+ words each). The rush itself is run by the Rust client beside this
file (bench/rush/client), which reads both.

    rush.py SECRET DESTINATIONS_CSV OUT_DIR [--students N] [--first N]

Writes OUT_DIR/tokens.txt and OUT_DIR/body.json. Standard library only.
"""
import argparse, base64, hashlib, hmac, json, os, time


def b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def token(secret: str, sub: str) -> str:
    header = b64(json.dumps({"alg": "HS256", "typ": "JWT"}).encode())
    claims = b64(json.dumps({"sub": sub, "role": "student", "iss": "abroad", "aud": "abroad-api",
                             "exp": int(time.time()) + 3600}).encode())
    signature = hmac.new(secret.encode(), f"{header}.{claims}".encode(), hashlib.sha256).digest()
    return f"{header}.{claims}.{b64(signature)}"


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("secret"), parser.add_argument("destinations"), parser.add_argument("out")
    parser.add_argument("--students", type=int, default=2000)
    parser.add_argument("--first", type=int, default=1, help="number of the first student (r000001)")
    args = parser.parse_args()
    destinations = args.destinations.split(",")
    motivation = "I want to study here because " + "of the courses " * 70
    body = {"semester": "autumn", "plan_b": True,
            "choices": [{"destination_id": d, "motivation": motivation} for d in destinations[:5]]}
    os.makedirs(args.out, exist_ok=True)
    with open(os.path.join(args.out, "body.json"), "w") as f:
        json.dump(body, f)
    with open(os.path.join(args.out, "tokens.txt"), "w") as f:
        for n in range(args.first, args.first + args.students):
            f.write(token(args.secret, f"r{n:06d}") + "\n")


if __name__ == "__main__":
    main()
