"""Which of two articles that share sentences is the derived one, and on what evidence."""

from __future__ import annotations

import re
from collections.abc import Sequence

from rapidfuzz import fuzz
from wordfreq import zipf_frequency

from ..cluster.features import WORDFREQ_LANGUAGES
from ..dates import instant
from ..index.text import match_key, quoted
from ..model import Article, SentenceLink
from ..settings import AlignSettings
from .align import attribution

#: An editor's insertion inside a quote: "(and)", "[Russia]".
INSERTION = re.compile(r"[(\[][^)\]]{1,30}[)\]]")


def orient(
    a: Article, b: Article, a_in_b: Sequence[SentenceLink], b_in_a: Sequence[SentenceLink]
) -> tuple[Article, Article, tuple[str, ...]]:
    """(source, derived, evidence). The first rule that decides sets the direction:
    dates, credits, "X reported", own wire datelines, then shares. Later rules that
    agree are added as supporting evidence.

    ``a_in_b`` are a's sentences found in b; ``b_in_a`` b's sentences found in a.
    """
    decided: tuple[Article, Article] | None = None
    evidence: list[str] = []
    for rule in (_by_date, _by_credit, _by_attribution, _by_dateline, _by_source_words):
        found = rule(a, b)
        if found is None:
            continue
        src, dst, why = found
        if decided is None:
            decided = (src, dst)
        if decided == (src, dst):
            evidence.append(why)
    if decided is not None:
        return decided[0], decided[1], tuple(evidence)
    share_a = len({x.i for x in a_in_b}) / max(len(a.sentences), 1)
    share_b = len({x.i for x in b_in_a}) / max(len(b.sentences), 1)
    if share_a != share_b:
        # A copy is mostly the copied text; the source is diluted by what the copy left out.
        src, dst, hi, lo = (b, a, share_a, share_b) if share_a > share_b else (a, b, share_b, share_a)
        return (
            src,
            dst,
            (f"no dates or credits decide; {hi:.0%} of {dst.label} is shared text against {lo:.0%} of {src.label}",),
        )
    src, dst = (a, b) if a.id < b.id else (b, a)
    return src, dst, ("no evidence of direction; ordered by id",)


def _by_date(a: Article, b: Article) -> tuple[Article, Article, str] | None:
    when_a, when_b = instant(a.published), instant(b.published)
    if when_a is not None and when_b is not None and when_a != when_b:
        src, dst = (a, b) if when_a < when_b else (b, a)
        return src, dst, f"published {src.published}, before {dst.published}"
    return None


def _by_credit(a: Article, b: Article) -> tuple[Article, Article, str] | None:
    for src, dst in ((a, b), (b, a)):
        if src.outlet and src.outlet != dst.outlet and src.outlet in dst.credits:
            return src, dst, f"{dst.label} credits {src.outlet}"
    return None


def _by_attribution(a: Article, b: Article) -> tuple[Article, Article, str] | None:
    for src, dst in ((a, b), (b, a)):
        if src.outlet and src.outlet != dst.outlet:
            m = attribution(src.outlet).search(dst.text)
            if m:
                return src, dst, f'{dst.label} says where it took it from: "{m.group(0)}"'
    return None


def _by_dateline(a: Article, b: Article) -> tuple[Article, Article, str] | None:
    for src, dst in ((a, b), (b, a)):
        # "MOSCOW, April 4 (Reuters) -" on a Reuters article: the agency's own copy.
        if src.outlet and src.outlet in src.credits and dst.outlet != src.outlet and src.outlet not in dst.credits:
            why = f"the ({src.outlet}) dateline marks original {src.outlet} copy"
            return src, dst, f"{why}; {dst.label} does not credit {src.outlet}"
    return None


#: A word is "of" a language from this Zipf frequency (about once in 3 million words) and
#: foreign to one below FOREIGN_ZIPF; a translation keeps at least SOURCE_WORDS such words
#: of its source's language, and twice as many as the other way round.
COMMON_ZIPF, FOREIGN_ZIPF, SOURCE_WORDS = 3.5, 1.5, 3


def _by_source_words(a: Article, b: Article) -> tuple[Article, Article, str] | None:
    """Between two languages: the translation keeps words of its source's language that it
    left untranslated (names of bodies, titles, phrases: "European Aeronautic Defence and
    Space Company" in a Spanish text), which the source does not do the other way round."""
    if not a.in_other_language(b):
        return None
    in_b, in_a = _foreign_words(b, a.language or ""), _foreign_words(a, b.language or "")
    for src, dst, kept, other in ((a, b, in_b, in_a), (b, a, in_a, in_b)):
        if len(kept) >= SOURCE_WORDS and len(kept) >= 2 * len(other):
            shown = ", ".join(sorted(kept)[:5])
            return src, dst, f"{dst.label} keeps {len(kept)} words of {src.label}'s language untranslated ({shown})"
    return None


def _foreign_words(article: Article, language: str) -> set[str]:
    """Words of ``article`` common in ``language`` and all but unknown in its own."""
    own = article.language or ""
    if own not in WORDFREQ_LANGUAGES or language not in WORDFREQ_LANGUAGES:
        return set()
    words = {w.lower() for w in re.findall(r"[^\W\d_]{3,}", article.text) if not w.isupper()}
    return {w for w in words if zipf_frequency(w, language) >= COMMON_ZIPF and zipf_frequency(w, own) < FOREIGN_ZIPF}


def copied_renderings(
    x: Article,
    y: Article,
    x_in_y: Sequence[SentenceLink],
    rendered: set[tuple[int, int]],
    params: AlignSettings = AlignSettings(),  # noqa: B008 (frozen: one shared default)
) -> dict[str, str]:
    """Quotes that x renders word for word as y does, where the rendering is y's or x's own
    choice rather than the speaker's words: it holds an editor's insertion ("(and)"), or
    another article of the story renders the same utterance differently (its own
    translation). Two outlets translating one briefing do not pick the same words.

    ``x_in_y`` are links from x's sentences (``link.a``) to y's; ``rendered`` the
    (article, sentence) ends of the story's translation links (``translation_ends``).
    Returns one line of evidence per quote, keyed by the quote's match key."""
    out: dict[str, str] = {}
    same = max(params.near_verbatim, params.verbatim_quote)
    for link in x_in_y:
        y_key = match_key(y.sentences[link.j].text)
        for q in quoted(x.sentences[link.i].text):
            key = match_key(q)
            if len(key.split()) < params.quote_words or fuzz.partial_ratio(key, y_key) / 100.0 < same:
                continue
            insertion = INSERTION.search(q)
            other = (link.a, link.i) in rendered or (link.b, link.j) in rendered
            if insertion and INSERTION.search(y.sentences[link.j].text):
                out[key] = (
                    f'{x.label} and {y.label} quote "{_short(q)}" alike, editorial "{insertion.group(0)}" included'
                )
            elif other:
                out[key] = f'{x.label} and {y.label} quote "{_short(q)}" alike; another outlet renders it differently'

    return out


def translation_ends(links: Sequence[SentenceLink]) -> set[tuple[int, int]]:
    """Sentences (article position, sentence) that another article renders differently."""
    return {end for link in links if link.kind == "translation" for end in ((link.a, link.i), (link.b, link.j))}


def _short(text: str, words: int = 12) -> str:
    parts = text.split()
    return " ".join(parts[:words]) + ("…" if len(parts) > words else "")
