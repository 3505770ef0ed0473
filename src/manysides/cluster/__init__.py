"""Stage 6, cluster: articles into stories.

``cluster`` is the one-shot path (``manysides compare``): the articles go through the
same incremental engine as a persistent collection (``engine.StoryIndex``, see its
docstring for the method), in date order, and the stories are cut once at the end.
``fixed_stories`` turns groups decided elsewhere (a collection's stories, for
``manysides show``) into ``Story`` records.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from ..dates import date_key, day_number, instant
from ..index import CorpusIndex
from ..model import Article, Story, StoryWhy
from ..settings import ClusteringSettings
from .engine import StoryIndex, load_story_model, story_id
from .features import story_features


def cluster(
    articles: Sequence[Article],
    index: CorpusIndex,
    dense: bool = False,
    params: ClusteringSettings | None = None,
) -> list[Story]:
    """Stories of ``articles``; ``dense`` adds the articles' embeddings to the features;
    ``params`` overrides the fitted cut (the ``[clustering]`` settings)."""
    if not articles:
        return []
    engine = StoryIndex(load_story_model(params), dense=dense)
    for k, a in enumerate(articles):
        vector = index.article_vectors[k] if dense else None
        lead = index.lead_vectors[k] if index.multilingual else None
        feats = story_features(a.title, a.text, vector, language=a.language, lead=lead, published=a.published)
        engine.add(a.id, feats, day_number(a.published))
    # The cut's ``joined`` changes already carry why each article is where it is.
    why_of = {c.article_id: c.evidence for c in engine.cut() if c.kind == "joined"}
    by_id = {a.id: a for a in articles}
    stories = []
    for sid, rows in engine.stories.items():
        members = [by_id[engine.ids[r]] for r in rows]
        why = {engine.ids[r]: why_of[engine.ids[r]] for r in rows}
        stories.append(_story(sid, members, why, index))
    return sorted(stories, key=lambda s: (-len(s.article_ids), date_key(s.first_published), s.id))


def fixed_stories(
    articles: Sequence[Article], groups: Sequence[tuple[str, Sequence[str], Mapping[str, Any]]], index: CorpusIndex
) -> list[Story]:
    """``Story`` records for groups decided elsewhere: (story id, article ids, why per article)."""
    by_id = {a.id: a for a in articles}
    return [_story(sid, [by_id[i] for i in ids if i in by_id], why, index) for sid, ids, why in groups]


def _story(sid: str, members: list[Article], why: Mapping[str, Any], index: CorpusIndex) -> Story:
    members = sorted(members, key=lambda a: (date_key(a.published), a.id))
    dates = sorted((a.published for a in members if instant(a.published) is not None), key=date_key)
    found = {a.id: _why(a.id, why.get(a.id), index) for a in members}
    reasons = [r for r in found.values() if r is not None]
    score = {r.article_id: r.similarity for r in reasons}
    central = max(members, key=lambda a: (sum(1 for r in reasons if r.nearest == a.id), score.get(a.id, 0.0), a.id))
    return Story(
        id=sid or story_id(a.id for a in members),
        title=central.title or (central.sentences[0].text if central.sentences else None),
        article_ids=tuple(a.id for a in members),
        first_published=dates[0] if dates else None,
        last_published=dates[-1] if dates else None,
        why=tuple(reasons),
    )


def _why(article_id: str, found: Any, index: CorpusIndex) -> StoryWhy | None:
    """The member's nearest fellow member (from the engine's evidence): the pair's
    probability, cosines, shared wording; None for a member with no neighbour."""
    nearest = (found or {}).get("nearest") or []
    if not nearest:
        return None
    best = nearest[0]
    rows = index.row_of
    shared = None
    if article_id in rows and best["article_id"] in rows:
        # Estimated Jaccard of the two texts' word 5-shingles: how much wording they share.
        a, b = rows[article_id], rows[best["article_id"]]
        shared = round(float(index.article_minhash[a].jaccard(index.article_minhash[b])), 4)
    return StoryWhy(article_id, best["article_id"], best["probability"], best["words"], best["names"], shared)
