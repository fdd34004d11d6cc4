#!/usr/bin/env python3
"""The deadline rush: N students each create a complete application and submit it,
as fast as the server takes them, from C client threads on loopback.

Reports submits/s, latency percentiles, errors per step and the client's own CPU time.
Standard library only: tokens are HS256 JWTs signed here with the server's secret, and
requests are written to plain keep-alive sockets, made before the clock starts.

    rush.py BASE_URL SECRET CALL_ID DESTINATIONS_CSV [--students N] [--clients C] [--first N]
"""
import argparse, base64, hashlib, hmac, json, socket, statistics, threading, time, urllib.parse
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
    """This thread's keep-alive connection: a plain socket, so that the client spends as
    little of the machine's CPU as it can (it shares the machine with the server)."""
    if getattr(local, "sock", None) is None:
        url = urllib.parse.urlparse(base)
        local.sock = socket.create_connection((url.hostname, url.port), timeout=60)
        local.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        local.buffer = b""
    return local.sock


def read_response(sock):
    """Status and body of one HTTP/1.1 response with a Content-Length."""
    buffer = local.buffer
    while b"\r\n\r\n" not in buffer:
        chunk = sock.recv(65536)
        if not chunk:
            raise OSError("connection closed")
        buffer += chunk
    head, _, buffer = buffer.partition(b"\r\n\r\n")
    status = int(head[9:12])
    length = 0
    for line in head.split(b"\r\n")[1:]:
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"content-length":
            length = int(value)
    while len(buffer) < length:
        chunk = sock.recv(65536)
        if not chunk:
            raise OSError("connection closed")
        buffer += chunk
    local.buffer = buffer[length:]
    return status, buffer[:length]


def call(base, request):
    """Sends a prepared request and answers (status, body, seconds)."""
    started = time.perf_counter()
    try:
        sock = connection(base)
        sock.sendall(request)
        status, data = read_response(sock)
    except (OSError, ValueError):
        local.sock = None
        data, status = b"", 0
    return status, data, time.perf_counter() - started


def request(method, path, bearer, payload=b""):
    head = (f"{method} {path} HTTP/1.1\r\nHost: rush\r\nAuthorization: Bearer {bearer}\r\n"
            f"Content-Length: {len(payload)}\r\n")
    if payload:
        head += "Content-Type: application/json\r\n"
    return head.encode() + b"\r\n" + payload


def student(args, create, bearer):
    status, data, create_s = call(args.base, create)
    if status != 201:
        return ("create", status, create_s, None)
    application = data[data.index(b'"id":"') + 6:][:36].decode()
    submit = request("POST", f"/api/v1/applications/{application}/submit", bearer)
    status, _, submit_s = call(args.base, submit)
    return ("submit", status, create_s, submit_s)


def percentile(values, p):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))] if ordered else float("nan")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("base"), parser.add_argument("secret"), parser.add_argument("call"), parser.add_argument("destinations")
    parser.add_argument("--students", type=int, default=2000)
    parser.add_argument("--clients", type=int, default=32)
    parser.add_argument("--first", type=int, default=1, help="number of the first student (r000001)")
    args = parser.parse_args()
    destinations = args.destinations.split(",")
    motivation = "I want to study here because " + "of the courses " * 70
    body = json.dumps({"semester": "autumn", "plan_b": True,
                       "choices": [{"destination_id": d, "motivation": motivation} for d in destinations[:5]]}).encode()
    # Tokens and requests are made before the clock starts.
    bearers = [token(args.secret, f"r{n:06d}") for n in range(args.first, args.first + args.students)]
    creates = [request("POST", f"/api/v1/calls/{args.call}/applications", b, body) for b in bearers]
    cpu, started = time.process_time(), time.perf_counter()
    with ThreadPoolExecutor(max_workers=args.clients) as pool:
        results = list(pool.map(lambda pair: student(args, *pair), zip(creates, bearers)))
    elapsed, cpu = time.perf_counter() - started, time.process_time() - cpu
    creates = [r[2] for r in results]
    submits = [r[3] for r in results if r[3] is not None]
    ok = sum(1 for r in results if r[0] == "submit" and r[1] == 200)
    errors = {}
    for step, status, _, _ in results:
        if not (step == "submit" and status == 200):
            errors[f"{step} {status}"] = errors.get(f"{step} {status}", 0) + 1
    ms = lambda s: f"{s * 1000:.1f} ms"
    print(f"students {args.students}, clients {args.clients}, wall {elapsed:.1f} s, client CPU {cpu:.1f} s")
    print(f"submitted {ok}   submits/s {ok / elapsed:.1f} (each after its create)   errors {errors or 'none'}")
    print(f"create  p50 {ms(statistics.median(creates))}  p99 {ms(percentile(creates, 99))}")
    if submits:
        print(f"submit  p50 {ms(statistics.median(submits))}  p99 {ms(percentile(submits, 99))}")


if __name__ == "__main__":
    main()
