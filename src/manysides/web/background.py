"""The work ``manysides serve`` does besides answering requests, in a process of its own:
analysing the stories the web workers ask for (``Collection.want``: a story whose page is
opened with no report for its version), keeping the latest stories analysed (``--warm``),
following watched sources (``--watch``), and evaluating and delivering alerts.

A separate process at a lower CPU priority (nice 10), so that an analysis never holds the
web workers' interpreter lock or their CPU share: pages stay fast while stories are
analysed. It shares nothing with the workers but the collection: reports it keeps there
are served by every worker on the next request.
"""

from __future__ import annotations

import contextlib
import logging
import os
import signal
import threading
from dataclasses import dataclass

log = logging.getLogger(__name__)

#: Seconds between two rounds when no watched source is due sooner.
ROUND_S = 30.0
NICE = 10
#: Seconds between two looks for stories the web workers want analysed.
WANTED_POLL_S = 0.1


@dataclass(frozen=True)
class Background:
    """What the background process does (a picklable description for ``multiprocessing``)."""

    db: str | None
    config: str | None
    warm: int = 50
    sources: str | None = None
    allow_private: bool = False

    def run(self) -> None:
        """Rounds until SIGTERM or SIGINT: watched sources that are due, alerts, warming."""
        import time

        from ..nlp import Models
        from ..pipeline import kept_report, warm
        from ..settings import load_settings
        from ..store import Collection
        from ..watch import Watcher
        from ..watch.alerts import Alerts
        from ..watch.sources import load_sources

        with contextlib.suppress(OSError):  # not allowed here: run at the same priority
            os.nice(NICE)
        stop = threading.Event()
        for sig in (signal.SIGTERM, signal.SIGINT):
            signal.signal(sig, lambda *_: stop.set())
        parent = os.getppid()
        # The server may die without stopping us (uvicorn re-raises SIGTERM after its
        # shutdown; a SIGKILL): a process whose parent is gone stops too.
        threading.Thread(target=_orphaned, args=(parent, stop), daemon=True).start()
        settings = load_settings(self.config)
        collection = Collection(self.db, clustering=settings.clustering)
        models = Models(settings)
        watcher = None
        if self.sources:
            sources = load_sources(self.sources)
            watcher = Watcher(collection, sources, settings=settings, allow_private=self.allow_private, models=models)

        def asked() -> bool:
            """Analyse the stories web workers are waiting for (first, always); False, so
            that it can serve as ``warm``'s stop test between two stories."""
            for story_id in collection.wanted():
                try:
                    kept_report(collection, story_id, settings=settings, models=models)
                except Exception:  # a story merged away meanwhile, or failing: the worker falls back
                    log.exception("analysing wanted story %s failed", story_id)
            return stop.is_set()

        next_round = 0.0
        while not stop.is_set():
            asked()
            if time.monotonic() >= next_round:
                started = time.monotonic()
                try:
                    if watcher is not None:
                        watcher.run_once()  # evaluates alerts too
                    else:
                        Alerts(collection, settings, models).run()
                    if self.warm:
                        warm(collection, self.warm, settings=settings, models=models, stop=asked)
                except Exception:  # a failed round (a database hiccup) must not end the process
                    log.exception("background round failed; trying again")
                wait = ROUND_S - (time.monotonic() - started)
                if watcher is not None:
                    wait = min(wait, max(watcher.seconds_to_next(), 1.0))
                next_round = time.monotonic() + max(wait, 1.0)
            stop.wait(WANTED_POLL_S)
        collection.close()


def _orphaned(parent: int, stop: threading.Event) -> None:
    """Set ``stop`` once the process that started this one has gone."""
    while not stop.wait(1.0):
        if os.getppid() != parent:
            stop.set()
