"""Coverage across languages: dates, names, sentences, stories, translations, quotes, word
choice and the digest, on the bundled mixed-language example and small hand-made cases.

The example (examples/eclipse-2024-04-08, CC0, written for manysides) tells one event in
English, French, Spanish and German, beside an unrelated English story of the same day and
wire. What it must show is stated in its manifest; each test checks one part of it.
"""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

from manysides.clean.metadata import dateline, parse_date
from manysides.cluster.engine import StoryIndex
from manysides.cluster.features import from_bytes, story_features, to_bytes
from manysides.entities import fold
from manysides.framing import lexicon_contrasts
from manysides.model import Article, Report, Story
from manysides.nlp import Models
from manysides.pipeline import compare
from manysides.render.json import validate_report
from manysides.segment import split_sentences
from manysides.settings import load_settings

EXAMPLE = Path(__file__).resolve().parents[1] / "examples" / "eclipse-2024-04-08"

RATES_FR = (
    "La banque centrale maintient ses taux d'intérêt, et se montre patiente\n\n"
    "LONDRES, 8 avril (Example Wire) - La banque centrale a laissé lundi son principal taux "
    "d'intérêt inchangé et a déclaré qu'elle attendrait davantage de preuves du ralentissement de "
    "l'inflation avant de réduire le coût du crédit.\n\n"
    "Les responsables ont voté à sept voix contre deux pour maintenir le taux à 5,25 %, deux membres "
    "étant favorables à une baisse d'un quart de point.\n\n"
    "L'inflation est tombée à 3,4 % en février, son plus bas niveau depuis plus de deux ans, mais la "
    "hausse des salaires est restée forte.\n"
)


@pytest.fixture(scope="module")
def example(models: Models) -> Report:
    return compare([str(EXAMPLE)], models=models)


@pytest.fixture(scope="module")
def example_fr(models: Models) -> Report:
    settings = load_settings()
    settings = settings.model_copy(update={"digest": settings.digest.model_copy(update={"language": "fr"})})
    return compare([str(EXAMPLE)], models=models, settings=settings)


def _by_outlet(report: Report) -> dict[str, Article]:
    return {a.outlet or a.id: a for a in report.articles}


def test_dates_and_datelines_in_other_languages() -> None:
    assert parse_date("1 de marzo de 2008") == "2008-03-01"
    assert parse_date("1er avril 2024") == "2024-04-01"
    assert parse_date("4. April 2024") == "2024-04-04"
    assert parse_date("4 апреля 2024") == "2024-04-04"
    assert parse_date("01-Mar-08") == "2008-03-01"
    assert parse_date("Flight 12-Abc-99") is None
    assert dateline("MAZATLAN, Mexique, 8 avril (Example Wire) - Une", 2024) == (
        "Mazatlan",
        "2024-04-08",
        "Example Wire",
    )
    assert dateline("MOSCOW, April 4 (Reuters) - The", 2024) == ("Moscow", "2024-04-04", "Reuters")


def test_names_are_folded_across_scripts() -> None:
    assert fold("Дмитро Кулеба").split()[-1] == fold("Dmytro Kuleba").split()[-1] == "kuleba"
    assert fold("Kułeba") == "kuleba"
    # Story features: a name written in Cyrillic, Polish and English is one name key (names are
    # whole phrases: "Дмитро Кулеба" gives "dmitro kuleba", not the English "dmytro kuleba").
    keys = [
        story_features(None, text, language=lang).name_keys
        for text, lang in (
            ("Про це в четвер заявив міністр Кулеба.", "uk"),
            ("Powiedział to w czwartek minister Kułeba.", "pl"),
            ("This was said on Thursday by minister Kuleba.", "en"),
        )
    ]
    assert len(np.intersect1d(np.intersect1d(keys[0], keys[1]), keys[2])) == 1


def test_sentences_follow_each_languages_rules(models: Models) -> None:
    german = "Der Minister, z. B. Herr Dr. Müller, sagte am Montag in Berlin, man helfe. Danach ging er."
    assert [s.text for s in split_sentences(german, models, "de")] == [
        "Der Minister, z. B. Herr Dr. Müller, sagte am Montag in Berlin, man helfe.",
        "Danach ging er.",
    ]
    chinese = "俄罗斯外交部发言人周四表示。她说，北约正在扩张！这是真的吗？"
    assert len(split_sentences(chinese, models, "zh")) == 3
    assert len(split_sentences(chinese, models, "en")) == 1  # what English rules would do


