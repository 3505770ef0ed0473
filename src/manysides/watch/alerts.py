"""Alerts: saved watches over the collection, fired once per event, delivered as an Atom
feed per alert (any feed reader follows it), an optional webhook (POST JSON, retried with
backoff), and a list in the web app.

Kinds (``KINDS``), each with its event key (an alert fires once per key, ever):

- ``outlet NAME``: a new article of that outlet;
- ``keyword WORDS``: a new article whose title or text holds the words (a phrase, any case);
- ``person NAME``: a new quote attributed to that person;
- ``outlets N`` / ``origins N``: a story reaches N outlets / N independent origins;
- ``contradiction``: an outlet contradicts a fact other outlets state;
- ``quote``: a quote rendered misattributed, reworded or paraphrased;
- ``unique``: an outlet carries a claim no other outlet of the story has;
- ``uncredited``: an outlet takes text from another outlet's article without crediting it.

What changed is read from the story events after a cursor kept in the collection
(``alerts_cursor``); events are written before the cursor moves, and the unique
(alert, key) makes a re-evaluation after a crash fire nothing twice. Alerts that need a
story's analysis (person, origins, contradiction, quote, unique, uncredited) analyse each
changed story once per round and keep its report, so the web app serves it at once.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import logging
import re
import secrets
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any
from xml.etree import ElementTree as ET

import sqlalchemy as sa

from ..errors import SettingsError
from ..settings import Settings
from ..store import Collection, person_key
from ..store.schema import alert_events, alerts, articles, story_events
from ..store.schema import settings as settings_table

log = logging.getLogger(__name__)

KINDS = {
    "outlet": "a new article of the outlet TARGET",
    "keyword": "a new article holding the words TARGET",
    "person": "a new quote attributed to TARGET",
    "outlets": "a story reaches THRESHOLD outlets",
    "origins": "a story reaches THRESHOLD independent origins",
    "contradiction": "an outlet contradicts a fact other outlets state",
    "quote": "a quote rendered misattributed, reworded or paraphrased",
    "unique": "an outlet carries a claim no other outlet of the story has",
    "uncredited": "an outlet takes text from another outlet without crediting it",
}
NEEDS_TARGET = {"outlet", "keyword", "person"}
NEEDS_THRESHOLD = {"outlets", "origins"}
NEEDS_ANALYSIS = {"person", "origins", "contradiction", "quote", "unique", "uncredited"}
QUOTE_VERDICTS = {"misattributed", "reworded", "paraphrased"}
CURSOR = "alerts_cursor"
#: Webhook deliveries: attempts before giving up, and the first retry's delay (doubling).
WEBHOOK_ATTEMPTS = 8
WEBHOOK_RETRY_S = 30.0
WEBHOOK_TIMEOUT_S = 10.0
#: Entries of an alert's Atom feed (the latest).
FEED_ENTRIES = 100


@dataclass(frozen=True)
class Alert:
    id: str
    kind: str
    target: str | None = None
    threshold: int | None = None
    webhook: str | None = None

    def describe(self) -> str:
        text = KINDS[self.kind]
        return text.replace("TARGET", repr(self.target)).replace("THRESHOLD", str(self.threshold))

    def as_dict(self) -> dict[str, Any]:
        return {**self.__dict__, "description": self.describe()}


@dataclass(frozen=True)
class Fired:
    """An event an alert fires: its key (unique per alert), a title, the story, and the
    evidence (article ids, outlets and sentences) that shows it."""

    key: str
    title: str
    story_id: str | None
    data: Mapping[str, Any]


def check_alert(kind: str, target: str | None, threshold: int | None, webhook: str | None) -> None:
    if kind not in KINDS:
        raise SettingsError(f"no alert kind {kind!r}; kinds: {', '.join(KINDS)}")
    if kind in NEEDS_TARGET and not (target or "").strip():
        raise SettingsError(f"a {kind} alert needs what to watch: manysides alerts add {kind} NAME")
    if kind in NEEDS_THRESHOLD and (threshold is None or threshold < 2):
        raise SettingsError(f"a {kind} alert needs --threshold N (2 or more)")
    if webhook and not re.match(r"https?://", webhook):
        raise SettingsError(f"the webhook {webhook!r} is not an http(s) URL")


class Alerts:
    """The collection's alerts: add, list, remove, evaluate, deliver."""

    def __init__(self, collection: Collection, settings: Settings | None = None, models: Any = None) -> None:
        self.collection = collection
        self.settings = settings
        self.models = models

    # -- saved alerts ---------------------------------------------------------------------

    def add(
        self,
        kind: str,
        target: str | None = None,
        threshold: int | None = None,
        webhook: str | None = None,
        alert_id: str | None = None,
    ) -> Alert:
        check_alert(kind, target, threshold, webhook)
        alert = Alert(alert_id or secrets.token_hex(4), kind, (target or "").strip() or None, threshold, webhook)
        with self.collection.engine.begin() as conn:
            if conn.scalar(sa.select(alerts.c.id).where(alerts.c.id == alert.id)) is not None:
                raise SettingsError(f"an alert {alert.id!r} exists; remove it first or pick another --id")
            conn.execute(
                alerts.insert().values(
                    id=alert.id,
                    kind=kind,
                    target=alert.target,
                    threshold=threshold,
                    webhook=webhook,
                    created_at=dt.datetime.now(dt.UTC),
                )
            )
        return alert

    def saved(self) -> list[Alert]:
        with self.collection.engine.connect() as conn:
            rows = conn.execute(sa.select(alerts).order_by(alerts.c.created_at, alerts.c.id)).all()
        return [Alert(r.id, r.kind, r.target, r.threshold, r.webhook) for r in rows]

    def get(self, alert_id: str) -> Alert | None:
        return next((a for a in self.saved() if a.id == alert_id), None)

    def remove(self, alert_id: str) -> bool:
        with self.collection.engine.begin() as conn:
            gone = conn.execute(alerts.delete().where(alerts.c.id == alert_id)).rowcount
            conn.execute(alert_events.delete().where(alert_events.c.alert_id == alert_id))
        return bool(gone)

    def events(self, alert_id: str | None = None, limit: int = FEED_ENTRIES) -> list[dict[str, Any]]:
        query = sa.select(alert_events).order_by(alert_events.c.pk.desc()).limit(limit)
        if alert_id is not None:
            query = query.where(alert_events.c.alert_id == alert_id)
        with self.collection.engine.connect() as conn:
            rows = conn.execute(query).all()
        return [
            {
                "alert_id": r.alert_id,
                "key": r.key,
                "fired_at": _aware(r.fired_at).isoformat(timespec="seconds"),
                "story_id": r.story_id,
                "title": r.title,
                "data": r.data,
                "delivered": r.delivered,
            }
            for r in rows
        ]

    # -- evaluation -----------------------------------------------------------------------

    def run(self, clock: Any = None) -> int:
        """Evaluate the alerts on what changed since the cursor, then deliver webhooks;
        returns how many events fired."""
        fired = self.evaluate()
        self.deliver(now=clock.now() if clock is not None else None)
        return fired

    def evaluate(self) -> int:
        saved = self.saved()
        with self.collection.engine.connect() as conn:
            cursor = int(conn.scalar(sa.select(settings_table.c.value).where(settings_table.c.key == CURSOR)) or 0)
            rows = conn.execute(
                sa.select(story_events.c.pk, story_events.c.kind, story_events.c.story_id, story_events.c.article_id)
                .where(story_events.c.pk > cursor)
                .order_by(story_events.c.pk)
            ).all()
        if not rows:
            return 0
        top = rows[-1].pk
        fired = 0
        if saved:
            joined = [r.article_id for r in rows if r.kind in ("joined", "updated") and r.article_id]
            touched = sorted({r.story_id for r in rows})
            fired = self._fire(saved, joined, touched)
        with self.collection.engine.begin() as conn:
            conn.execute(settings_table.update().where(settings_table.c.key == CURSOR).values(value=str(top)))
        return fired

    def _fire(self, saved: list[Alert], joined: list[str], touched: list[str]) -> int:
        found: list[tuple[Alert, Fired]] = []
        new_articles = self._articles(joined)
        for alert in saved:
            if alert.kind in ("outlet", "keyword"):
                found += [(alert, f) for f in _article_events(alert, new_articles)]
        live = {s: self.collection.summary(s) for s in touched}
        for alert in saved:
            if alert.kind == "outlets":
                for sid, summary in live.items():
                    if summary is not None and len(summary.outlets) >= (alert.threshold or 0):
                        title = f"{summary.title or sid}: {len(summary.outlets)} outlets ({', '.join(summary.outlets)})"
                        found.append((alert, Fired(f"outlets:{sid}", title, sid, {"outlets": list(summary.outlets)})))
        if any(a.kind in NEEDS_ANALYSIS for a in saved):
            for sid, summary in live.items():
                if summary is None:
                    continue  # merged away
                report = self._report(sid)
                for alert in saved:
                    if alert.kind in NEEDS_ANALYSIS:
                        found += [(alert, f) for f in story_events_of(alert, sid, report)]
        return self._record(found)

    def _articles(self, ids: list[str]) -> list[dict[str, Any]]:
        if not ids:
            return []
        with self.collection.engine.connect() as conn:
            rows = conn.execute(
                sa.select(articles.c.record, articles.c.story_id).where(articles.c.id.in_(sorted(set(ids))))
            ).all()
        return [{**r.record, "story_id": r.story_id} for r in rows]

    def _report(self, story_id: str) -> dict[str, Any]:
        """The story's report: the kept one for its version, else analysed now and kept."""
        from ..nlp import Models
        from ..pipeline import kept_report
        from ..settings import load_settings

        self.settings = self.settings or load_settings()
        self.models = self.models or Models(self.settings)
        _, data, _ = kept_report(self.collection, story_id, settings=self.settings, models=self.models)
        return dict(json.loads(data))

    def _record(self, found: list[tuple[Alert, Fired]]) -> int:
        if not found:
            return 0
        now = dt.datetime.now(dt.UTC)
        fired = 0
        with self.collection.engine.begin() as conn:
            keys = {(a.id, f.key[:200]) for a, f in found}
            query = sa.select(alert_events.c.alert_id, alert_events.c.key).where(
                alert_events.c.alert_id.in_(sorted({a for a, _ in keys}))
            )
            existing: set[tuple[str, str]] = {(r[0], r[1]) for r in conn.execute(query)}
            for alert, event in found:
                key = (alert.id, event.key[:200])
                if key in existing:
                    continue
                existing.add(key)
                conn.execute(
                    alert_events.insert().values(
                        alert_id=alert.id,
                        key=event.key[:200],
                        fired_at=now,
                        story_id=event.story_id,
                        title=event.title[:1000],
                        data=dict(event.data),
                        delivered=0 if alert.webhook else 1,
                    )
                )
                fired += 1
        return fired

    # -- delivery ---------------------------------------------------------------------------

    def deliver(self, now: float | None = None) -> int:
        """POST undelivered events to their alerts' webhooks; a failure is retried later with
        a doubling delay, up to WEBHOOK_ATTEMPTS. Returns how many were delivered."""
        import time

        import httpx

        now = time.time() if now is None else now
        hooks = {a.id: a for a in self.saved() if a.webhook}
        with self.collection.engine.connect() as conn:
            rows = conn.execute(
                sa.select(alert_events)
                .where(alert_events.c.delivered == 0, alert_events.c.next_attempt <= now)
                .order_by(alert_events.c.pk)
                .limit(200)
            ).all()
        done = 0
        for row in rows:
            alert = hooks.get(row.alert_id)
            if alert is None or not alert.webhook:
                continue
            payload = {
                "alert": alert.as_dict(),
                "event": {"key": row.key, "title": row.title, "story_id": row.story_id, "data": row.data},
            }
            try:
                answer = httpx.post(alert.webhook, json=payload, timeout=WEBHOOK_TIMEOUT_S)
                ok = answer.status_code < 300
            except httpx.HTTPError:
                ok = False
            attempts = row.attempts + 1
            values: dict[str, Any] = {"attempts": attempts}
            if ok:
                values["delivered"] = 1
                done += 1
            elif attempts >= WEBHOOK_ATTEMPTS:
                values["delivered"] = -1  # given up; still in the feed
            else:
                values["next_attempt"] = now + WEBHOOK_RETRY_S * 2 ** (attempts - 1)
            with self.collection.engine.begin() as conn:
                conn.execute(alert_events.update().where(alert_events.c.pk == row.pk).values(**values))
        return done

    def ping(self, alert: Alert) -> bool:
        """POST a test event to the alert's webhook; whether it answered 2xx."""
        import httpx

        if not alert.webhook:
            return False
        payload = {"alert": alert.as_dict(), "event": {"key": "test", "title": "manysides test event", "data": {}}}
        try:
            return httpx.post(alert.webhook, json=payload, timeout=WEBHOOK_TIMEOUT_S).status_code < 300
        except httpx.HTTPError:
            return False

    def atom(self, alert_id: str, base_url: str) -> str:
        """The alert's Atom feed (RFC 4287): its latest events, newest first, each linking to
        the story and carrying the evidence sentences."""
        alert = self.get(alert_id)
        if alert is None:
            raise SettingsError(f"no alert {alert_id!r}; list them with `manysides alerts list`")
        base = base_url.rstrip("/")
        events = self.events(alert_id)
        ns = "http://www.w3.org/2005/Atom"
        ET.register_namespace("", ns)
        feed = ET.Element(f"{{{ns}}}feed")
        ET.SubElement(feed, f"{{{ns}}}title").text = f"manysides alert {alert.id}: {alert.describe()}"
        ET.SubElement(feed, f"{{{ns}}}id").text = f"{base}/alerts/{alert.id}"
        ET.SubElement(feed, f"{{{ns}}}updated").text = events[0]["fired_at"] if events else _epoch()
        ET.SubElement(feed, f"{{{ns}}}link", rel="self", href=f"{base}/alerts/{alert.id}/feed.atom")
        for event in events:
            entry = ET.SubElement(feed, f"{{{ns}}}entry")
            ET.SubElement(entry, f"{{{ns}}}title").text = event["title"]
            digest = hashlib.sha1(f"{alert.id}:{event['key']}".encode()).hexdigest()[:20]
            ET.SubElement(entry, f"{{{ns}}}id").text = f"{base}/alerts/{alert.id}#{digest}"
            ET.SubElement(entry, f"{{{ns}}}updated").text = event["fired_at"]
            if event["story_id"]:
                ET.SubElement(entry, f"{{{ns}}}link", href=f"{base}/stories/{event['story_id']}")
            lines = [f"{e.get('outlet') or e.get('article_id')}: {e.get('sentence') or ''}" for e in _evidence(event)]
            ET.SubElement(entry, f"{{{ns}}}summary").text = "\n".join(lines) or event["title"]
        return '<?xml version="1.0" encoding="utf-8"?>\n' + ET.tostring(feed, encoding="unicode")


