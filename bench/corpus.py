"""Benchmark corpora: real news text from ../shared/data when present, else synthetic articles.

The real corpus is every ECB+ document (772 short news articles about 70 events) topped up
with PolNeAR articles (longer US political news) to the size asked for. Nothing is copied
into the repository: the texts are read from ../shared/data at run time.
"""

from __future__ import annotations

import gzip
import json
import random
from collections.abc import Iterator
from pathlib import Path

DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data"


ECB = DATA / "ecbplus" / "ecbplus_docs.jsonl"


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
