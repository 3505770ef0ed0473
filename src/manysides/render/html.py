"""A self-contained HTML page: no network, no script, every article string escaped.

The Content-Security-Policy allows nothing but the page's own stylesheet (by hash).
"""

from __future__ import annotations

import base64
import hashlib
from functools import lru_cache
from importlib import resources

from jinja2 import Environment, PackageLoader, select_autoescape

from ..model import Report
from .view import count, outlet_name, story_views


@lru_cache(maxsize=1)
def _env() -> Environment:
    env = Environment(
        loader=PackageLoader("manysides", "render/templates"),
        autoescape=select_autoescape(default=True, default_for_string=True),
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["count"] = count
    return env


@lru_cache(maxsize=1)
def _css() -> str:
    return (resources.files("manysides") / "render" / "templates" / "report.css").read_text(encoding="utf-8")


def render_html(report: Report) -> str:
    css = _css()
    digest = base64.b64encode(hashlib.sha256(css.encode()).digest()).decode()
    csp = f"default-src 'none'; style-src 'sha256-{digest}'; img-src data:; base-uri 'none'; form-action 'none'"
    template = _env().get_template("report.html.j2")
    return template.render(
        report=report,
        views=story_views(report),
        css=css,
        csp=csp,
        outlet_name=lambda article_id: outlet_name(report, article_id),
    )
