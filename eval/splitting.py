"""Page splitting: a second story on one page becomes its own article; one story stays whole.

Pages are built at run time from ../shared/data (nothing is copied):

- **single**: every ECB+ document (one sentence a line) and every PolNeAR dev article (its
  own paragraphs), as they are: one story each, so any split is a false split.
- **single** also: every PolNeAR train article.
- **joined**: two ECB+ documents one after the other, the second opened by its own headline
  or not, as a page that appends a second story (the seed coverage's Press TV and AAP
  pages do both). Half of them take a second document whose first line is its real
  headline (ECB+ keeps the headline as the first line of most of its newer documents), the
  other half one whose headline lines are dropped (or that has none). The second is of the
  same topic but the other event (sub-topic: two different earthquakes, two different
  Oscar ceremonies), the hard case; or of another topic.
  And two PolNeAR articles of the 2016 campaign in their paragraphs ("campaign"), the second
  under its real headline or without one.

Scores: the share of joined pages cut at the join (the second piece starts where the second
document does) and the share of single pages cut anywhere. Which pages are built is fixed
(a seeded draw), so figures compare across runs.
"""

from __future__ import annotations

import random
from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from eval.common import dataset, read_jsonl
from manysides.clean import clean
from manysides.clean.rules import headline_like
from manysides.model import RawDocument
from manysides.outlets import default_registry

#: Joined pages of each kind (same topic other event; other topic).
JOINED = 150
SEED = 11


@dataclass(frozen=True)
class Page:
    kind: str  # single, same-topic, other-topic, campaign
    text: str
    join: int | None  # the character offset where the second story starts
    title: str | None = None


def pages() -> list[Page] | None:
    ecb, pol = dataset("ecbplus"), dataset("polnear")
    if ecb is None or pol is None:
        return None
    docs = list(read_jsonl(ecb / "ecbplus_docs.jsonl"))
    out = [Page("single", "\n".join(s["text"] for s in d["sentences"]), None) for d in docs]
    articles = [*read_jsonl(pol / "polnear_dev.jsonl"), *read_jsonl(pol / "polnear_train.jsonl")]
    out += [Page("single", str(a["text"]), None, str(a.get("title") or "")) for a in articles]
    rng = random.Random(SEED)
    by_topic: dict[int, dict[str, list[dict[str, Any]]]] = defaultdict(lambda: defaultdict(list))
    for d in docs:
        by_topic[int(d["topic"])][str(d["subtopic"])].append(d)
    topics = sorted(t for t, subs in by_topic.items() if len(subs) == 2)
    for kind in ("same-topic", "other-topic"):
        for n in range(JOINED):
            t = rng.choice(topics)
            first_sub, second_sub = rng.sample(sorted(by_topic[t]), 2)
            a = rng.choice(by_topic[t][first_sub])
            if kind == "same-topic":
                pool = by_topic[t][second_sub]
            else:
                other = rng.choice([x for x in topics if x != t])
                pool = by_topic[other][rng.choice(sorted(by_topic[other]))]
            # Half of them under the second story's real headline, half without one. (An
            # earlier build put the first nine words of the second document's first
            # sentence above it as its "headline": a line that the next line repeats word
            # for word, far easier to find than a real headline, which inflated the figures.)
            headed = n % 2 == 0
            b = rng.choice([d for d in pool if headline_like(d["sentences"][0]["text"]) == headed] or pool)
            head = "\n".join(s["text"] for s in a["sentences"])
            tail = [s["text"] for s in b["sentences"]]
            while not headed and tail and headline_like(tail[0]):
                tail.pop(0)
            out.append(Page(kind, head + "\n" + "\n".join(tail), len(head) + 1))
    # Two articles of the 2016 campaign (PolNeAR), in paragraphs: the second under its own
    # headline or appended without one.
    for n in range(JOINED):
        a, b = rng.sample(articles, 2)
        head = str(a["text"]).rstrip()
        body = _body(b)
        if n % 2 == 0:
            body = f"{b['title']}\n\n{body}"
        out.append(Page("campaign", f"{head}\n\n{body}", len(head) + 2, str(a.get("title") or "")))
    return out


def _body(article: dict[str, Any]) -> str:
    """A PolNeAR article's text without its first paragraph when that repeats its title."""
    first, _, rest = str(article["text"]).partition("\n\n")
    title = str(article.get("title") or "")
    return rest.strip() if title and first.rstrip(".").strip() == title.strip() else str(article["text"]).strip()


def split_at(page: Page) -> list[int]:
    """Where the cleaner starts each piece after the first (offsets into the page's text)."""
    doc = RawDocument(
        source="page.txt", content=page.text, format="text", hints={"title": page.title} if page.title else {}
    )
    pieces = clean(doc, default_registry())
    starts = []
    for piece in pieces[1:]:
        # A later piece's headline becomes its title (out of its text); its first line
        # may also be a date line the cleaner removed: it starts at the earliest of them.
        heads = [piece.title or "", piece.text.split("\n\n")[0], *(r.text for r in piece.removed)]
        found = [page.text.find(h[:60]) for h in heads if h.strip()]
        starts.append(min((f for f in found if f >= 0), default=-1))
    return starts


def evaluate() -> dict[str, Any] | None:
    built = pages()
    if built is None:
        return None
    counts: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for page in built:
        starts = split_at(page)
        c = counts[page.kind]
        c[1] += 1
        if page.join is None:
            c[0] += bool(starts)
        else:
            c[0] += any(abs(s - page.join) <= 1 for s in starts)
    return {kind: {"pages": n, "hit": k, "share": k / n} for kind, (k, n) in counts.items()}
