"""Configuration from the environment: production refuses to start half-configured."""
from __future__ import annotations

import pytest
from cryptography.fernet import Fernet

from bot.config import Config, ConfigError


def test_production_refuses_to_start_without_secrets(tmp_path):
    with pytest.raises(ConfigError) as error:
        Config.from_env({"APP_ENV": "production"}, instance_path=tmp_path)
    message = str(error.value)
    assert "LINE_CHANNEL_SECRET" in message and "LINE_CHANNEL_ACCESS_TOKEN" in message
    assert "DATA_ENCRYPTION_KEY" in message


def test_production_with_everything_starts_and_hides_secrets(tmp_path):
    key = Fernet.generate_key().decode()
    config = Config.from_env({"APP_ENV": "production", "LINE_CHANNEL_SECRET": "s3cret",
                              "LINE_CHANNEL_ACCESS_TOKEN": "t0ken", "DATA_ENCRYPTION_KEY": key,
                              "ADMIN_LINE_USER_IDS": "U1, U2"}, instance_path=tmp_path)
    assert config.is_production and config.admin_line_user_ids == {"U1", "U2"}
    assert "s3cret" not in repr(config) and "t0ken" not in repr(config) and key not in repr(config)


def test_development_generates_and_keeps_a_key(tmp_path, capsys):
    first = Config.from_env({}, instance_path=tmp_path)
    assert "generated a data encryption key" in capsys.readouterr().out
    second = Config.from_env({}, instance_path=tmp_path)
    assert first.encryption_keys == second.encryption_keys
    assert (tmp_path / "data_encryption.key").exists()


def test_bad_key_and_bad_numbers_are_explained(tmp_path):
    with pytest.raises(ConfigError, match="Fernet"):
        Config.from_env({"DATA_ENCRYPTION_KEY": "not-a-key"}, instance_path=tmp_path)
    with pytest.raises(ConfigError, match="INCIDENT_ESCALATION_MINUTES"):
        Config.from_env({"INCIDENT_ESCALATION_MINUTES": "soon"}, instance_path=tmp_path)


def test_key_rotation_list_keeps_order(tmp_path):
    new, old = Fernet.generate_key().decode(), Fernet.generate_key().decode()
    config = Config.from_env({"DATA_ENCRYPTION_KEY": f"{new},{old}"}, instance_path=tmp_path)
    assert config.encryption_keys == (new, old)


@pytest.mark.parametrize("name, value", [
    ("MEETING_REMINDER_LEADS", "7 days"),
    ("QUIET_HOURS", "late"),
    ("WORKDAY_CALENDAR", "mars"),
])
def test_bad_schedule_settings_fail_at_start(tmp_path, name, value):
    with pytest.raises(ConfigError, match=name):
        Config.from_env({name: value}, instance_path=tmp_path)
