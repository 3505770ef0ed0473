"""Stage 13, render: the report as terminal text, JSON or HTML.

Built-in renderers register through ``register_renderer``, the same hook users get;
each takes a ``Report`` and returns text.
"""

from __future__ import annotations

from collections.abc import Callable

from ..model import Report
from .html import render_html
from .json import render_json
from .markdown import render_markdown
from .terminal import render_terminal

Renderer = Callable[[Report], str]
RENDERERS: dict[str, Renderer] = {}


def register_renderer(name: str, renderer: Renderer) -> None:
    RENDERERS[name] = renderer


register_renderer("json", render_json)
register_renderer("html", render_html)
register_renderer("terminal", render_terminal)
register_renderer("markdown", render_markdown)

__all__ = ["RENDERERS", "register_renderer", "render_html", "render_json", "render_markdown", "render_terminal"]
