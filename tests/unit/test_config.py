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
    env = production_env(ADMIN_LINE_USER_IDS="U1, U2")
    config = Config.from_env(env, instance_path=tmp_path)
    assert config.is_production and config.admin_line_user_ids == {"U1", "U2"}
    for secret in (env["LINE_CHANNEL_SECRET"], env["LINE_CHANNEL_ACCESS_TOKEN"], env["DATA_ENCRYPTION_KEY"]):
        assert secret not in repr(config)


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


def production_env(**overrides: str) -> dict[str, str]:
    env = {"APP_ENV": "production", "LINE_CHANNEL_SECRET": "a" * 32, "LINE_CHANNEL_ACCESS_TOKEN": "b" * 40,
           "DATA_ENCRYPTION_KEY": Fernet.generate_key().decode(), "LINK_SIGNING_KEY": "c" * 43,
           "DATABASE_URL": "postgresql+psycopg://bot:pa55word@db.internal/bot",
           "PUBLIC_BASE_URL": "https://shanet.example.tw"}
    env.update(overrides)
    return {k: v for k, v in env.items() if v != "<unset>"}


def test_a_complete_production_environment_starts(tmp_path):
    config = Config.from_env(production_env(), instance_path=tmp_path)
    assert config.is_production and config.link_signing_keys == ("c" * 43,)


@pytest.mark.parametrize("value", ["prod", "Production", "PRODUCTION", "production ", "staging", "dev"])
def test_unknown_app_env_is_refused_and_the_known_ones_named(tmp_path, value):
    with pytest.raises(ConfigError) as error:
        Config.from_env({"APP_ENV": value}, instance_path=tmp_path)
    assert "development, test, bench, production" in str(error.value) and repr(value) in str(error.value)


@pytest.mark.parametrize("overrides, named", [
    ({"LINE_CHANNEL_SECRET": "dev-secret"}, "LINE_CHANNEL_SECRET is a known development value"),
    ({"LINE_CHANNEL_ACCESS_TOKEN": "dev-token"}, "LINE_CHANNEL_ACCESS_TOKEN is a known development value"),
    ({"PUBLIC_BASE_URL": "http://shanet.example.tw"}, "PUBLIC_BASE_URL"),
    ({"PUBLIC_BASE_URL": "https://127.0.0.1:5000"}, "PUBLIC_BASE_URL"),
    ({"PUBLIC_BASE_URL": "https://localhost"}, "PUBLIC_BASE_URL"),
    ({"LINE_API_BASE_URL": "https://api.line.me.evil.example"}, "LINE_API_BASE_URL"),
    ({"LINE_API_BASE_URL": "http://127.0.0.1:8090"}, "ALLOW_NON_LINE_API=1"),
    ({"DATABASE_URL": "sqlite:///instance/bot.sqlite3"}, "PostgreSQL"),
    ({"LINK_SIGNING_KEY": "<unset>"}, "LINK_SIGNING_KEY"),
    ({"LINK_SIGNING_KEY": "short"}, "32 characters"),
])
def test_production_refuses_development_settings(tmp_path, overrides, named):
    with pytest.raises(ConfigError) as error:
        Config.from_env(production_env(**overrides), instance_path=tmp_path)
    assert named in str(error.value)


def test_a_staging_stand_in_needs_the_explicit_override(tmp_path):
    env = production_env(LINE_API_BASE_URL="http://127.0.0.1:8090", ALLOW_NON_LINE_API="1")
    assert Config.from_env(env, instance_path=tmp_path).line_api_base_url == "http://127.0.0.1:8090"


@pytest.mark.parametrize("days", ["0", "-30"])
def test_retention_must_be_positive_everywhere(tmp_path, days):
    with pytest.raises(ConfigError, match="RETENTION_DAYS"):
        Config.from_env({"RETENTION_DAYS": days}, instance_path=tmp_path)
    with pytest.raises(ConfigError, match="RETENTION_DAYS"):
        Config.from_env(production_env(RETENTION_DAYS=days), instance_path=tmp_path)


def test_no_secret_in_repr_str_or_logs(tmp_path, caplog):
    import logging
    env = production_env()
    config = Config.from_env(env, instance_path=tmp_path)
    logging.getLogger("test").warning("config: %s %r", config, config)
    shown = repr(config) + str(config) + caplog.text + repr([config])
    for secret in ("a" * 32, "b" * 40, env["DATA_ENCRYPTION_KEY"], "c" * 43, "pa55word"):
        assert secret not in shown
    assert "db.internal" in repr(config)


def test_instance_files_are_private(tmp_path):
    instance = tmp_path / "instance"
    config = Config.from_env({}, instance_path=instance)
    for name in ("data_encryption.key", "link_signing.key", "bot.sqlite3"):
        assert (instance / name).stat().st_mode & 0o777 == 0o600, name
    assert instance.stat().st_mode & 0o777 == 0o700
    assert config.database_url.endswith("bot.sqlite3")


def test_rotating_the_data_key_keeps_links_and_old_link_keys_still_verify(tmp_path):
    from bot import links
    config = Config.from_env({"LINK_SIGNING_KEY": "k1" * 20}, instance_path=tmp_path)
    token = links.sign(config, "feed", [1, 0])
    rotated_data = Config.from_env({"LINK_SIGNING_KEY": "k1" * 20,
                                    "DATA_ENCRYPTION_KEY": Fernet.generate_key().decode()}, instance_path=tmp_path)
    assert links.verify(rotated_data, "feed", token, None) == [1, 0]
    rotated_link = Config.from_env({"LINK_SIGNING_KEY": f"{'k2' * 20},{'k1' * 20}"}, instance_path=tmp_path)
    assert links.verify(rotated_link, "feed", token, None) == [1, 0]
    dropped = Config.from_env({"LINK_SIGNING_KEY": "k2" * 20}, instance_path=tmp_path)
    with pytest.raises(links.LinkError):
        links.verify(dropped, "feed", token, None)


@pytest.mark.parametrize("env", [{"EVENT_MAX_AGE_MINUTES": "0"}, {"EVENT_MAX_AGE_MINUTES": "-1"},
                                 {"EVENT_MAX_AGE_MINUTES": "20160", "PROCESSED_EVENTS_RETENTION_DAYS": "7"}])
def test_the_replay_window_ends_before_dedupe_records_are_pruned(tmp_path, env):
    with pytest.raises(ConfigError, match="EVENT_MAX_AGE_MINUTES"):
        Config.from_env(env, instance_path=tmp_path)
