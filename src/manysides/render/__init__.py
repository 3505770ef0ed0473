"""Stage 13, render: the report as terminal text, JSON or HTML.

Built-in renderers register through ``register_renderer``, the same hook users get;
each takes a ``Report`` (and the outlet registry) and returns text. The CLI writes its
outputs through ``RENDERERS``, so a renderer registered by a user works as the built-in ones.
"""

from __future__ import annotations

from typing import Protocol

from ..model import Report
from ..outlets import Registry
from .html import render_html
from .json import render_json
from .markdown import render_markdown
from .terminal import render_terminal


class Renderer(Protocol):
    """A report to text; ``registry`` labels outlets (the user's ``--outlets`` one, or the shipped one)."""

    def __call__(self, report: Report, *, registry: Registry | None = None) -> str: ...


RENDERERS: dict[str, Renderer] = {}


def register_renderer(name: str, renderer: Renderer) -> None:
    RENDERERS[name] = renderer


register_renderer("json", render_json)
register_renderer("html", render_html)
register_renderer("terminal", render_terminal)
register_renderer("markdown", render_markdown)

__all__ = ["RENDERERS", "register_renderer", "render_html", "render_json", "render_markdown", "render_terminal"]
