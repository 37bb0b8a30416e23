"""Load check of the JSON API: the account and gate endpoints, on loopback, against `cxmap serve`.

    .venv/bin/python benchmarks/bench_web.py --events 1000000 --requests 5000 --concurrency 16

Makes (or reuses, under --out) a workspace with the seeded synthetic data set (accounts, contacts, events),
starts `cxmap serve` on it as a subprocess on a free port, then sends a bounded number of requests from a
small HTTP/1.1 client of its own (see `load`): half `GET /api/accounts/{id}`, half
`GET /api/gate/{customer_id}?action=review`, for ids drawn at random (seeded) from the workspace. Reports
requests per second and p50/p95/p99 latency, the time of the first answer (the snapshot computed after
start), the CPU the server and the client used per request (they share the machine's cores) and, with
--refresh, the time from a `POST /api/events` to the first answer that includes it. Not a timed test:
a figure for benchmarks/README.md.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import platform
import random
import re
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit

import duckdb
import httpx

from cxmap.service.users import AuthStore

ROOT = Path(__file__).resolve().parent.parent
CXMAP = [sys.executable, "-m", "cxmap"]
LENGTH = re.compile(rb"(?i)\r\ncontent-length: *(\d+)")


def workspace(out: Path, events: int) -> Path:
    """A workspace with about `events` events, made once and reused."""
    ws = out / f"ws-{events}"
    if (ws / "cxmap.duckdb").exists():
        return ws
    data = out / f"data-{events}"
    subprocess.run(
        [sys.executable, "-m", "cxmap.synthetic", str(data), "--events", str(events), "--format", "parquet"], check=True
    )
    shutil.rmtree(ws, ignore_errors=True)
    subprocess.run([*CXMAP, "init", str(ws)], check=True, capture_output=True)
    for path in (ROOT / "examples" / "maps").glob("*.yaml"):
        shutil.copy(path, ws / "maps")
    for kind, name in (("accounts", "accounts.csv"), ("contacts", "contacts.csv"), ("events", "events.parquet")):
        subprocess.run([*CXMAP, "ingest", str(ws), str(data / name), "--kind", kind, "-q"], check=True)
    return ws


def sample_ids(ws: Path, n: int, seed: int) -> tuple[list[str], list[str]]:
    """Account ids and contact ids to ask for (read before the server starts)."""
    con = duckdb.connect(str(ws / "cxmap.duckdb"), read_only=True)
    try:
        accounts = [r[0] for r in con.execute("SELECT account_id FROM accounts").fetchall()]
        contacts = [r[0] for r in con.execute("SELECT customer_id FROM contacts").fetchall()]
        events = con.execute("SELECT count(*) FROM events").fetchone()
    finally:
        con.close()
    rng = random.Random(seed)
    print(
        f"workspace {ws}: {events[0] if events else 0:,} events, {len(accounts):,} accounts, {len(contacts):,} contacts"
    )
    return [rng.choice(accounts) for _ in range(n)], [rng.choice(contacts) for _ in range(n)]


def start_server(ws: Path) -> tuple[subprocess.Popen[str], str]:
    proc = subprocess.Popen(
        [*CXMAP, "serve", str(ws), "--port", "0"], stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
    )
    assert proc.stdout is not None
    for line in proc.stdout:
        if line.startswith("serving "):
            return proc, line.split(" at ", 1)[1].split()[0].rstrip("/")
    proc.kill()
    raise RuntimeError("cxmap serve did not start")


async def load(url: str, token: str, paths: list[str], concurrency: int) -> tuple[float, dict[str, list[float]]]:
    """Send every request, `concurrency` at a time over kept-alive connections; latencies (seconds) by endpoint.

    A minimal HTTP/1.1 client on asyncio streams rather than httpx: httpx spends about 2 ms of CPU a request,
    more than the server, on the same two cores, so the figure would mostly measure the client. This one
    writes a request, reads the head and then Content-Length bytes (the API always sends it).
    """
    latencies: dict[str, list[float]] = {"account": [], "gate": []}
    where = urlsplit(url)
    host, port = where.hostname or "127.0.0.1", where.port or 80
    pending = list(reversed(paths))

    async def worker() -> None:
        reader, writer = await asyncio.open_connection(host, port)
        try:
            while pending:
                path = pending.pop()
                start = time.perf_counter()
                writer.write(f"GET {path} HTTP/1.1\r\nHost: {host}\r\nAuthorization: Bearer {token}\r\n\r\n".encode())
                head = await reader.readuntil(b"\r\n\r\n")
                length = LENGTH.search(head)
                body = await reader.readexactly(int(length.group(1)) if length else 0)
                took = time.perf_counter() - start
                if head[9:12] != b"200":
                    raise RuntimeError(f"{path}: {head[9:12].decode()} {body[:200]!r}")
                latencies["gate" if path.startswith("/api/gate/") else "account"].append(took)
        finally:
            writer.close()

    started = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(concurrency)))
    return time.perf_counter() - started, latencies


def server_cpu(pid: int) -> float:
    """CPU seconds the server process has used (user + system), from /proc."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q / 100 * (len(ordered) - 1)))]


