"""Signed, expiring links for web pages opened from chat (form answers, exports, calendar feeds)."""
from __future__ import annotations

from typing import Any

from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer

from bot.config import Config


class LinkError(ValueError):
    """The link is forged, for another purpose, or expired."""


def signing_keys(config: Config) -> list[str]:
    """LINK_SIGNING_KEY, oldest first as itsdangerous wants it (it signs with the last, verifies with all).

    A configuration built without one (tests, benchmarks; production refuses to start so) derives
    a key from the data key, never the data key itself.
    """
    keys = config.link_signing_keys or tuple("link:" + k for k in config.encryption_keys[:1])
    return list(reversed(keys))


def _serializer(config: Config, purpose: str) -> URLSafeTimedSerializer:
    # Apart from the data key: rotating DATA_ENCRYPTION_KEY keeps every calendar subscription working, and
    # LINK_SIGNING_KEY=new,old keeps links signed with the old key valid until it is dropped.
    return URLSafeTimedSerializer(signing_keys(config), salt=f"shanet-link:{purpose}")


def sign(config: Config, purpose: str, payload: Any) -> str:
    """Make a token for `payload` usable only for `purpose`."""
    return _serializer(config, purpose).dumps(payload)


def verify(config: Config, purpose: str, token: str, max_age_seconds: int | None) -> Any:
    """Return the payload of a valid token; raise LinkError otherwise (expiry checked when max_age given)."""
    try:
        return _serializer(config, purpose).loads(token, max_age=max_age_seconds)
    except SignatureExpired as exc:
        raise LinkError("這個連結已過期，請回到 LINE 重新取得。") from exc
    except BadSignature as exc:
        raise LinkError("連結無效。") from exc


def url(config: Config, path: str) -> str:
    """An absolute URL on this service (PUBLIC_BASE_URL)."""
    return f"{config.public_base_url}{path}"
