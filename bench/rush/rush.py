#!/usr/bin/env python3
"""The deadline rush: N students each create a complete application and submit it,
as fast as the server takes them, from C client threads on loopback.

Reports submits/s, latency percentiles and errors per step. Standard library only:
tokens are HS256 JWTs signed here with the server's secret.

    rush.py BASE_URL SECRET CALL_ID DESTINATIONS_CSV [--students N] [--clients C]
"""
import argparse, base64, hashlib, hmac, http.client, json, statistics, threading, time, urllib.parse
from concurrent.futures import ThreadPoolExecutor


def b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def token(secret: str, sub: str) -> str:
    header = b64(json.dumps({"alg": "HS256", "typ": "JWT"}).encode())
    claims = b64(json.dumps({"sub": sub, "role": "student", "iss": "abroad", "aud": "abroad-api",
                             "exp": int(time.time()) + 3600}).encode())
    signature = hmac.new(secret.encode(), f"{header}.{claims}".encode(), hashlib.sha256).digest()
    return f"{header}.{claims}.{b64(signature)}"


local = threading.local()


def connection(base):
    if getattr(local, "conn", None) is None:
        url = urllib.parse.urlparse(base)
        local.conn = http.client.HTTPConnection(url.hostname, url.port, timeout=60)
    return local.conn


def call(base, method, path, bearer, body=None):
    headers = {"Authorization": f"Bearer {bearer}"}
    payload = None
    if body is not None:
        payload = json.dumps(body).encode()
        headers["Content-Type"] = "application/json"
    started = time.perf_counter()
    try:
        conn = connection(base)
        conn.request(method, path, body=payload, headers=headers)
        response = conn.getresponse()
        data = response.read()
        status = response.status
    except (OSError, http.client.HTTPException):
        local.conn = None
        data, status = b"", 0
    return status, data, time.perf_counter() - started


def student(args, destinations, number):
    bearer = token(args.secret, number)
    motivation = "I want to study here because " + "of the courses " * 70
    body = {"semester": "autumn", "plan_b": True,
            "choices": [{"destination_id": d, "motivation": motivation} for d in destinations[:5]]}
    status, data, create_s = call(args.base, "POST", f"/api/v1/calls/{args.call}/applications", bearer, body)
    if status != 201:
        return ("create", status, create_s, None)
    application = json.loads(data)["id"]
    status, _, submit_s = call(args.base, "POST", f"/api/v1/applications/{application}/submit", bearer)
    return ("submit", status, create_s, submit_s)


def percentile(values, p):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))] if ordered else float("nan")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("base"), parser.add_argument("secret"), parser.add_argument("call"), parser.add_argument("destinations")
    parser.add_argument("--students", type=int, default=2000)
    parser.add_argument("--clients", type=int, default=32)
    args = parser.parse_args()
    destinations = args.destinations.split(",")
    numbers = [f"r{n:06d}" for n in range(1, args.students + 1)]
    started = time.perf_counter()
    with ThreadPoolExecutor(max_workers=args.clients) as pool:
        results = list(pool.map(lambda n: student(args, destinations, n), numbers))
    elapsed = time.perf_counter() - started
    creates = [r[2] for r in results]
    submits = [r[3] for r in results if r[3] is not None]
    ok = sum(1 for r in results if r[0] == "submit" and r[1] == 200)
    errors = {}
    for step, status, _, _ in results:
        if not (step == "submit" and status == 200):
            errors[f"{step} {status}"] = errors.get(f"{step} {status}", 0) + 1
    ms = lambda s: f"{s * 1000:.1f} ms"
    print(f"students {args.students}, clients {args.clients}, wall {elapsed:.1f} s")
    print(f"submitted {ok}   submits/s {ok / elapsed:.1f} (each after its create)   errors {errors or 'none'}")
    print(f"create  p50 {ms(statistics.median(creates))}  p99 {ms(percentile(creates, 99))}")
    if submits:
        print(f"submit  p50 {ms(statistics.median(submits))}  p99 {ms(percentile(submits, 99))}")


if __name__ == "__main__":
    main()