def test_story_features_keep_language_and_lead_and_read_older_rows() -> None:
    lead = np.linspace(-1, 1, 512).astype(np.float32)
    lead /= np.linalg.norm(lead)
    feats = story_features("Titre", "Une éclipse totale a traversé le Mexique.", language="fr", lead=lead)
    back = from_bytes(to_bytes(feats))
    assert back.language == "fr"
    assert np.allclose(back.lead, lead, atol=1e-3)
    # A row stored before languages existed: no lead, no language, the rest intact.
    older = to_bytes(replace(feats, lead=np.zeros(0, dtype=np.float32), language=""))
    older = older[: len(older) - 4]  # the old layout ends after the vector: no lead count
    old = from_bytes(older)
    assert old.language == "" and not old.has_lead
    assert np.array_equal(old.word_keys, feats.word_keys)


def test_mixed_language_example_groups_one_event_across_languages(example: Report) -> None:
    outlets = _by_outlet(example)
    assert {a.language for a in example.articles} == {"en", "fr", "es", "de"}
    eclipse = example.story_of(outlets["Le Quotidien"].id)
    assert eclipse is not None
    members = {example.article(i).outlet for i in eclipse.article_ids}
    assert members == {"Example Wire", "Le Quotidien", "El Diario", "Tageszeitung"}
    rates = next(a for a in example.articles if a.title and "interest rates" in a.title)
    story = example.story_of(rates.id)
    assert story is not None and story.article_ids == (rates.id,)
    validate_report(json.loads(example.to_json()))


def test_a_translation_is_derived_and_counts_once(example: Report) -> None:
    outlets = _by_outlet(example)
    wire = next(
        a
        for a in example.articles
        if a.outlet == "Example Wire" and a.language == "en" and a.title and "eclipse" in a.title
    )
    french = outlets["Le Quotidien"]
    derived = [r for r in example.reuse if r.relation == "derived"]
    assert [(r.article_id, r.source_id, r.kind) for r in derived] == [(french.id, wire.id, "translation")]
    record = derived[0]
    assert record.share >= 0.9
    assert any("credits Example Wire" in e for e in record.direction_evidence)
    # Sentence by sentence, in order: the French sentence beside its English source.
    assert [p.sentence for p in record.pairs] == sorted(p.sentence for p in record.pairs)
    torreon = next(p for p in record.pairs if "Torreon" in p.text)
    assert "Torreon" in torreon.source_text and "minutes" in torreon.source_text
    # The Spanish and German reports tell the event in their own words: not derived, origins.
    eclipse = example.story_of(french.id)
    assert eclipse is not None
    assert set(eclipse.origins) == {wire.id, outlets["El Diario"].id, outlets["Tageszeitung"].id}


def test_one_quote_in_three_languages_is_one_group(example: Report) -> None:
    groups = [g for g in example.quote_groups if len(g.quote_ids) >= 3]
    assert len(groups) == 1
    group = groups[0]
    assert group.speaker == "Elena Marsh"
    quotes = {q.id: q for q in example.quotes}
    canonical = quotes[group.canonical]
    assert example.article(canonical.article_id).language == "en"  # the original, not its translation
    verdicts = {example.article(quotes[v.quote_id].article_id).language: v.verdict for v in group.variants}
    assert verdicts == {"fr": "translated", "es": "translated+trimmed"}


def test_word_choice_across_languages_comes_from_the_lexicon() -> None:
    story = Story(id="s", title=None, article_ids=("en", "ru"), first_published=None, last_published=None)
    english = Article.from_sentences("en", ["Russian forces struck Kyiv overnight, officials said."])
    russian = Article.from_sentences(
        "ru", ["Российские войска нанесли удар по Киеву ночью, сообщили в Киеве."], language="ru"
    )
    contrasts = lexicon_contrasts(story, [english, russian], {})
    kyiv = next(f for f in contrasts if f.concept.startswith("capital of Ukraine"))
    by_term = {v.term: v for v in kyiv.variants}
    assert by_term["Kyiv"].languages == ("en",) and by_term["Kyiv"].forms == ("Kyiv",)
    assert by_term["Kiev"].languages == ("ru",) and "Киеве" in by_term["Kiev"].forms


