"""A self-contained HTML page: no network, every article string escaped.

Everything a reader needs works without scripts; one inline script (allowed by hash in
the Content-Security-Policy, like the stylesheet) lets a reader pick any two articles
for the side-by-side view.
"""

from __future__ import annotations

import base64
import hashlib
from functools import lru_cache
from importlib import resources

from jinja2 import Environment, PackageLoader, select_autoescape

from ..model import Report
from ..outlets import Registry
from .view import STATUS_MARK, count, fact_rows, outlet_name, side_by_side_data, story_views


@lru_cache(maxsize=4)
def template_env(folder: str = "render/templates") -> Environment:
    """The Jinja environment of a template folder of the package: everything escaped, the
    report's filters (the web app's pages use it too)."""
    env = Environment(
        loader=PackageLoader("manysides", folder),
        autoescape=select_autoescape(default=True, default_for_string=True),
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["count"] = count
    return env


@lru_cache(maxsize=4)
def asset(name: str) -> str:
    """A file of the report's templates (its stylesheet, its script)."""
    return (resources.files("manysides") / "render" / "templates" / name).read_text(encoding="utf-8")


def csp_hash(text: str) -> str:
    return "'sha256-" + base64.b64encode(hashlib.sha256(text.encode()).digest()).decode() + "'"


def render_html(report: Report, *, registry: Registry | None = None) -> str:
    css, js = asset("report.css"), asset("report.js")
    # Only the page's own stylesheet and script run, by hash; nothing loads from anywhere.
    csp = (
        f"default-src 'none'; style-src {csp_hash(css)}; script-src {csp_hash(js)}; img-src data:; "
        "base-uri 'none'; form-action 'none'"
    )
    template = template_env().get_template("report.html.j2")
    return template.render(
        report=report,
        views=story_views(report, registry),
        css=css,
        js=js,
        csp=csp,
        outlet_name=lambda article_id: outlet_name(report, article_id),
        sbs_data=lambda view: side_by_side_data(report, view),
        fact_rows=fact_rows,
        status_mark=STATUS_MARK,
    )
