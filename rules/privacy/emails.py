"""E-mail addresses."""
from __future__ import annotations

import re
from typing import Iterator

from rules.privacy.common import Hit
from rules.privacy.kinds import Kind

_EMAIL = re.compile(
    r"(?<![0-9A-Za-z._%+\-])[0-9A-Za-z][0-9A-Za-z._%+\-]{0,63}@"
    r"(?:[0-9A-Za-z\-]{1,63}\.){1,6}[A-Za-z]{2,24}(?![0-9A-Za-z])"
)


def find_emails(t: str) -> Iterator[Hit]:
    """E-mail addresses."""
    if "@" not in t:
        return
    for m in _EMAIL.finditer(t):
        local, domain = m.group().split("@", 1)
        preview = local[0] + "***@***." + domain.rsplit(".", 1)[1]
        yield Hit(Kind.EMAIL, m.start(), m.end(), preview, 95)
