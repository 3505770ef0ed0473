"""Word choice, loaded language and the checked digest on the bundled example."""

from __future__ import annotations

from dataclasses import replace

from conftest import by_source
from manysides.digest import digests, is_fragment
from manysides.framing import loaded_in
from manysides.index import CorpusIndex
from manysides.model import Framing, Report
from manysides.nlp import Models


def _concept(report: Report, story_id: str, name: str) -> Framing:
    [f] = [f for f in report.framing if f.story_id == story_id and f.concept == name]
    return f


def _users(f: Framing, term: str, voice: str | None = None) -> set[str]:
    return {a for v in f.variants if v.term == term and voice in (None, v.voice) for a in v.article_ids}


def test_framing_kyiv_against_kiev(seed_report: Report) -> None:
    ids = {n: by_source(seed_report, n).id for n in ("reuters", "indaily", "presstv", "rt")}
    story = seed_report.story_of(ids["reuters"])
    assert story is not None
    kyiv = _concept(seed_report, story.id, "capital of Ukraine (spelling)")
    assert _users(kyiv, "Kyiv", "own") == {ids["reuters"], ids["indaily"]}
    assert _users(kyiv, "Kiev") == {ids["presstv"], ids["rt"]}
    assert _users(kyiv, "Kiev", "own") == {ids["rt"]}  # Press TV's is inside "Putin ... emphasizing that ..."
    assert kyiv.origin == "lexicon" and "2019" in kyiv.source


def test_framing_war_conflict_and_special_military_operation(seed_report: Report) -> None:
    ids = {n: by_source(seed_report, n).id for n in ("reuters", "indaily", "presstv", "rt")}
    story = seed_report.story_of(ids["reuters"])
    assert story is not None
    war = _concept(seed_report, story.id, "Russia's war in Ukraine (label)")
    assert _users(war, "war", "own") == {ids["reuters"], ids["indaily"]}
    assert ids["rt"] in _users(war, "conflict", "own")  # "Since the start of the Ukraine conflict"
    # Press TV gives the label to Russia: "Russia says its 'special military operation' ..."
    assert _users(war, "special military operation", "attributed") == {ids["presstv"]}
    assert _users(war, "aggression", "attributed") == {ids["reuters"], ids["indaily"]}  # "NATO says ..."
    bloc = _concept(seed_report, story.id, "NATO (label)")
    assert _users(bloc, "bloc", "own") == {ids["rt"]} and ids["reuters"] in _users(bloc, "alliance", "own")


def test_framing_russia_moscow_and_the_kremlin(seed_report: Report) -> None:
    ids = {n: by_source(seed_report, n).id for n in ("reuters", "presstv", "rt")}
    story = seed_report.story_of(ids["reuters"])
    assert story is not None
    russia = _concept(seed_report, story.id, "Russia (the state, its capital, its seat)")
    assert russia.neutral == "Russia" and "GeoNames" in russia.source
    # Press TV: "Kremlin spokesman Dmitry Peskov said ..." and "Moscow's Warsaw Pact alliance".
    assert ids["presstv"] in _users(russia, "Kremlin") and ids["presstv"] in _users(russia, "Moscow")
    presstv = by_source(seed_report, "presstv")
    for v in russia.variants:
        for c in v.evidence:
            if c.article_id == presstv.id and v.term != "Russia":
                assert v.term in presstv.sentences[c.sentence].text


def test_framing_from_aligned_rewordings(seed_report: Report) -> None:
    presstv = by_source(seed_report, "presstv").id
    contrasts = {f.concept: f for f in seed_report.framing if f.origin == "alignment"}
    assert "cheated / deceived" in contrasts and "disbanded / dissolved" in contrasts
    assert _users(contrasts["cheated / deceived"], "deceived") == {presstv}
    assert all(len({v.term for v in f.variants}) == 2 for f in contrasts.values())


def test_loaded_words_and_voices(seed_report: Report) -> None:
    rt = by_source(seed_report, "rt")
    assert {w.word.lower() for w in rt.loaded} >= {"claimed"}  # "He claimed that the US-led military bloc..."
    assert rt.voices[0].speaker == "Dmitry Peskov" and rt.voices[0].share >= 0.4
    assert abs(sum(v.share for v in rt.voices) - 1.0) < 0.01
    assert loaded_in("Critics slammed the so-called reform as a disastrous hoax.") == [
        "slammed",
        "so-called",
        "disastrous",
        "hoax",
    ]


def test_digest_leads_with_the_kremlin_statement_and_every_sentence_is_checked(seed_report: Report) -> None:
    story = seed_report.story_of(by_source(seed_report, "reuters").id)
    assert story is not None and 5 <= len(story.digest) <= 12
    first = story.digest[0]
    assert "direct confrontation" in first.text and "Kremlin" in first.text
    assert not first.text.startswith("MOSCOW")  # the wire dateline is not part of the fact
    outlets = {seed_report.article(c.article_id).outlet for c in first.citations}
    assert len(outlets) >= 4
    for d in story.digest:
        assert d.support >= 0.5 and d.citations
        for c in d.citations:
            assert seed_report.article(c.article_id).sentences[c.sentence].text  # a real sentence
    assert all("Kiev" not in d.text for d in story.digest)
    assert not any(is_fragment(d.text) for d in story.digest)  # every sentence stands alone


def test_digest_rewriter_output_is_checked(seed_report: Report, models: Models) -> None:
    story = seed_report.story_of(by_source(seed_report, "reuters").id)
    assert story is not None
    members = [seed_report.article(a) for a in story.article_ids]
    bare = replace(story, digest=())

    def invent(sentences: list[str]) -> list[str]:
        return ["Aliens landed in Brussels and signed a treaty with NATO on Thursday." for _ in sentences]

    def tidy(sentences: list[str]) -> list[str]:
        return [s.replace("U.S.-led", "US-led") for s in sentences]

    index = CorpusIndex(members, models)
    [invented] = digests(members, [bare], seed_report.facts, seed_report.reuse, index, models, invent)
    assert [d.text for d in invented.digest] == [d.text for d in story.digest]  # every invention rejected
    [tidied] = digests(members, [bare], seed_report.facts, seed_report.reuse, index, models, tidy)
    assert "US-led alliance" in tidied.digest[0].text and tidied.digest[0].support >= 0.5


def test_framing_name_spellings_from_linked_entities(seed_report: Report) -> None:
    [kuleba] = [f for f in seed_report.framing if f.origin == "entity" and "Kouleba" in str(f.variants)]
    assert {v.term for v in kuleba.variants} == {"Dmytro Kuleba", "Dmitro Kouleba"}
    assert not [f for f in seed_report.framing if f.origin == "entity" and "United States" in str(f.variants)]
