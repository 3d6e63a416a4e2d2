"""Data at rest: encrypted columns are unreadable without the key, and keys rotate."""
from __future__ import annotations

from dataclasses import replace

import pytest
from cryptography.fernet import Fernet, InvalidToken
from sqlalchemy import select, text as sql

from app import create_app
from models import crypto
from models.crypto import Keyring
from models.incidents import Incident
from tests import demo


@pytest.fixture
def stored_request(emulator, services):
    emulator.join(demo.GROUP)
    emulator.text(demo.SECRETARIAT, "綁定 中壢區", group_id=demo.GROUP)
    emulator.text(demo.SOCIAL_WORKER, "求助 @衛生局 長者獨居需要關懷訪視")
    with services.db.transaction() as session:
        return session.execute(sql("SELECT text FROM incidents")).scalar_one()


def test_ciphertext_is_unreadable_without_the_key(stored_request):
    assert "獨居" not in stored_request
    with pytest.raises(InvalidToken):
        Keyring((Fernet.generate_key().decode(),)).decrypt(stored_request)


def test_rotation_reencrypts_with_the_newest_key(app, config, stored_request):
    old_key = config.encryption_keys[0]
    new_key = Fernet.generate_key().decode()
    rotated_app = create_app(replace(config, encryption_keys=(new_key, old_key)))
    runner = rotated_app.test_cli_runner()
    result = runner.invoke(args=["crypto", "rotate"])
    assert result.exit_code == 0 and "re-encrypted" in result.output
    services = rotated_app.extensions["services"]
    with services.db.transaction() as session:
        token = session.execute(sql("SELECT text FROM incidents")).scalar_one()
    assert token != stored_request
    assert Keyring((new_key,)).decrypt(token) == "@衛生局 長者獨居需要關懷訪視"
    with pytest.raises(InvalidToken):
        Keyring((old_key,)).decrypt(token)
    crypto.install(Keyring((new_key,)))  # the old key may now be dropped
    with services.db.transaction() as session:
        assert session.scalars(select(Incident)).one().text == "@衛生局 長者獨居需要關懷訪視"
    services.db.dispose()
