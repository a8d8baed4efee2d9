"""Absolute links for mail and pushes, from the one configured site URL (`GONGDAN_SITE_URL`;
`make run` sets it from the address it serves on)."""

from django.conf import settings


def absolute(path: str) -> str:
    """`path` (e.g. from `reverse`) under the configured site URL, with exactly one slash between."""
    return f"{settings.SITE_URL.rstrip('/')}/{path.lstrip('/')}"
