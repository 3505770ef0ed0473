"""The collection's tables (SQLAlchemy Core). Change them only with a new alembic revision
in ``migrations/versions`` (``alembic revision`` with ``script_location =
manysides.store:migrations``); ``Collection`` upgrades a database to the head on open."""

from __future__ import annotations

from sqlalchemy import (
    JSON,
    Column,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
)

metadata = MetaData()

#: One row per article: what the cleaner made of it (``record``, the JSON of ``Article``),
#: the story features and neighbour list the clustering keeps, and its story.
articles = Table(
    "articles",
    metadata,
    Column("pk", Integer, primary_key=True, autoincrement=True),
    Column("id", String(64), nullable=False, unique=True),
    Column("url", Text, nullable=True),
    Column("source", Text, nullable=False),
    Column("outlet", String(200), nullable=True),
    Column("title", Text, nullable=True),
    Column("published", String(40), nullable=True),
    #: Days since 1970 of ``published``, or of the ingest when the article has no date.
    Column("day", Float, nullable=False),
    Column("dated", Integer, nullable=False),
    Column("text_hash", String(40), nullable=False, unique=True),
    Column("ingested_at", DateTime(timezone=True), nullable=False),
    Column("record", JSON, nullable=False),
    Column("features", LargeBinary, nullable=False),
    Column("neighbours", JSON, nullable=False),
    Column("story_id", String(32), nullable=True),
    Column("why", JSON, nullable=True),
    Column("language", String(16), nullable=True),
    #: When the article's latest version came (None: it has one version).
    Column("changed_at", DateTime(timezone=True), nullable=True),
    Index("ix_articles_url", "url"),
    Index("ix_articles_day", "day"),
    Index("ix_articles_story", "story_id"),
)

stories = Table(
    "stories",
    metadata,
    Column("id", String(32), primary_key=True),
    Column("title", Text, nullable=True),
    Column("size", Integer, nullable=False),
    Column("outlets", JSON, nullable=False),
    Column("first_published", String(40), nullable=True),
    Column("last_published", String(40), nullable=True),
    #: The latest ``articles.day`` of its members: what ``--since`` filters on.
    Column("last_day", Float, nullable=False),
    Column("first_seen", DateTime(timezone=True), nullable=False),
    Column("last_seen", DateTime(timezone=True), nullable=False),
    #: Languages of its articles; kinds and countries of its outlets (the outlet registry's labels).
    Column("languages", JSON, nullable=True),
    Column("kinds", JSON, nullable=True),
    Column("countries", JSON, nullable=True),
    #: Articles over its span: {"start": ISO date, "days": days per bin, "counts": [...]}.
    Column("histogram", JSON, nullable=True),
    #: Independent origins, once the story is analysed (rewriting the row forgets it).
    Column("origins", Integer, nullable=True),
    Index("ix_stories_last_seen", "last_seen"),
    Index("ix_stories_last_day", "last_day"),
)

#: Why stories are as they are: an article joined (its nearest members and scores), a
#: story started, merged with another, or split.
story_events = Table(
    "story_events",
    metadata,
    Column("pk", Integer, primary_key=True, autoincrement=True),
    Column("ingest", Integer, ForeignKey("ingests.pk"), nullable=False),
    Column("kind", String(16), nullable=False),
    Column("story_id", String(32), nullable=False),
    Column("article_id", String(64), nullable=True),
    Column("stories", JSON, nullable=False),
    Column("evidence", JSON, nullable=False),
    Index("ix_story_events_story", "story_id"),
)

#: Per-article features (``features.ArticleFeatures`` as JSON): one row per article, the
#: latest ``version`` (a version change replaces it: what it depended on has changed).
article_features = Table(
    "article_features",
    metadata,
    Column("article_id", String(64), primary_key=True),
    Column("version", String(32), nullable=False),
    Column("data", JSON, nullable=False),
)

#: Sentence vectors of an article (``features.pack_vectors``: float16), per embedding version;
#: a row grows as stories ask for more of its sentences.
article_vectors = Table(
    "article_vectors",
    metadata,
    Column("article_id", String(64), primary_key=True),
    Column("version", String(32), primary_key=True),
    Column("data", LargeBinary, nullable=False),
)

#: A story's rendered report (HTML and JSON) for one version of the story (its size and last
#: change) and of the code and settings that made it; replaced when either changes.
story_reports = Table(
    "story_reports",
    metadata,
    Column("story_id", String(32), primary_key=True),
    Column("version", String(64), nullable=False),
    Column("code", String(32), nullable=False),
    Column("html", Text, nullable=False),
    Column("json", Text, nullable=False),
)

