"""Coverage across languages on MEANTIME (public half): stories, translations, alignment.

MEANTIME (Minard et al., LREC 2016; ../shared/data/meantime) gives 60 English Wikinews
articles and their human translations into Spanish, Italian and Dutch: 240 documents, 60
stories of four languages each, over two topics (Airbus, Apple: same-topic stories are
alike, which is what makes the grouping hard). Everything runs through the product's own
stages (clean, features, index, cluster, reuse) with the shipped models; nothing here is
fitted on MEANTIME (the cross-language word estimate is fitted on English ECB+ pairs,
``eval.fit_crosslingual``).

- ``stories``: BCubed F1 of the documents' stories against ``parallel_id`` (grouping by
  language alone scores about 0.40).
- ``alignment``: each translated sentence's link to an English sentence, against the gold
  counterpart. MEANTIME's translations render the English sentence by sentence but the
  alignment is not annotated; the gold is the sentence at the same position, in the 146 of
  180 translations with as many sentences as their English original (where a sentence was
  split or merged the position shifts and no gold is claimed). Recall: share of those
  sentences linked to their counterpart; precision: share of links (in those documents)
  that are right.
- ``translation``: share of translated documents reported as ``derived`` from their English
  original with kind ``translation``.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from typing import Any

from manysides.cluster import cluster
from manysides.features import prepare
from manysides.index import build_index
from manysides.model import RawDocument
from manysides.nlp import Models
from manysides.outlets import default_registry
from manysides.pipeline import clean_documents
from manysides.reuse import align_stories
from manysides.reuse import compare as compare_stories
from manysides.settings import load_settings

from .common import bcubed, dataset, read_jsonl

#: Ratio margins tried for ``align.translation_margin`` (chosen by cross-validation over topics).
GRID = [1.0, 1.05, 1.1, 1.15, 1.2, 1.25, 1.3]


def load() -> list[dict[str, Any]] | None:
    folder = dataset("meantime")
    if folder is None:
        return None
    return list(read_jsonl(folder / "meantime_public.jsonl"))


def document(record: dict[str, Any]) -> RawDocument:
    """One MEANTIME document as a text file: its title, then one sentence per paragraph."""
    lines = [line for line in record["text"].split("\n") if line.strip()]
    return RawDocument(
        source=f"{record['id']}.txt",
        content="\n\n".join(lines),
        format="text",
        hints={"id": record["id"]},
    )


def evaluate(models: Models | None = None) -> dict[str, Any] | None:
    records = load()
    if records is None:
        return None
    settings = load_settings()
    models = models or Models(settings)
    articles, _ = clean_documents([document(r) for r in records], default_registry(), settings)
    prepared = prepare(articles, models)
    articles = prepared.articles
    index = build_index(articles, models, actions=prepared.actions)
    stories = cluster(articles, index, params=settings.clustering)
    gold = {r["id"]: str(r["parallel_id"]) for r in records}
    story_of = {aid: s.id for s in stories for aid in s.article_ids}
    ids = [r["id"] for r in records]
    p, r, f = bcubed([story_of[i] for i in ids], [gold[i] for i in ids])
    languages = {a.id: a.language for a in articles}
    out: dict[str, Any] = {
        "documents": len(records),
        "stories": {"precision": round(p, 4), "recall": round(r, 4), "f1": round(f, 4), "found": len(stories)},
        "language_identified": round(sum(languages[rec["id"]] == rec["lang"] for rec in records) / len(ids), 4),
        "mistakes": _mistakes(stories, gold),
    }
    # Sentence alignment within the stories found; scored where a translation and its
    # English original share a story (a split story loses its links: counted as misses).
    loose = settings.align.model_copy(update={"translation_margin": min(GRID)})
    alignments = align_stories(articles, stories, index, loose)
    by_id = {rec["id"]: rec for rec in records}
    lines = {a.id: _line_of(a, by_id[a.id]) for a in articles}
    found = _links(stories, alignments, articles)
    topics = sorted({rec["topic"] for rec in records})
    per_topic = {topic: {t: _score(found, records, by_id, lines, t, topic) for t in GRID} for topic in topics}
    # Cross-validation over the two topics: the margin chosen on one, scored on the other.
    folds = {}
    for held_out in topics:
        fit = [t for t in topics if t != held_out]
        chosen = max(GRID, key=lambda t: (_f1(sum((per_topic[x][t] for x in fit), Counter())), t))
        folds[held_out] = {"margin": chosen, **_pr(per_topic[held_out][chosen])}
    shipped = settings.align.translation_margin
    total = sum((per_topic[t][shipped] for t in topics), Counter())
    out["alignment"] = {
        "documents": total["documents"],
        "margin": shipped,
        **_pr(total),
        "cross_validated": folds,
        "by_margin": {str(t): _pr(sum((per_topic[x][t] for x in topics), Counter())) for t in GRID},
    }
    shipped_links = {
        sid: [link for link in links if link.kind != "translation" or (link.probability or 0.0) >= shipped]
        for sid, links in alignments.items()
    }
    reuse = compare_stories(articles, stories, shipped_links, settings.reuse, settings.align)
    derived = [x for x in reuse if x.relation == "derived" and x.kind == "translation"]
    translated = {
        x.article_id if x.source_id.startswith("en_") else x.source_id
        for x in derived
        if gold[x.article_id] == gold[x.source_id] and (x.source_id.startswith("en_") or x.article_id.startswith("en_"))
    }
    out["pages"] = pages(records)
    others = [rec["id"] for rec in records if rec["lang"] != "en"]
    out["translation"] = {
        "found": round(len(translated & set(others)) / len(others), 4),
        "documents": len(others),
        "derived": len(derived),
        "english_as_source": sum(1 for x in derived if x.source_id.startswith("en_")),
        "english_as_translation": sum(1 for x in derived if x.article_id.startswith("en_")),
    }
    return out


def _lines(record: dict[str, Any]) -> list[str]:
    return [line for line in record["text"].split("\n") if line.strip()]


def _line_of(article: Any, record: dict[str, Any]) -> dict[int, int]:
    """Each sentence of the analysed article -> the MEANTIME line (gold sentence) it lies in."""
    text, spans, cursor = article.text, [], 0
    for g, line in enumerate(_lines(record)):
        at = text.find(line.strip(), cursor)
        if at >= 0:
            spans.append((at, at + len(line.strip()), g))
            cursor = at + len(line.strip())
    out = {}
    for s in article.sentences:
        for lo, hi, g in spans:
            if lo <= s.start < hi:
                out[s.i] = g
                break
    return out


def pages(records: list[dict[str, Any]]) -> dict[str, Any]:
    """Page splitting by language (``clean.split.language_breaks``) on pages built from
    MEANTIME: each document alone (must stay one article), an English document followed by
    another story's translation, and an English document followed by its own translation
    (a bilingual page); a cut is right when it falls at the join (the second document's
    title opens the second piece)."""
    registry = default_registry()
    settings = load_settings()
    by_id = {r["id"]: r for r in records}
    english = sorted((r for r in records if r["lang"] == "en"), key=lambda r: str(r["parallel_id"]))

    def pieces(*docs: dict[str, Any]) -> list[str]:
        text = "\n\n".join("\n\n".join(_lines(d)) for d in docs)
        doc = RawDocument(source="page.txt", content=text, format="text", hints={})
        return [a.title or a.text.split("\n", 1)[0] for a in clean_documents([doc], registry, settings)[0]]

    single = sum(len(pieces(r)) > 1 for r in records)
    out: dict[str, Any] = {"single": {"pages": len(records), "split": single}}
    for name, partner in (
        ("two stories", lambda k, lang: by_id[f"{lang}_{english[(k + 1) % len(english)]['parallel_id']}"]),
        ("bilingual", lambda k, lang: by_id[f"{lang}_{english[k]['parallel_id']}"]),
    ):
        right = total = 0
        for k, en in enumerate(english):
            second = partner(k, ("es", "it", "nl")[k % 3])
            found = pieces(en, second)
            total += 1
            # (clean gives the pieces in id order, not page order)
            right += len(found) == 2 and _lines(second)[0].strip() in {f.strip() for f in found}
        out[name] = {"pages": total, "cut_at_join": right}
    return out


def _links(stories: Any, alignments: Any, articles: Any) -> dict[tuple[str, str], list[tuple[int, int, float]]]:
    """Translation links per (translated id, English id): (its sentence, English sentence, margin)."""
    by_id = {a.id: a for a in articles}
    out: dict[tuple[str, str], list[tuple[int, int, float]]] = defaultdict(list)
    for story in stories:
        members = [by_id[i] for i in story.article_ids]
        for link in alignments.get(story.id, ()):
            if link.kind != "translation":
                continue
            a, b = members[link.a], members[link.b]
            if b.id.startswith("en_") and not a.id.startswith("en_"):
                out[a.id, b.id].append((link.i, link.j, link.probability or 0.0))
            elif a.id.startswith("en_") and not b.id.startswith("en_"):
                out[b.id, a.id].append((link.j, link.i, link.probability or 0.0))
    return out


def _score(
    found: dict[tuple[str, str], list[tuple[int, int, float]]],
    records: list[dict[str, Any]],
    by_id: dict[str, dict[str, Any]],
    lines: dict[str, dict[int, int]],
    margin: float,
    topic: str,
) -> Counter[str]:
    """Right, found and gold links of one topic's translations at one margin."""
    out: Counter[str] = Counter()
    for rec in records:
        if rec["lang"] == "en" or rec["topic"] != topic:
            continue
        english = by_id[f"en_{rec['parallel_id']}"]
        if len(_lines(rec)) != len(_lines(english)):
            continue  # a sentence split or merged: no positional gold
        out["documents"] += 1
        mine_lines, their_lines = lines[rec["id"]], lines[english["id"]]
        # Gold: line g <-> line g, for lines the analysis reads on both sides (not the title).
        kept = {g for g in mine_lines.values() if g > 0} & set(their_lines.values())
        mine = {
            (mine_lines.get(i), their_lines.get(j))
            for i, j, m in found.get((rec["id"], english["id"]), ())
            if m >= margin and mine_lines.get(i) in kept
        }
        out["right"] += sum(1 for g, e in mine if g == e)
        out["found"] += len(mine)
        out["gold"] += len(kept)
    return out


def _pr(c: Counter[str]) -> dict[str, Any]:
    p = c["right"] / c["found"] if c["found"] else 0.0
    r = c["right"] / c["gold"] if c["gold"] else 0.0
    return {"precision": round(p, 4), "recall": round(r, 4), "links": c["found"], "gold": c["gold"]}


def _f1(c: Counter[str]) -> float:
    pr = _pr(c)
    p, r = pr["precision"], pr["recall"]
    return 2 * p * r / (p + r) if p + r else 0.0


def _mistakes(stories: Any, gold: dict[str, str]) -> list[str]:
    """Stories that mix parallel ids, and parallel ids split over stories (at most 10)."""
    out = []
    by_gold: dict[str, set[str]] = defaultdict(set)
    for s in stories:
        found = sorted({gold[a] for a in s.article_ids})
        if len(found) > 1:
            out.append(f"story {s.id} mixes {', '.join(found)}: {', '.join(s.article_ids)}")
        for a in s.article_ids:
            by_gold[gold[a]].add(s.id)
    out += [f"{g} split over {len(sids)} stories" for g, sids in sorted(by_gold.items()) if len(sids) > 1]
    return out[:10]


if __name__ == "__main__":
    import json

    print(json.dumps(evaluate(), indent=1))
