"""Field encryption at rest: Fernet through MultiFernet, newest key first, so keys can rotate."""
from __future__ import annotations

from cryptography.fernet import Fernet, InvalidToken, MultiFernet


class Keyring:
    """Encrypts with the first key and decrypts with any of them."""

    def __init__(self, keys: tuple[str, ...]) -> None:
        if not keys:
            raise ValueError("at least one key is required")
        self._fernet = MultiFernet([Fernet(key) for key in keys])
        self._first = keys[0].encode("ascii")

    def first_key(self) -> bytes:
        """The newest key, for keyed digests (bot/privacy_outbound.py) that must never be readable text."""
        return self._first

    def encrypt(self, plain: str) -> str:
        """Encrypt text to a URL-safe token."""
        return self._fernet.encrypt(plain.encode("utf-8")).decode("ascii")

    def decrypt(self, token: str) -> str:
        """Decrypt a token made with any key in the ring."""
        return self._fernet.decrypt(token.encode("ascii")).decode("utf-8")

    def rotate(self, token: str) -> str:
        """Re-encrypt a token with the newest key."""
        return self._fernet.rotate(token.encode("ascii")).decode("ascii")


_active: Keyring | None = None


def install(keyring: Keyring) -> None:
    """Make the keyring the one the ORM's encrypted columns use.

    Keys are process-wide configuration (identical in every worker), which is why a
    module-level reference is acceptable here: it holds no state another worker needs.
    """
    global _active
    _active = keyring


def active() -> Keyring:
    """Return the installed keyring, or fail loudly if the app factory did not run."""
    if _active is None:
        raise RuntimeError("no encryption keyring installed: build the app with create_app() first")
    return _active


__all__ = ["Keyring", "InvalidToken", "install", "active"]
