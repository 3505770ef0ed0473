"""The watcher killed with SIGKILL at random moments and started again, 20 times, over a
local feed server: no article lost, none added twice, no alert fired twice, and a page
fetched again only if the watcher died before adding it."""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import pytest
import sqlalchemy as sa

from feedserver import FeedServer
from manysides.store import Collection
from manysides.store.schema import alert_events, articles
from manysides.watch.alerts import Alerts

OUTLETS = ["Wire", "Daily", "Herald", "Courier", "Gazette", "Post"]
STORIES = 12
KILLS = 20
WORDS = [
    "minister",
    "parliament",
    "budget",
    "election",
    "court",
    "police",
    "protest",
    "storm",
    "harbour",
    "railway",
    "hospital",
    "school",
    "factory",
    "market",
    "bank",
    "vaccine",
    "drought",
    "flood",
    "wildfire",
    "summit",
    "treaty",
    "border",
    "army",
    "navy",
    "satellite",
    "museum",
    "festival",
    "stadium",
    "airport",
    "bridge",
    "river",
    "council",
    "mayor",
    "union",
    "strike",
    "tariff",
    "inflation",
    "export",
    "harvest",
    "mine",
    "pipeline",
]


def _text(story: int, outlet: int, rng: random.Random) -> str:
    """Story ``story`` as outlet ``outlet`` tells it: the story's own sentences (shared by every
    outlet: the stories group), plus one sentence of the outlet's own (texts differ)."""
    base = random.Random(story)
    names = [f"{base.choice(NAMES)} {base.choice(SURNAMES)}" for _ in range(2)]
    shared = [
        " ".join(base.choice(WORDS) for _ in range(14)).capitalize() + f", {names[0]} said on Tuesday.",
        " ".join(base.choice(WORDS) for _ in range(16)).capitalize() + f" in {base.choice(PLACES)}.",
        f"{names[1]} told reporters that " + " ".join(base.choice(WORDS) for _ in range(12)) + ".",
    ]
    own = f"{OUTLETS[outlet]} understands that a decision on the {rng.choice(WORDS)} is expected soon."
    return "\n\n".join([*shared, own])


NAMES = ["Anna", "Boris", "Chen", "Dara", "Emil", "Fatima", "Goran", "Hana", "Ivo", "Jana", "Kofi", "Lena"]
SURNAMES = ["Novak", "Okafor", "Petrov", "Quist", "Rahman", "Silva", "Tanaka", "Ueda", "Varga", "Weber"]
PLACES = ["Lisbon", "Nairobi", "Osaka", "Quito", "Riga", "Tunis", "Utrecht", "Valletta", "Warsaw", "Zagreb"]


@pytest.mark.slow
def test_watcher_killed_twenty_times_loses_and_duplicates_nothing(tmp_path: Path) -> None:
    rng = random.Random(7)
    with FeedServer() as server:
        toml = ['interval = "30s"']
        expected = 0
        for o, outlet in enumerate(OUTLETS):
            items = []
            for story in range(STORIES):
                path = f"/{outlet.lower()}/story-{story}"
                url = server.page(path, f"Region {story} talks", _text(story, o, rng), f"2024-04-04T{9 + o:02d}:00:00Z")
                items.append((url, f"Region {story} talks", f"2024-04-04T{9 + o:02d}:00:00Z"))
                expected += 1
            feed = server.rss(f"/{outlet.lower()}/rss.xml", items)
            toml.append(f'[[source]]\nname = "{outlet}"\nurl = "{feed}"\noutlet = "{outlet}"')
        sources = tmp_path / "sources.toml"
        sources.write_text("\n".join(toml) + "\n", encoding="utf-8")
        config = tmp_path / "settings.toml"
        config.write_text("[watch]\nhost_delay = 0.0\nthreads = 3\n", encoding="utf-8")
        url = f"sqlite:///{tmp_path / 'kill.db'}"
        with Collection(url) as collection:
            Alerts(collection).add("outlets", threshold=2, webhook=server.base + "/hook", alert_id="wide")
        command = [sys.executable, "-m", "manysides", "watch", str(sources), "--db", url, "--allow-private"]
        command += ["--config", str(config), "-q"]
        env = {**os.environ, "HF_HUB_OFFLINE": "1"}
        for _ in range(KILLS):
            proc = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            time.sleep(rng.uniform(0.5, 5.0))
            proc.send_signal(signal.SIGKILL)
            proc.wait(timeout=30)
        # Then one round to the end (what is due: the sources whose poll never finished).
        done = subprocess.run([*command, "--once"], env=env, capture_output=True, text=True, timeout=600)
        assert done.returncode == 0, done.stderr[-2000:]
        with Collection(url) as collection, collection.engine.connect() as conn:
            urls = list(conn.scalars(sa.select(articles.c.url)))
            keys = list(conn.scalars(sa.select(alert_events.c.key)))
            wide = [s for s in collection.stories() if len(s.outlets) >= 2]
        assert len(urls) == expected and len(set(urls)) == expected  # none lost, none twice
        assert len(keys) == len(set(keys))  # no alert fired twice
        assert {f"outlets:{s.id}" for s in wide} <= set(keys)  # and none missed
        fetched = Counter({p: n for p, n in server.hits.items() if "/story-" in p})
        again = sum(n - 1 for n in fetched.values())
        # A page is fetched again only when the watcher died between fetching it and adding
        # it: at most one batch (10 pages) per source being polled (3 threads) per kill.
        assert len(fetched) == expected and again <= KILLS * 3 * 10, again
        posted = Counter(p["event"]["key"] for p in server.posted)
        assert set(posted) == {k for k in keys if k.startswith("outlets:")}
        # Webhooks are at-least-once (a kill between the POST and its record repeats it); the
        # event key is the receiver's idempotency key.
        assert sum(posted.values()) - len(posted) <= KILLS
        print(f"kill test: {expected} articles, {again} pages fetched again, {len(keys)} alert events")
