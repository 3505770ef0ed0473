"""Each article processed once: ``show`` stores per-article features and sentence vectors in
the collection, a second ``show`` reads them instead of running any model and gives the same
report, and a change of what produced them recomputes exactly what it invalidates."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pytest

import manysides.features as features
from conftest import EXAMPLE
from manysides.features import pack_vectors, unpack_vectors
from manysides.nlp import Models
from manysides.pipeline import ingest_into, show
from manysides.render import render_json
from manysides.settings import load_settings
from manysides.store import Collection


class NoModels(Models):
    """Models that fail the test when any model is asked for: proof that nothing is computed."""

    def _refuse(self, what: str) -> Any:
        raise AssertionError(f"{what} was used although every feature was stored")

    @property
    def ner(self) -> Any:
        return self._refuse("the NER model")

    @property
    def parser(self) -> Any:
        return self._refuse("the parser")

    @property
    def sentencizer(self) -> Any:
        return self._refuse("the sentencizer")

    @property
    def embedder(self) -> Any:
        return self._refuse("the embedding model")


def _rows(c: Collection, table: str) -> list[tuple[Any, ...]]:
    with c.engine.connect() as conn:
        return [tuple(r) for r in conn.exec_driver_sql(f"SELECT * FROM {table} ORDER BY 1, 2")]


@pytest.fixture()
def collection(tmp_path: Path) -> Collection:
    c = Collection(f"sqlite:///{tmp_path / 'news.db'}")
    ingest_into(c, [str(EXAMPLE)])
    return c


def _kremlin(c: Collection) -> str:
    return max(c.stories(), key=lambda s: s.size).id


@pytest.mark.slow
def test_features_show_stores_then_reuses_every_feature(collection: Collection, models: Models) -> None:
    story = _kremlin(collection)
    first = show(collection, story, models=models)
    members = {a.id for a in first.articles}
    stored = _rows(collection, "article_features")
    assert {r[0] for r in stored} == members
    vectors = collection.load_vectors(sorted(members), features.vector_version(models.settings))
    assert {aid for aid, _ in vectors} == members
    # The second time nothing may run a model, and the report is the same to the byte.
    again = show(collection, story, models=NoModels(models.settings))
    assert render_json(again) == render_json(first)
    assert _rows(collection, "article_features") == stored


@pytest.mark.slow
def test_features_new_code_version_recomputes_only_the_nlp_features(
    collection: Collection, models: Models, monkeypatch: pytest.MonkeyPatch
) -> None:
    story = _kremlin(collection)
    show(collection, story, models=models)
    old_version = features.nlp_version(models.settings)
    vectors_before = _rows(collection, "article_vectors")
    monkeypatch.setattr(features, "NLP_CODE", features.NLP_CODE + 1)
    assert features.nlp_version(models.settings) != old_version
    with pytest.raises(AssertionError, match="was used"):
        show(collection, story, models=NoModels(models.settings))  # the stored ones are stale now
    show(collection, story, models=models)
    versions = {r[1] for r in _rows(collection, "article_features")}
    assert versions == {features.nlp_version(models.settings)}
    assert _rows(collection, "article_vectors") == vectors_before  # vectors did not depend on it


def test_features_vectors_round_trip_exactly_through_float16() -> None:
    rng = np.random.default_rng(3)
    raw = rng.normal(size=(5, 384)).astype(np.float32)
    raw /= np.linalg.norm(raw, axis=1, keepdims=True)
    half = raw.astype(np.float16).astype(np.float32)
    back = unpack_vectors(pack_vectors([(7, half[0]), (2, half[1]), (40, half[2])]))
    assert sorted(back) == [2, 7, 40]
    assert np.array_equal(back[7], half[0]) and np.array_equal(back[40], half[2])
    assert unpack_vectors(pack_vectors([])) == {}


def test_features_versions_follow_the_models_they_depend_on() -> None:
    base = load_settings(env={})
    other_embedder = base.with_overrides(embedding_backend="torch")
    other_spacy = base.with_overrides(spacy_model="en_core_web_md")
    assert features.vector_version(other_embedder) != features.vector_version(base)
    assert features.nlp_version(other_embedder) == features.nlp_version(base)
    assert features.nlp_version(other_spacy) != features.nlp_version(base)
    assert features.vector_version(other_spacy) == features.vector_version(base)
