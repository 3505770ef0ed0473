"""Load test of ``manysides serve`` on loopback: many clients over the front page, story pages
and the API, while an ingest of new articles runs beside it.

    python -m bench.web_load [--articles 20000] [--clients 200] [--seconds 60] [--workers 1]

1. A SQLite collection of ``--articles`` articles: the ECB+ documents plus the synthetic
   stream of the story bench (real news sentences, invented names; ../shared/data).
2. ``manysides serve`` in its own process(es) on 127.0.0.1 and a free port.
3. The pages to load are warmed first (a story's first view analyses it: seconds, measured
   apart as "time to first response" for the 50-article case); the load is on cached story
   pages, the front page and the API (what the issue's p99 target is about).
4. ``--clients`` concurrent clients (httpx, asyncio) for ``--seconds``, bounded in count and
   time; meanwhile ``manysides ingest`` adds 1,000 more articles to the same collection. One
   phase per ``--phases`` entry THINK:NICE: clients with no pause between requests
   (saturation: by Little's law p50 is about clients / throughput), readers pausing about a
   second, and the same with the ingest niced. The load client runs on the same 2 cores.
Prints requests/s, p50/p95/p99 latency per kind of request, and errors.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

from bench.corpus import ecb_articles, require_real, sentence_pool, synthetic_stream

ROOT = Path(__file__).resolve().parents[1]
SEEDS = ROOT / "examples" / "nato-2024-04-04"
MANYSIDES = [sys.executable, "-m", "manysides"]


def _collection(folder: Path, n: int, phases: int) -> tuple[str, list[Path]]:
    corpus, extra = folder / "corpus.jsonl", [folder / f"more-{k}.jsonl" for k in range(phases)]
    pool = sentence_pool() or None
    docs = [{"id": d["id"], "text": d["text"]} for d in ecb_articles()]
    stream = synthetic_stream(n + 1000 * phases, SEEDS, seed=5, per_day=400, pool=pool, concurrent=200)
    items = docs + [next(stream) for _ in range(max(n - len(docs), 0))]
    corpus.write_text("".join(json.dumps(x) + "\n" for x in items), encoding="utf-8")
    for more in extra:  # 1,000 new articles to ingest during each load phase
        more.write_text("".join(json.dumps(next(stream)) + "\n" for _ in range(1000)), encoding="utf-8")
    url = f"sqlite:///{folder / 'load.db'}"
    t0 = time.perf_counter()
    subprocess.run([*MANYSIDES, "ingest", str(corpus), "--db", url, "-q"], check=True)
    print(f"collection: {len(items)} articles ingested in {time.perf_counter() - t0:.0f} s ({url})")
    return url, extra


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


async def _client(
    http: httpx.AsyncClient, urls: list[tuple[str, str]], until: float, rng: random.Random, out: list, think: float
) -> None:
    while time.monotonic() < until:
        if think:  # a reader between two clicks: uniform over [think/2, 3*think/2]
            await asyncio.sleep(rng.uniform(think / 2, 3 * think / 2))
        kind, url = rng.choice(urls)
        started = time.monotonic()
        try:
            response = await http.get(url)
            ok = response.status_code < 500
            if response.headers.get("x-manysides-report") == "collection":
                kind += " (not in memory)"  # read from the collection or analysed for this request
        except httpx.HTTPError as exc:
            ok = False
            errors[type(exc).__name__] = errors.get(type(exc).__name__, 0) + 1
        out.append((kind, time.monotonic() - started, ok))


async def _load(base: str, urls: list[tuple[str, str]], clients: int, seconds: float, think: float) -> list:
    results: list = []
    limits = httpx.Limits(max_connections=clients, max_keepalive_connections=clients)
    async with httpx.AsyncClient(base_url=base, limits=limits, timeout=30.0) as http:
        until = time.monotonic() + seconds
        await asyncio.gather(*(_client(http, urls, until, random.Random(k), results, think) for k in range(clients)))
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--articles", type=int, default=20_000)
    parser.add_argument("--clients", type=int, default=200)
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument("--workers", type=int, default=1)
    parser.add_argument("--stories", type=int, default=20, help="story pages in the load (warmed first)")
    parser.add_argument(
        "--phases",
        default="0:0,1:0,1:10",
        help="load phases as THINK:NICE: seconds each client waits between requests, and the nice value of "
        "the ingest running beside (default 0:0,1:0,1:10: clients that never pause (saturation), then readers "
        "clicking about once a second, then the same with the ingest run as an operator runs batch jobs, niced)",
    )
    args = parser.parse_args()
    require_real()
    with tempfile.TemporaryDirectory() as tmp:
        phases = [(float(p.split(":")[0]), int(p.split(":")[1])) for p in args.phases.split(",")]
        url, extra = _collection(Path(tmp), args.articles, len(phases))
        port = _free_port()
        base = f"http://127.0.0.1:{port}"
        command = [*MANYSIDES, "serve", "--db", url, "--port", str(port), "--workers", str(args.workers)]
        server = subprocess.Popen(command, stderr=subprocess.DEVNULL, env={**os.environ, "HF_HUB_OFFLINE": "1"})
        try:
            _wait(base)
            stories = httpx.get(f"{base}/api/v1/stories", timeout=60).json()["stories"]
            sized = sorted(stories, key=lambda s: -s["size"])
            chosen = sized[: args.stories]
            fifty = min(sized, key=lambda s: abs(s["size"] - 50))
            t0 = time.perf_counter()
            httpx.get(f"{base}/stories/{fifty['id']}", timeout=300)
            print(f"first response, uncached {fifty['size']}-article story page: {time.perf_counter() - t0:.2f} s")
            for s in chosen:  # warm: every story page in the load is analysed once before it
                httpx.get(f"{base}/api/v1/stories/{s['id']}", timeout=300)
            urls = [("front page", "/"), ("API list", "/api/v1/stories")]
            urls += [("story page", f"/stories/{s['id']}") for s in chosen]
            urls += [("API story", f"/api/v1/stories/{s['id']}") for s in chosen]
            for (think, nice), more in zip(phases, extra, strict=True):
                ingest = subprocess.Popen(["nice", "-n", str(nice), *MANYSIDES, "ingest", str(more), "--db", url, "-q"])
                started = time.monotonic()
                results = asyncio.run(_load(base, urls, args.clients, args.seconds, think))
                elapsed = time.monotonic() - started
                ingest_rc = ingest.wait(timeout=600)
                _report(results, elapsed, args, ingest_rc, think, nice)
        finally:
            server.terminate()
            server.wait(timeout=30)


def _wait(base: str) -> None:
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        try:
            httpx.get(base + "/api/v1/stories", timeout=5)
            return
        except httpx.HTTPError:
            time.sleep(0.3)
    raise SystemExit("the server did not answer within 120 s")


#: Failed requests by exception, over the run.
errors: dict[str, int] = {}


def _report(results: list, elapsed: float, args: argparse.Namespace, ingest_rc: int, think: float, nice: int) -> None:
    failed = sum(1 for _, _, ok in results if not ok)
    print(
        f"load: {args.clients} clients, think {think:g} s, for {elapsed:.0f} s, {args.workers} server worker(s), "
        f"ingest (nice {nice}) of 1,000 "
        f"articles beside it (exit {ingest_rc}): {len(results)} requests = {len(results) / elapsed:.0f}/s, "
        f"{failed} errors {errors or ''}"
    )
    errors.clear()
    print(f"  {'request':<12} {'n':>7} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8}")
    for kind in sorted({k for k, _, _ in results}):
        times = sorted(t for k, t, _ in results if k == kind)
        q = statistics.quantiles(times, n=100) if len(times) > 1 else times * 99
        print(f"  {kind:<12} {len(times):>7} {1000 * q[49]:>8.0f} {1000 * q[94]:>8.0f} {1000 * q[98]:>8.0f}")


if __name__ == "__main__":
    main()
