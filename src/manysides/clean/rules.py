"""Line-level boilerplate rules for scraped plain text.

Each rule looks at one line (a block between line breaks) and either names a reason to
drop it or says nothing. Rules only fire on patterns that article prose does not take
(a widget phrase alone on its line, a photo credit, a copyright notice, a lone handle):
a false removal loses content, which is worse than a leftover.

The patterns were written from the seed coverage (shared/seeds, 2026-11) and the
widget vocabulary of the HTML extraction benchmark's pages; issue "Clean text"
measures and extends them.
"""

from __future__ import annotations

import re
import unicodedata

# Widgets that stand alone on their line (compared lower-case, trailing ":" dropped).
WIDGET_LINES = frozenset(
    {
        "advertisement",
        "advertising",
        "sponsored",
        "share",
        "share this article",
        "share this",
        "share on facebook",
        "share on twitter",
        "tweet",
        "email",
        "print",
        "comments",
        "comment",
        "no comments",
        "no comment",
        "add yours",
        "+ there are no comments",
        "there are no comments",
        "leave a comment",
        "leave a reply",
        "read more",
        "read also",
        "see also",
        "related",
        "related articles",
        "related stories",
        "more on this story",
        "you may also like",
        "more from author",
        "recommended",
        "most read",
        "trending",
        "subscribe",
        "sign up",
        "newsletter",
        "follow us",
        "skip to content",
        "listen to this article",
        "local news matters",
        "back to top",
        "top stories",
        "latest news",
        "more",
        "menu",
        "search",
    }
)

WIDGET_PREFIX = re.compile(
    r"^(estimated read time|reading time|\d+\s*min(ute)?s? read|read also|read more:|updated at\b"
    r"|from\s*\d+\s*(h|m|min|hours?|minutes?|d|days?|w|weeks?)\s*ago"
    r"|topics?:|tags?:|source link|share this|follow us on"
    r"|click here|sign up for|subscribe to|this article (was|is) (originally )?published|filed under)",
    re.IGNORECASE,
)
# Newsletter and subscription promotions, reader notices, author contact lines, shortcodes.
PROMO = re.compile(
    r"^(sign up\b|subscribe\b|start your day\b|stay on top of\b|join our\b|get (access to|the day’s|the day's)\b"
    r"|get .{0,40} delivered\b|download (our|the) app\b|this copy is for your personal|also on [\w.-]+\.\w+\b"
    r"|(email|e-mail|contact) [A-Z][\w.'-]+( [A-Z][\w.'-]+)? at \S+@\S+)",
    re.IGNORECASE,
)
NEWSLETTER = re.compile(
    r"\bnewsletters?\b.*\b(sign up|subscrib\w*|inbox)\b|\b(sign up|subscrib\w*)\b.*\bnewsletters?\b", re.I
)
SHORTCODE = re.compile(r"^\[/?[a-z_]{2,}(\s+[a-z_]+=|\])")
BARE_URL = re.compile(r"^(https?://|www\.)\S+$", re.IGNORECASE)
RELATIVE_TIME = re.compile(r"^\d+\s*(h|m|min|mins|hours?|minutes?|days?)\s*ago$", re.IGNORECASE)
# A rule of one repeated mark ("_____", "* * *"); an ellipsis line ("...") is not one.
SEPARATOR = re.compile(r"^\s*(?P<mark>[_\-=*~#·•])(\s*(?P=mark)){2,}\s*$")
NAVIGATION_SEP = re.compile(r"\s[/>|»›]\s")
COPYRIGHT = re.compile(r"(©|\(c\)\s*\d{4}|\bcopyright\b|all rights reserved)", re.IGNORECASE)
COPYRIGHT_START = re.compile(r"^(copyright\s*(©|\(c\)|\d{4})|©)")
CAPTION_CREDIT = re.compile(
    r"(\b(photograph|photo|picture|image|credit|file photo)s?\s*:\s*\S[^.]{0,80}$"
    r"|\b(getty images|afp via getty|reuters/[a-z]+|ap photo)\W*$)",
    re.IGNORECASE,
)
CAPTION_POSITION = re.compile(
    r",\s*(center|centre|left|right|top|bottom|second from (left|right))(\s+(left|right))?,", re.IGNORECASE
)
#: A handle alone on its line ("@Reuters"): a follow widget. An embedded post is kept (its
#: text and its "— Name (@handle) date" line are the article's body in the extraction
#: benchmark's gold, and trafilatura keeps them); the quotes stage reads it as the post's
#: author quoted (``quotes.extract``).
LONE_HANDLE = re.compile(r"^\s*@\w+\s*$")
#: The line that closes an embedded post: "— UKR Mission to NATO (@UKRinNATO) April 4, 2024"
#: (its date written either way round; an author's sign-off "— Jane Doe (@jdoe)" has none).
EMBED_BYLINE = re.compile(
    r"^[—–-]\s*(?P<name>[^\s(@][^()\n]{0,79}?)\s*\(@\w+\)\s+(?:[A-Z][a-z]+\.? \d{1,2}, \d{4}|\d{1,2} [A-Z][a-z]+ \d{4})"
)
POST_LINK = re.compile(r"pic\.twitter\.com/|\bt\.co/")
HANDLE_OR_TAG = re.compile(r"(^|\s)[@#][A-Za-z_]\w+")
SITE_NOTICE = re.compile(r"(website can (also )?be accessed|^(https?://)?(www\.)?[\w-]+(\.[\w-]+)+/?$)", re.IGNORECASE)
# "– AAP": a dash and an agency name of at most three words (a list item is longer).
CREDIT_LINE = re.compile(r"^[–—-]\s*(?P<agency>[A-Z][\w&.]*(\s[A-Z][\w&.]*){0,2})$")
REPORTING_LINE = re.compile(r"^\((reporting|writing|editing|additional reporting)\b.*\)$", re.IGNORECASE)
GLUED_CATEGORY = re.compile(r"^(?P<junk>[A-Z][a-z]+category)(?=[A-Z])")
SITE_SUFFIX = re.compile(r"\s(\|\s*[^|]{2,40}|[-–]\s+[^-–]{2,30}\s+[-–]\s+[^-–]{2,40})$")
# Sentence-final punctuation, possibly followed by closing quotes or brackets. A line
# that ends in a quote with no punctuation before it ("... in "direct confrontation"")
# is a headline, not a sentence.
SENTENCE_END = re.compile(r"[.!?…:;][\"”’'»)\]]*$|[)\]]$")


