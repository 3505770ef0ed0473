"""Sources watched per core: a simulated 1,000 feeds of 20 items each on a local server
(127.0.0.1, ten ports = ten hosts, in a process of its own), polled by the watcher.

    python -m bench.watch [--feeds 1000] [--items 20] [--threads 8]

Three rounds, each timed (wall and the watcher process's CPU seconds) with its peak memory:
1. first round: every feed new, every item fetched, cleaned and added to the collection;
2. steady round: nothing changed, every feed answers 304 to the conditional GET;
3. typical round: 5% of the feeds have one new item.
Then the headroom: polling every feed every 5 minutes on 2 cores costs (CPU of a typical
round) / (300 s x 2 cores) of the machine. Item texts are the story bench's synthetic stream
(real news sentences from ../shared/data, invented names).
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import resource
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
HOSTS = 10


def _serve(folder: Path, feeds: int, items: int, ready: object, command: object) -> None:
    """The feed server process: writes sources.toml, then adds new items when told."""
    sys.path.insert(0, str(ROOT / "tests"))
    from bench.corpus import sentence_pool, synthetic_stream
    from feedserver import FeedServer

    servers = [FeedServer() for _ in range(HOSTS)]
    for s in servers:
        s.__enter__()
    stream = synthetic_stream(
        feeds * (items + 1), ROOT / "examples" / "nato-2024-04-04", seed=3, pool=sentence_pool() or None
    )
    listed: dict[int, list[tuple[str, str, str]]] = {}
    lines = ['interval = "5m"']
    for f in range(feeds):
        server = servers[f % HOSTS]
        listed[f] = []
        for i in range(items):
            doc = next(stream)
            url = server.page(f"/f{f}/a{i}", doc.get("title") or f"Item {i}", doc["text"], "2024-04-04T09:00:00Z")
            listed[f].append((url, doc.get("title") or f"Item {i}", "2024-04-04T09:00:00Z"))
        feed = server.rss(f"/f{f}/rss.xml", listed[f])
        lines.append(f'[[source]]\nname = "feed-{f}"\nurl = "{feed}"\noutlet = "Outlet {f % 97}"')
    (folder / "sources.toml").write_text("\n".join(lines) + "\n", encoding="utf-8")
    ready.set()  # type: ignore[attr-defined]
    while True:
        order = command.recv()  # type: ignore[attr-defined]
        if order == "stop":
            break
        for f in range(0, feeds, 20):  # 5% of the feeds get one new item
            doc = next(stream)
            server = servers[f % HOSTS]
            url = server.page(f"/f{f}/new", doc.get("title") or "New", doc["text"], "2024-04-04T12:00:00Z")
            listed[f].insert(0, (url, doc.get("title") or "New", "2024-04-04T12:00:00Z"))
            server.rss(f"/f{f}/rss.xml", listed[f])
        command.send("done")  # type: ignore[attr-defined]
    for s in servers:
        s.__exit__()


def main() -> None:
    from manysides.settings import load_settings
    from manysides.store import Collection
    from manysides.watch import Watcher
    from manysides.watch.sources import load_sources

    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--feeds", type=int, default=1000)
    parser.add_argument("--items", type=int, default=20)
    parser.add_argument("--threads", type=int, default=8)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        ctx = multiprocessing.get_context("spawn")
        ready, (ours, theirs) = ctx.Event(), ctx.Pipe()
        server = ctx.Process(target=_serve, args=(folder, args.feeds, args.items, ready, theirs), daemon=True)
        server.start()
        ready.wait(timeout=600)
        config = folder / "settings.toml"
        config.write_text(f"[watch]\nhost_delay = 0.0\nthreads = {args.threads}\n", encoding="utf-8")
        settings = load_settings(config, env={})
        sources = load_sources(folder / "sources.toml")
        clock = _Clock()
        with Collection(f"sqlite:///{folder / 'watch.db'}") as collection:
            watcher = Watcher(collection, sources, settings=settings, allow_private=True, clock=clock)
            rows = []
            for name in ("first round (all new)", "steady round (all 304)", "typical round (5% new)"):
                if name.startswith("typical"):
                    ours.send("new")
                    ours.recv()
                wall, cpu = time.perf_counter(), time.process_time()
                results = watcher.run_once()
                wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
                added = sum(r.added for r in results)
                errors = sum(1 for r in results if r.status.startswith("error"))
                peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
                rows.append((name, len(results), added, errors, wall, cpu, peak))
                clock.t += 301  # every source due again
            ours.send("stop")
        print(f"watch: {args.feeds} feeds x {args.items} items on {HOSTS} local hosts, {args.threads} threads")
        print(f"  {'round':<24} {'polled':>6} {'added':>6} {'errors':>6} {'wall s':>7} {'cpu s':>7} {'peak MiB':>8}")
        for name, polled, added, errors, wall, cpu, peak in rows:
            print(f"  {name:<24} {polled:>6} {added:>6} {errors:>6} {wall:>7.1f} {cpu:>7.1f} {peak:>8.0f}")
        typical = rows[2][5]
        print(
            f"headroom: polling {args.feeds} feeds every 5 min costs {typical:.1f} CPU s per 300 s "
            f"= {100 * typical / 600:.1f}% of 2 cores (first fill: {rows[0][2] / rows[0][4]:.0f} articles/s)"
        )
        print(json.dumps({"rounds": rows}))


class _Clock:
    """Real time plus jumps (so that every source is due again without waiting 5 minutes)."""

    def __init__(self) -> None:
        self.t = 0.0

    def now(self) -> float:
        return time.time() + self.t

    def sleep(self, seconds: float) -> None:
        time.sleep(max(seconds, 0.0))


if __name__ == "__main__":
    main()