def test_no_word_contrasts_between_two_languages(example: Report) -> None:
    """Aligned sentences in two languages differ in every word: only the lexicon compares them."""
    languages = {a.id: a.language for a in example.articles}
    for f in example.framing:
        if f.origin == "alignment":
            used = {languages[a] for v in f.variants for a in v.article_ids}
            assert len(used) == 1, f.concept


def test_digest_in_the_chosen_language_cites_any_language(example: Report, example_fr: Report) -> None:
    def digest_languages(report: Report) -> list[str]:
        story = next(s for s in report.stories if len(s.article_ids) == 4)
        return [report.article(d.citations[0].article_id).language or "" for d in story.digest]

    english = next(s for s in example.stories if len(s.article_ids) == 4).digest
    french = next(s for s in example_fr.stories if len(s.article_ids) == 4).digest
    assert english and french
    fr_story = next(s for s in example_fr.stories if len(s.article_ids) == 4)
    # Each sentence is a sentence of a French article, cited with its English source.
    for d in french:
        cited = {example_fr.article(c.article_id).language for c in d.citations}
        assert "fr" in cited and d.text in {
            s.text for a in example_fr.articles if a.language == "fr" for s in a.sentences
        } | {s.text.split(" - ", 1)[-1] for a in example_fr.articles if a.language == "fr" for s in a.sentences}
        assert cited & {"en", "es", "de"}, d.text
    assert fr_story.digest and all(d.support >= 0.5 for d in fr_story.digest)
    # In English, no French sentence is chosen where an English one states the fact.
    assert all(not any(ch in d.text for ch in "éèàç«") for d in english)
    assert digest_languages(example)


def test_cross_language_stories_keep_two_events_apart(models: Models) -> None:
    """A French report of the interest-rate decision joins the English one, not the eclipse."""
    texts = {
        "eclipse-en": (EXAMPLE / "01_example_wire_en.txt").read_text(encoding="utf-8"),
        "rates-en": (EXAMPLE / "05_example_wire_en_rates.txt").read_text(encoding="utf-8"),
        "eclipse-fr": (EXAMPLE / "02_le_quotidien_fr.txt").read_text(encoding="utf-8"),
        "rates-fr": RATES_FR,
    }
    languages = {"eclipse-en": "en", "rates-en": "en", "eclipse-fr": "fr", "rates-fr": "fr"}
    leads = models.embed_multilingual([t[:600] for t in texts.values()])
    engine = StoryIndex()
    for (name, text), lead in zip(texts.items(), leads, strict=True):
        engine.add(name, story_features(None, text, language=languages[name], lead=lead), 19821.0)
    engine.cut()
    assert engine.story_of("eclipse-en") == engine.story_of("eclipse-fr")
    assert engine.story_of("rates-en") == engine.story_of("rates-fr")
    assert engine.story_of("eclipse-en") != engine.story_of("rates-en")
    # The French rates report's word cosine with the English one is estimated from their leads
    # (they share next to no words), and it is the higher of its two English candidates.
    fr, en, other = (engine.row_of[k] for k in ("rates-fr", "rates-en", "eclipse-en"))
    assert engine.pair_features(fr, en)["words"] > engine.pair_features(fr, other)["words"]


def test_a_page_in_two_languages_is_two_articles() -> None:
    """The wire story and its French translation pasted on one page: two articles, one a language."""
    from manysides.clean import clean
    from manysides.model import RawDocument
    from manysides.outlets import default_registry

    english = (EXAMPLE / "01_example_wire_en.txt").read_text(encoding="utf-8")
    french = (EXAMPLE / "02_le_quotidien_fr.txt").read_text(encoding="utf-8")
    page = RawDocument(source="page.txt", content=english + "\n\n" + french, format="text", hints={})
    pieces = clean(page, default_registry())
    assert len(pieces) == 2
    titles = sorted(a.title or "" for a in pieces)
    assert titles == sorted([english.split("\n", 1)[0], french.split("\n", 1)[0]])
    # One language alone stays one article.
    assert len(clean(RawDocument(source="en.txt", content=english, format="text", hints={}), default_registry())) == 1


