"""Benchmark corpora: real news text from ../shared/data when present, else synthetic articles.

The real corpus is every ECB+ document (772 short news articles about 70 events) topped up
with PolNeAR articles (longer US political news) to the size asked for. Nothing is copied
into the repository: the texts are read from ../shared/data at run time.
"""

from __future__ import annotations

import datetime as dt
import gzip
import itertools
import json
import os
import random
import re
from collections.abc import Iterator
from pathlib import Path

DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data"


ECB = DATA / "ecbplus" / "ecbplus_docs.jsonl"
#: Set to 1 to run the benches on synthetic text when ../shared/data is absent.
SYNTHETIC_ENV = "MANYSIDES_BENCH_SYNTHETIC"


class MissingData(SystemExit):
    """The real corpus is absent and synthetic text was not asked for."""


def require_real() -> bool:
    """True when the real data is here; False when it is absent and synthetic text was asked
    for (MANYSIDES_BENCH_SYNTHETIC=1); otherwise stop loudly rather than quietly measure
    something else."""
    if ECB.exists() and (DATA / "polnear" / "polnear_train.jsonl").exists():
        return True
    if os.environ.get(SYNTHETIC_ENV) == "1":
        return False
    raise MissingData(
        f"bench: the real corpus is missing ({DATA}/ecbplus, {DATA}/polnear); put ../shared/data beside the "
        f"repository, or run with {SYNTHETIC_ENV}=1 to measure on synthetic text instead"
    )


def news_sentences(n: int) -> list[str]:
    """``n`` distinct real news sentences (ECB+ then PolNeAR), in a fixed order."""
    seen: dict[str, None] = {}
    for s in sentence_pool():
        seen.setdefault(s, None)
        if len(seen) >= n:
            break
    return list(seen)


def ecb_articles() -> list[dict[str, str]]:
    """Every ECB+ document as {id, text} (empty when the data is absent)."""
    if not ECB.exists():
        return []
    return [{"id": d["id"], "text": "\n".join(s["text"] for s in d["sentences"])} for d in _jsonl(ECB)]


def real_articles(n: int) -> list[dict[str, str]] | None:
    polnear = DATA / "polnear" / "polnear_train.jsonl"
    if not ECB.exists() or not polnear.exists():
        return None
    out = ecb_articles()
    for d in _jsonl(polnear):
        if len(out) >= n:
            break
        out.append(
            {"id": d["id"], "outlet": d["publisher"], "title": d["title"], "published": d["date"], "text": d["text"]}
        )
    return out[:n]


def html_pages() -> list[str]:
    """The raw pages of the HTML extraction benchmark, decompressed (empty when absent)."""
    folder = DATA / "html_extraction" / "html"
    if not folder.exists():
        return []
    return [gzip.decompress(p.read_bytes()).decode("utf-8", errors="replace") for p in sorted(folder.glob("*.html.gz"))]


def synthetic_articles(n: int, seed_dir: Path, seed: int = 1) -> list[dict[str, str]]:
    """Articles made by sampling paragraphs of the seed files and swapping names and numbers."""
    rng = random.Random(seed)
    paragraphs = [p for f in sorted(seed_dir.glob("*.txt")) for p in f.read_text().split("\n") if len(p.split()) > 8]
    names = ["Alder", "Birch", "Cedar", "Dogwood", "Elm", "Fir", "Ginkgo", "Hazel", "Ivy", "Juniper"]
    out = []
    for k in range(n):
        swap = rng.choice(names)
        body = [rng.choice(paragraphs).replace("NATO", swap).replace("Kremlin", swap + " City") for _ in range(12)]
        out.append({"id": f"syn{k:06d}", "text": "\n".join(body)})
    return out


def _jsonl(path: Path) -> Iterator[dict[str, object]]:
    with path.open(encoding="utf-8") as fh:
        for line in fh:
            if line.strip():
                yield json.loads(line)


#: Names and terms of the seed coverage swapped for a story's own invented ones.
SWAPPED = (
    "NATO",
    "Kremlin",
    "Russia",
    "Ukraine",
    "Kyiv",
    "Moscow",
    "Putin",
    "Peskov",
    "Stoltenberg",
    "Kuleba",
    "Finland",
    "Sweden",
    "Brussels",
    "Reuters",
    "Soviet",
    "Washington",
    "Baltic",
)
CAPITALISED = re.compile(r"(?<=[a-z,;] )[A-Z][a-z]{2,}\b")
SYLLABLES = ("ka", "lo", "ve", "ri", "tan", "mor", "zel", "qui", "bra", "dun", "phe", "sol", "gar", "nix", "wen", "tho")