def has_emoji(line: str) -> bool:
    return any(ord(c) > 0x1F000 or unicodedata.category(c) == "So" for c in line)


def headline_like(line: str) -> bool:
    """Short and without sentence-final punctuation: a title, a subhead or a link."""
    return not SENTENCE_END.search(line) and len(line.split()) <= 25


def line_reason(line: str) -> str | None:
    """The reason to drop this line on its own, or None to keep it."""
    low = line.lower().rstrip(":").strip()
    if low in WIDGET_LINES:
        return "widget"
    if WIDGET_PREFIX.match(line) or RELATIVE_TIME.match(line):
        return "widget"
    if SEPARATOR.match(line):
        return "separator"
    if PROMO.match(line) or (NEWSLETTER.search(line) and len(line.split()) <= 40) or SHORTCODE.match(line):
        return "promotion"
    if BARE_URL.match(line):
        return "link"
    if len(NAVIGATION_SEP.findall(line)) >= 2 and len(line.split()) <= 3 * (len(NAVIGATION_SEP.findall(line)) + 1):
        return "navigation"
    if COPYRIGHT.search(line) and (len(line.split()) <= 12 or COPYRIGHT_START.match(low)):
        return "copyright"
    if LONE_HANDLE.match(line):
        return "social handle"
    if SITE_NOTICE.search(line):
        return "site notice"
    if CREDIT_LINE.match(line) or REPORTING_LINE.match(line):
        return "credit"
    return None


def tweet_like(line: str) -> bool:
    """A handle, hashtag, emoji or post link: a post's text when it sits above an embed's
    byline (``EMBED_BYLINE``)."""
    return bool(HANDLE_OR_TAG.search(line) or POST_LINK.search(line)) or has_emoji(line)


def is_caption(line: str) -> bool:
    return bool(CAPTION_CREDIT.search(line)) or bool(CAPTION_POSITION.search(line))