# -- what each kind fires on ------------------------------------------------------------------


def _article_events(alert: Alert, new: list[dict[str, Any]]) -> Iterator[Fired]:
    target = (alert.target or "").casefold()
    for a in new:
        if alert.kind == "outlet" and (a.get("outlet") or "").casefold() != target:
            continue
        if alert.kind == "keyword":
            words = re.escape(target).replace(r"\ ", r"\s+")
            if not re.search(rf"\b{words}\b", f"{a.get('title') or ''}\n{a['text']}".casefold()):
                continue
        title = f"{a.get('outlet') or 'an outlet'}: {a.get('title') or a['id']}"
        evidence = [{"article_id": a["id"], "outlet": a.get("outlet"), "sentence": _sentence_with(a["text"], target)}]
        yield Fired(f"article:{a['id']}", title, a.get("story_id"), {"evidence": evidence, "url": a.get("url")})


def story_events_of(alert: Alert, story_id: str, report: Mapping[str, Any]) -> Iterator[Fired]:
    """What an analysis-reading alert fires on in one story's report."""
    arts = {a["id"]: a for a in report.get("articles", ())}

    def where(article_id: str, sentence: int | None = None) -> dict[str, Any]:
        a = arts.get(article_id, {})
        text = None
        if sentence is not None and sentence < len(a.get("sentences", ())):
            text = a["sentences"][sentence]["text"]
        return {"article_id": article_id, "outlet": a.get("outlet"), "sentence": text}

    title = next((s.get("title") for s in report.get("stories", ())), None) or story_id
    if alert.kind == "origins":
        n = sum(len(s.get("origins", ())) for s in report.get("stories", ()))
        if n >= (alert.threshold or 0):
            yield Fired(f"origins:{story_id}", f"{title}: {n} independent origins", story_id, {"origins": n})
    elif alert.kind == "person":
        key = person_key(alert.target or "")
        for q in report.get("quotes", ()):
            if q.get("speaker") and person_key(q["speaker"]) == key:
                said = {**where(q["article_id"], q.get("sentence")), "sentence": q.get("text")}
                outlet = said["outlet"] or "an outlet"
                text = f"{outlet} quotes {q['speaker']}: {q.get('text')}"
                yield Fired(f"quote:{story_id}:{q['id']}", text, story_id, {"evidence": [said]})
    elif alert.kind == "quote":
        quotes = {q["id"]: q for q in report.get("quotes", ())}
        for group in report.get("quote_groups", ()):
            for v in group.get("variants", ()):
                if v["verdict"] in QUOTE_VERDICTS and v["quote_id"] in quotes:
                    q = quotes[v["quote_id"]]
                    canonical = quotes.get(group["canonical"], {})
                    ev = [
                        {**where(q["article_id"], q.get("sentence")), "sentence": q.get("text")},
                        {
                            **where(canonical.get("article_id", ""), canonical.get("sentence")),
                            "sentence": canonical.get("text"),
                        },
                    ]
                    outlet = ev[0]["outlet"] or "an outlet"
                    text = f"{outlet} {v['verdict']} a quote of {group.get('speaker') or 'someone'}"
                    yield Fired(f"quote:{story_id}:{q['id']}:{v['verdict']}", text, story_id, {"evidence": ev})
    elif alert.kind == "contradiction":
        for fact in report.get("facts", ()):
            stated = [e for e in fact.get("evidence", ()) if e["status"] != "contradicted"]
            for e in fact.get("evidence", ()):
                if e["status"] == "contradicted" and stated:
                    ev = [
                        where(e["article_id"], e.get("sentence")),
                        where(stated[0]["article_id"], stated[0].get("sentence")),
                    ]
                    ev[0]["sentence"] = e.get("text") or ev[0]["sentence"]
                    text = f"{ev[0]['outlet'] or 'an outlet'} contradicts: {fact['text']}"
                    key = f"contradiction:{story_id}:{_short(fact['text'])}:{e['article_id']}"
                    yield Fired(key, text, story_id, {"evidence": ev, "fact": fact["text"]})
    elif alert.kind == "unique":
        if len({a.get("outlet") for a in arts.values()}) < 2:
            return
        facts = {f["id"]: f for f in report.get("facts", ())}
        for a in arts.values():
            for fid in a.get("unique", ()):
                fact = facts.get(fid)
                if fact is None:
                    continue
                sentence = next(
                    (e.get("sentence") for e in fact.get("evidence", ()) if e["article_id"] == a["id"]), None
                )
                ev = [where(a["id"], sentence)]
                text = f"only {a.get('outlet') or a['id']}: {fact['text']}"
                yield Fired(f"unique:{a['id']}:{_short(fact['text'])}", text, story_id, {"evidence": ev})
    elif alert.kind == "uncredited":
        for r in report.get("reuse", ()):
            if r.get("relation") != "derived":
                continue
            taker, source = arts.get(r["article_id"], {}), arts.get(r["source_id"], {})
            owner = source.get("outlet")
            if not owner or owner == taker.get("outlet"):
                continue
            credits = list(taker.get("credits", ()))
            named = owner.casefold() in {c.casefold() for c in credits}
            if named or re.search(rf"\b{re.escape(owner)}\b", taker.get("text", ""), re.IGNORECASE):
                continue  # credited in the byline, or named in the text
            pairs = r.get("pairs", ())[:3]
            ev = [
                {"article_id": taker.get("id"), "outlet": taker.get("outlet"), "sentence": p.get("text")} for p in pairs
            ]
            who = taker.get("outlet") or taker.get("id")
            credited = f" (credits {', '.join(credits)} instead)" if credits else ""
            text = f"{who} takes {len(r.get('pairs', ()))} sentences from {owner} without naming it{credited}"
            yield Fired(
                f"uncredited:{r['article_id']}:{r['source_id']}",
                text,
                story_id,
                {"evidence": ev, "share": r.get("share")},
            )


def _sentence_with(text: str, words: str) -> str:
    for line in re.split(r"(?<=[.!?])\s+|\n+", text):
        if words and words in line.casefold():
            return line.strip()[:500]
    return text.strip()[:300]


def _short(text: str) -> str:
    return hashlib.sha1(text.encode()).hexdigest()[:12]


def _evidence(event: Mapping[str, Any]) -> list[dict[str, Any]]:
    return list(event.get("data", {}).get("evidence", ()))


def _aware(when: dt.datetime) -> dt.datetime:
    return when if when.tzinfo else when.replace(tzinfo=dt.UTC)


def _epoch() -> str:
    return "1970-01-01T00:00:00+00:00"