def synthetic_stream(
    n: int,
    seed_dir: Path,
    seed: int = 1,
    per_story: int = 8,
    per_day: int = 0,
    pool: list[str] | None = None,
    concurrent: int = 1,
) -> Iterator[dict[str, str]]:
    """``n`` articles in stories of 1 to 2*per_story articles, as JSON-ready dicts.

    How they are made: each story picks 6 paragraphs of the seed coverage and gives the
    coverage's names (NATO, Kremlin, Putin, ...) its own invented names (random syllables)
    and its own figures; each of its articles takes 3 to 6 of those paragraphs in its own
    order plus one paragraph from anywhere (noise). Stories share the seeds' ordinary
    vocabulary and differ in names and figures, as different events do. ``per_day`` > 0
    dates them (that many articles a day, from 2024-01-01); 0 leaves them undated, all in
    one time window (the hardest case for the index). ``pool`` replaces the seed
    paragraphs with other text (``bench`` passes the sentences of real news).
    ``concurrent`` stories develop at once: each article comes from one of them at random
    (1: a story's articles come one after another), so that a story's articles are spread
    over about ``concurrent * per_story`` articles of the stream, as in a busy feed.
    """
    rng = random.Random(seed)
    paragraphs = pool or [
        p for f in sorted(seed_dir.glob("*.txt")) for p in f.read_text().split("\n") if len(p.split()) > 8
    ]
    stories = _stories(rng, paragraphs, pool is None, per_story)
    running: list[Iterator[dict[str, str]]] = []
    for made in range(n):
        while len(running) < concurrent:
            running.append(next(stories))
        k = rng.randrange(len(running)) if concurrent > 1 else 0
        item = next(running[k], None)
        while item is None:
            running[k] = next(stories)
            item = next(running[k], None)
        if per_day:
            day = dt.date(2024, 1, 1) + dt.timedelta(days=made // per_day)
            item["published"] = day.isoformat()
        yield item


def _stories(
    rng: random.Random, paragraphs: list[str], seeds: bool, per_story: int
) -> Iterator[Iterator[dict[str, str]]]:
    """Endless stories, each the iterator of its articles."""
    for story in itertools.count():
        chosen = rng.sample(paragraphs, 6)
        # The story's own names: the seeds' known names, or (other text) every capitalised
        # word inside a sentence, each replaced by an invented one throughout the story.
        found = SWAPPED if seeds else sorted({m for p in chosen for m in CAPITALISED.findall(p)})
        names = {w: _invented(rng) for w in found}
        figures = {str(k): str(rng.randint(3, 999)) for k in range(2, 100)}
        size = rng.randint(1, 2 * per_story - 1)
        yield _articles(rng, paragraphs, story, size, chosen, names, figures)


def _articles(
    rng: random.Random,
    paragraphs: list[str],
    story: int,
    size: int,
    chosen: list[str],
    names: dict[str, str],
    figures: dict[str, str],
) -> Iterator[dict[str, str]]:
    title = _swap(chosen[0][:80], names, figures)
    for k in range(size):
        body = [*rng.sample(chosen, rng.randint(3, 6)), rng.choice(paragraphs)]
        text = "\n".join(_swap(p, names, figures) for p in body)
        yield {"id": f"syn{story:06d}-{k:02d}", "title": title, "text": text}


def sentence_pool() -> list[str]:
    """Sentences of real news (ECB+ and PolNeAR, read at run time) for synthetic streams."""
    pool = [s for d in ecb_articles() for s in d["text"].split("\n") if len(s.split()) > 8]
    polnear = DATA / "polnear" / "polnear_train.jsonl"
    if polnear.exists():
        for d in _jsonl(polnear):
            text = str(d.get("text", ""))
            pool += [s for s in re.split(r"(?<=[.!?])\s+", text) if len(s.split()) > 8]
    return pool


def _invented(rng: random.Random) -> str:
    return "".join(rng.choice(SYLLABLES) for _ in range(rng.randint(2, 3))).capitalize()


def _swap(text: str, names: dict[str, str], figures: dict[str, str]) -> str:
    if names:
        text = re.sub("|".join(rf"\b{re.escape(w)}\b" for w in names), lambda m: names[m.group()], text)
    return re.sub(r"\b\d{1,2}\b", lambda m: figures.get(m.group(), m.group()), text)
