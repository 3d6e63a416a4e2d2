"""Files the bot serves for download (forms, the activity schedule, the meeting review, the calendar feed).

Their names are Chinese (表單1_三階段分工.xlsx). HTTP headers are Latin-1, and gunicorn refuses a header it
cannot encode (the worker answers 500), so a name goes out twice (RFC 6266 / RFC 5987): an ASCII
`filename="..."` for old clients and `filename*=UTF-8''<percent-encoded>` that every current browser prefers.
"""
from __future__ import annotations

import re
import unicodedata
from urllib.parse import quote

from flask import Response

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CSV = "text/csv; charset=utf-8"
ICS = "text/calendar"

_UNSAFE_ASCII = re.compile(r"[^A-Za-z0-9._-]+")


def ascii_fallback(filename: str, default: str = "download") -> str:
    """An ASCII-only stand-in for `filename`, keeping its extension (表單.xlsx -> download.xlsx)."""
    stem, dot, ext = filename.rpartition(".")
    if not dot:
        stem, ext = filename, ""
    folded = unicodedata.normalize("NFKD", stem).encode("ascii", "ignore").decode("ascii")
    stem = _UNSAFE_ASCII.sub("_", folded).strip("._-") or default
    ext = _UNSAFE_ASCII.sub("", ext)
    return f"{stem}.{ext}" if ext else stem


def content_disposition(filename: str, fallback: str | None = None, *, inline: bool = False) -> str:
    """The Content-Disposition value for `filename`: an ASCII fallback plus the UTF-8 name (RFC 5987)."""
    plain = ascii_fallback(fallback or filename)
    kind = "inline" if inline else "attachment"
    value = f'{kind}; filename="{plain}"'
    if plain != filename:
        value += f"; filename*=UTF-8''{quote(filename, safe='')}"
    return value


def file_response(body: bytes | str, filename: str, mimetype: str, *, fallback: str | None = None,
                  inline: bool = False) -> Response:
    """A response carrying `body` as a file named `filename`, private to whoever holds the link."""
    response = Response(body, mimetype=mimetype)
    response.headers["Content-Disposition"] = content_disposition(filename, fallback, inline=inline)
    # Exports hold what units typed: keep them out of shared caches and other sites' Referer headers.
    response.headers["Cache-Control"] = "no-store"
    response.headers["Referrer-Policy"] = "no-referrer"
    return response