def test_a_collection_links_languages_when_a_second_one_arrives(models: Models, tmp_path: Path) -> None:
    """English articles stored without lead embeddings (one language: the encoder is not
    loaded); the French translation then arrives, the stored English ones get their leads,
    and the translation joins the wire story, not the interest-rate one."""
    from manysides.cluster.features import from_bytes as features_of
    from manysides.pipeline import ingest_into
    from manysides.store import Collection
    from manysides.store.schema import articles

    english = [str(EXAMPLE / "01_example_wire_en.txt"), str(EXAMPLE / "05_example_wire_en_rates.txt")]
    with Collection(f"sqlite:///{tmp_path / 'c.db'}") as collection:
        ingest_into(collection, english, EXAMPLE / "manifest.toml", models=models)
        with collection.engine.connect() as conn:
            stored = [features_of(b) for b in conn.scalars(articles.select().with_only_columns(articles.c.features))]
        assert len(stored) == 2 and not any(f.has_lead for f in stored)
        ingest_into(collection, [str(EXAMPLE / "02_le_quotidien_fr.txt")], EXAMPLE / "manifest.toml", models=models)
        with collection.engine.connect() as conn:
            rows = conn.execute(
                articles.select().with_only_columns(articles.c.outlet, articles.c.story_id, articles.c.features)
            ).all()
        assert all(features_of(blob).has_lead for _, _, blob in rows)
        story = {outlet: sid for outlet, sid, _ in rows if outlet == "Le Quotidien"}
        wire_stories = {sid for outlet, sid, _ in rows if outlet == "Example Wire"}
        assert len(wire_stories) == 2 and story["Le Quotidien"] in wire_stories
        titles = {a.title: a.id for a in collection.story(story["Le Quotidien"]).articles}
        assert any(t and "eclipse" in t.lower() for t in titles)


def test_english_entity_labels_are_kept_and_french_ones_translated(models: Models) -> None:
    """OntoNotes labels stay as the English model gives them (Europe is a LOC); the French
    model's WikiNER labels become OntoNotes' (PER -> PERSON, LOC -> GPE)."""
    from manysides.annotate import annotate
    from manysides.segment import segment

    english = Article.from_sentences("en", ["Dmytro Kuleba spoke about the security of Europe in Brussels."])
    french = Article.from_sentences(
        "fr", ["Dmytro Kouleba a parlé de la sécurité de l'Europe à Bruxelles."], language="fr"
    )
    done = {a.id: a for a in annotate(segment([english, french], models), models)}
    en_labels = {m.text: m.label for m in done["en"].mentions}
    fr_labels = {m.text: m.label for m in done["fr"].mentions}
    assert en_labels.get("Europe") == "LOC" and en_labels.get("Dmytro Kuleba") == "PERSON"
    assert fr_labels.get("Dmytro Kouleba") == "PERSON" and "GPE" in fr_labels.values()
    assert not set(fr_labels.values()) - {"PERSON", "GPE", "ORG"}


def test_chinese_japanese_and_korean_articles_are_read(models: Models, tmp_path: Path) -> None:
    """Languages whose word frequencies need tokenizers not installed (jieba, MeCab) are read
    with English frequencies instead of failing the run; Chinese splits at 。"""
    texts = {
        "zh.txt": "北约外长周四在布鲁塞尔举行会议。乌克兰外长库列巴呼吁提供更多防空系统。会议将持续两天。",
        "ja.txt": "北大西洋条約機構の外相会合がブリュッセルで開かれた。ウクライナの外相は防空の強化を求めた。",
        "ko.txt": "북대서양조약기구 외무장관 회의가 브뤼셀에서 열렸다. 우크라이나 외무장관은 방공 지원을 요청했다.",
    }
    for name, text in texts.items():
        (tmp_path / name).write_text(text, encoding="utf-8")
    report = compare([str(tmp_path)], models=models)
    languages = {a.source.rsplit("/", 1)[-1]: a for a in report.articles}
    assert {name: a.language for name, a in languages.items()} == {"zh.txt": "zh", "ja.txt": "ja", "ko.txt": "ko"}
    assert len(languages["zh.txt"].sentences) == 3
    assert len(languages["ko.txt"].sentences) == 2


def test_quotes_in_corner_brackets_are_found() -> None:
    """Both kinds of CJK quote marks give the quoted words (「」 and the nested 『』)."""
    from manysides.quotes.extract import extract_marked

    text = "首相は記者団に「協力を続ける方針に変わりはない」と述べた。外相も『支援は今後も続けていく』と語った。"
    article = Article.from_sentences("ja", [text], language="ja")
    quoted = [text[q.start : q.end] for q in extract_marked(article)]
    assert quoted == ["協力を続ける方針に変わりはない", "支援は今後も続けていく"]
