"""Text helpers shared by every app, for Chinese and English."""

import re
import unicodedata

_PUNCT_OR_SPACE = re.compile(r"[\s\W_]+", re.UNICODE)


def fold(text: str) -> str:
    """NFKC (full-width → half-width), lower-case, no punctuation or whitespace."""
    return _PUNCT_OR_SPACE.sub("", unicodedata.normalize("NFKC", text).casefold())


def is_blank(text: str | None) -> bool:
    return text is None or not text.strip()


def matches_phrase(text: str, phrases: list[str]) -> bool:
    """True when `text`, folded, equals one of `phrases` folded: "收到！" matches "收到", "OK." matches "ok"."""
    folded = fold(text)
    return bool(folded) and folded in {fold(p) for p in phrases}


def headline(text: str, limit: int) -> str:
    """The first line of `text`, cut to `limit` characters."""
    first_line = text.strip().splitlines()[0] if text.strip() else ""
    return first_line if len(first_line) <= limit else first_line[: limit - 1] + "…"