#: Quotes of analysed stories by person (``person``: the speaker's name folded for lookup),
#: one row per rendering, ``utterance`` naming the group of renderings of one utterance.
quotes = Table(
    "quotes",
    metadata,
    Column("pk", Integer, primary_key=True, autoincrement=True),
    Column("story_id", String(32), nullable=False),
    Column("person", String(200), nullable=False),
    Column("speaker", Text, nullable=False),
    Column("utterance", String(64), nullable=False),
    Column("data", JSON, nullable=False),
    Index("ix_quotes_person", "person"),
    Index("ix_quotes_story", "story_id"),
)

ingests = Table(
    "ingests",
    metadata,
    Column("pk", Integer, primary_key=True, autoincrement=True),
    Column("started_at", DateTime(timezone=True), nullable=False),
    Column("finished_at", DateTime(timezone=True), nullable=True),
    Column("inputs", JSON, nullable=False),
    Column("added", Integer, nullable=False, default=0),
    Column("duplicates", Integer, nullable=False, default=0),
    Column("skipped", Integer, nullable=False, default=0),
)

#: Settings a collection is tied to (the story model's kind: sparse or dense features).
settings = Table(
    "settings",
    metadata,
    Column("key", String(64), primary_key=True),
    Column("value", Text, nullable=False),
)

#: A watched source's state (``watch``): validators for conditional GET, when it is next
#: due (epoch seconds), errors in a row (for the backoff), and what it brought.
sources = Table(
    "sources",
    metadata,
    Column("name", String(200), primary_key=True),
    Column("url", Text, nullable=False),
    Column("etag", Text, nullable=True),
    Column("last_modified", Text, nullable=True),
    Column("last_fetch", DateTime(timezone=True), nullable=True),
    Column("last_status", Text, nullable=True),
    Column("next_due", Float, nullable=False, server_default="0"),
    Column("errors", Integer, nullable=False, server_default="0"),
    Column("last_error", Text, nullable=True),
    Column("articles", Integer, nullable=False, server_default="0"),
    Column("versions", Integer, nullable=False, server_default="0"),
)

#: Items (canonical URLs) a source has listed: ``state`` taken / skipped / failed, and the
#: item's ``fingerprint`` (its date or text in the listing: a change means fetch it again).
watch_items = Table(
    "watch_items",
    metadata,
    Column("source", String(200), primary_key=True),
    Column("url", String(2000), primary_key=True),
    Column("seen_at", DateTime(timezone=True), nullable=False),
    Column("fingerprint", String(64), nullable=True),
    Column("state", String(16), nullable=False),
)

#: Every text an article's URL has had (number 1 is the first), with when it was fetched;
#: the article's row holds the latest.
article_versions = Table(
    "article_versions",
    metadata,
    Column("pk", Integer, primary_key=True, autoincrement=True),
    Column("article_id", String(64), nullable=False),
    Column("number", Integer, nullable=False),
    Column("fetched_at", DateTime(timezone=True), nullable=False),
    Column("text_hash", String(40), nullable=False),
    Column("record", JSON, nullable=False),
    UniqueConstraint("article_id", "number", name="uq_article_versions"),
)

#: Saved watches (``watch.alerts``): a kind, its target (a name, a word) or threshold, and
#: an optional webhook.
alerts = Table(
    "alerts",
    metadata,
    Column("id", String(32), primary_key=True),
    Column("kind", String(32), nullable=False),
    Column("target", Text, nullable=True),
    Column("threshold", Integer, nullable=True),
    Column("webhook", Text, nullable=True),
    Column("created_at", DateTime(timezone=True), nullable=False),
)

#: What alerts fired: once per (alert, key), with links to the evidence and the webhook's
#: delivery state (attempts, next attempt in epoch seconds).
alert_events = Table(
    "alert_events",
    metadata,
    Column("pk", Integer, primary_key=True, autoincrement=True),
    Column("alert_id", String(32), nullable=False),
    Column("key", String(200), nullable=False),
    Column("fired_at", DateTime(timezone=True), nullable=False),
    Column("story_id", String(32), nullable=True),
    Column("title", Text, nullable=False),
    Column("data", JSON, nullable=False),
    Column("delivered", Integer, nullable=False, server_default="0"),
    Column("attempts", Integer, nullable=False, server_default="0"),
    Column("next_attempt", Float, nullable=False, server_default="0"),
    UniqueConstraint("alert_id", "key", name="uq_alert_events"),
    Index("ix_alert_events_alert", "alert_id"),
)

#: Stories a web worker asked serve's background process to analyse (``Collection.want``).
story_wanted = Table(
    "story_wanted",
    metadata,
    Column("story_id", String(32), primary_key=True),
    Column("at", Float, nullable=False),
)
