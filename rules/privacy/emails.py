"""E-mail addresses: plain, obfuscated (`(at)`, ` @ `, `[dot]`, 小老鼠), split across lines, or a bare webmail user name.

Government mailboxes (…@….gov.tw) are agencies' public contact points and pass.
"""
from __future__ import annotations

import re
from typing import Iterator

from rules.privacy.common import Hit
from rules.privacy.kinds import Kind

_LOCAL = r"[0-9A-Za-z][0-9A-Za-z._%+\-]{0,63}"
# @ as people disguise it; spaces and a line break may pad it.
_AT = r"(?:[ \n]{0,2}(?:@|\((?:at|a)\)|\[at\]|\{at\}|（at）|小老鼠)[ \n]{0,2}| at | ?# ?)"
_DOT = r"(?:[ \n]{0,2}(?:\.|。|\[dot\]|\(dot\)|（dot）|點)[ \n]{0,2}| dot )"
_LABEL = r"[0-9A-Za-z\-]{1,63}"
# Disguised forms (at, dot) must end in a top-level domain people use, or prose would match.
_TLDS = frozenset("com net org edu gov tw hk cn jp io me cc biz info co us uk vn id ph th my".split())
_EMAIL = re.compile(
    r"(?<![0-9A-Za-z._%+\-])(" + _LOCAL + r")(" + _AT + r")"
    + r"((?:" + _LABEL + _DOT + r"){1,5}[A-Za-z]{2,24})(?![0-9A-Za-z])",
    re.IGNORECASE,
)
_PLAIN_AT = re.compile(r"@|\((?:at|a)\)|\[at\]|\{at\}|（at）|小老鼠|#| at ", re.IGNORECASE)

# A webmail user name given without its domain: gmail帳號是 xiaomei1988, yahoo信箱 lovecat520.
_WEBMAIL = r"(?:gmail|yahoo|hotmail|outlook|hinet|icloud|msn|pchome|qq)"
_MAIL_WORD = r"(?:" + _WEBMAIL + r"|信箱|email|e-mail|mail|郵件|電郵)"
_USER = r"(?!" + _WEBMAIL + r")([A-Za-z][0-9A-Za-z._\-]{2,29}|[0-9]{5,12}(?=[^0-9]))"
_BARE_AFTER = re.compile(
    _MAIL_WORD + r"[^0-9A-Za-z@\n]{0,8}?(?<![0-9A-Za-z._\-@])" + _USER + r"(?![0-9A-Za-z._\-@(\[]|\.[A-Za-z])",
    re.IGNORECASE,
)
_BARE_BEFORE = re.compile(
    r"(?<![0-9A-Za-z._\-@/])" + _USER + r"(?![0-9A-Za-z._\-@])[^0-9A-Za-z@\n]{0,6}?" + _WEBMAIL,
    re.IGNORECASE,
)
# Words that follow a mail word but are not user names.
_USER_STOP = frozenset({
    "gmail", "yahoo", "hotmail", "outlook", "hinet", "email", "mail", "com", "tw", "net", "line", "google",
    "forms", "http", "https", "www", "account", "pdf", "the", "and", "to", "for", "box", "address", "app",
})


def find_emails(t: str) -> Iterator[Hit]:
    """E-mail addresses, disguised ones and bare webmail user names included."""
    low = t.lower()
    if _PLAIN_AT.search(low):
        for m in _EMAIL.finditer(t):
            domain = re.sub(r"\[dot\]|\(dot\)|（dot）| dot |點|。|\s", ".", m.group(3).lower())
            domain = re.sub(r"\.{2,}", ".", domain)
            if domain.endswith(".gov.tw") or not _looks_like_domain(domain):
                continue
            if m.group(2).strip() != "@" and domain.rsplit(".", 1)[-1] not in _TLDS:
                continue
            yield Hit(Kind.EMAIL, m.start(), m.end(), m.group(1)[0] + "***@***." + domain.rsplit(".", 1)[-1], 95)
    if re.search(_WEBMAIL, low) or re.search(r"信箱|mail|郵件|電郵", low):
        for rx in (_BARE_AFTER, _BARE_BEFORE):
            for m in rx.finditer(t):
                user = m.group(1)
                if user.lower() in _USER_STOP or user.lower().startswith(("http", "www")) or _DOMAIN_LIKE.search(user):
                    continue
                yield Hit(Kind.EMAIL, m.start(1), m.end(1), user[0] + "***@***", 93)


_DOMAIN_LIKE = re.compile(r"\.(?:" + "|".join(sorted(_TLDS)) + r")$", re.IGNORECASE)


def _looks_like_domain(domain: str) -> bool:
    """True if the dotted name ends in a letters-only top-level label of two characters or more."""
    parts = [p for p in domain.split(".") if p]
    return len(parts) >= 2 and parts[-1].isalpha() and len(parts[-1]) >= 2