def line(name: str, values: list[float], wall: float | None = None) -> str:
    ms = [v * 1000 for v in values]
    rate = f"{len(values) / wall:,.0f} req/s, " if wall else ""
    return (
        f"{name:<8} {len(values):>6} requests, {rate}p50 {percentile(ms, 50):.1f} ms, "
        f"p95 {percentile(ms, 95):.1f} ms, p99 {percentile(ms, 99):.1f} ms, mean {statistics.mean(ms):.1f} ms"
    )


def refresh_time(url: str, admin: str, viewer: str) -> float:
    """Seconds from posting one event to the first answer that includes it."""
    stamp = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
    event = {"customer_id": "C-BENCH", "timestamp": stamp, "touchpoint": "Support ticket", "score": 8}
    start = time.perf_counter()
    posted = httpx.post(f"{url}/api/events", json=event, headers={"Authorization": f"Bearer {admin}"}, timeout=600)
    posted.raise_for_status()
    answer = httpx.get(f"{url}/api/gate/C-BENCH", headers={"Authorization": f"Bearer {viewer}"}, timeout=600)
    answer.raise_for_status()
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--events", type=int, default=1_000_000)
    parser.add_argument("--workspace", type=Path, help="Use this workspace instead of making one.")
    parser.add_argument("--out", type=Path, default=ROOT / ".bench")
    parser.add_argument("--requests", type=int, default=5_000)
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--refresh", action="store_true", help="Also time a POST /api/events until it is answered.")
    args = parser.parse_args()
    ws = args.workspace or workspace(args.out, args.events)
    half = args.requests // 2
    accounts, contacts = sample_ids(ws, half, args.seed)
    store = AuthStore(ws)
    viewer, admin = store.create_token("bench viewer", "viewer"), store.create_token("bench admin", "admin")
    paths = [f"/api/accounts/{a}" for a in accounts] + [f"/api/gate/{c}?action=review" for c in contacts]
    random.Random(args.seed).shuffle(paths)
    print(f"{platform.processor() or platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}")
    print("load average before: {:.2f} {:.2f} {:.2f}".format(*os.getloadavg()))
    proc, url = start_server(ws)
    try:
        start = time.perf_counter()
        httpx.get(f"{url}/api/alerts", headers={"Authorization": f"Bearer {viewer}"}, timeout=600).raise_for_status()
        print(f"first answer after start (snapshot computed): {time.perf_counter() - start:.1f} s")
        asyncio.run(load(url, viewer, paths[:200], args.concurrency))  # warm the connections and the code
        before, client_before = server_cpu(proc.pid), time.process_time()
        wall, latencies = asyncio.run(load(url, viewer, paths, args.concurrency))
        used, client_used = server_cpu(proc.pid) - before, time.process_time() - client_before
        print(f"{args.requests:,} requests, concurrency {args.concurrency}, {wall:.1f} s")
        print("load average after: {:.2f} {:.2f} {:.2f}".format(*os.getloadavg()))
        print(line("all", latencies["account"] + latencies["gate"], wall))
        print(f"server CPU per request: {used / args.requests * 1000:.2f} ms ({args.requests / used:,.0f}/s a core)")
        print(f"client CPU per request: {client_used / args.requests * 1000:.2f} ms (the load generator, same cores)")
        print(line("account", latencies["account"]))
        print(line("gate", latencies["gate"]))
        if args.refresh:
            print(f"POST /api/events to the first answer including it: {refresh_time(url, admin, viewer):.1f} s")
    finally:
        proc.terminate()
        proc.wait(timeout=30)


if __name__ == "__main__":
    main()
