"""A stranger cannot drain the quota by repeating commands (issue 13, finding 3: limits)."""
from __future__ import annotations

from dataclasses import replace

from sqlalchemy import func, select

from app import create_app
from models.rate_limits import RateWindow
from models.roster import Contact
from scheduler.runner import tick
from tests import demo
from tests.resilience.webhooks import encode, sign, text_event


def approval_cards(emulator, to: str) -> int:
    return sum(1 for m in emulator.messages(to=to) if "註冊申請" in m.get("altText", ""))


def test_looping_registration_pushes_one_card_per_approver(emulator, services, clock):
    used_before = emulator.quota_consumption()
    for unit in ("中壢區衛生所", "桃園市政府警察局中壢分局", "中壢區公所民政課", "中壢區衛生所"):
        emulator.text(demo.NEWCOMER, "註冊")
        emulator.text(demo.NEWCOMER, "中壢區")
        emulator.text(demo.NEWCOMER, unit)
        clock.advance(seconds=20)
    assert approval_cards(emulator, demo.SECRETARIAT) == 1
    assert emulator.quota_consumption() - used_before == 1
    with services.db.transaction() as session:
        assert session.scalar(select(func.count()).select_from(Contact).where(
            Contact.line_user_id == demo.NEWCOMER)) == 1


def test_repeating_a_command_is_limited_per_minute_with_a_polite_reply(emulator, services, clock):
    limit = services.config.rate_limit_per_minute
    for _ in range(limit):
        emulator.text(demo.NEWCOMER, "說明")
    answers = emulator.texts(to=demo.NEWCOMER)
    assert len(answers) == limit and "操作太頻繁" not in answers[-1]
    emulator.text(demo.NEWCOMER, "註冊")
    assert "操作太頻繁了：每分鐘最多" in emulator.texts(to=demo.NEWCOMER)[-1]
    emulator.text(demo.NEWCOMER, "註冊")  # told once a minute; then silence, not a reply per attempt
    assert len(emulator.texts(to=demo.NEWCOMER)) == limit + 1
    clock.advance(minutes=1)
    emulator.text(demo.NEWCOMER, "註冊")
    assert "請選擇您服務的行政區" in emulator.texts(to=demo.NEWCOMER)[-1]
    # Someone else is not affected by the newcomer's minute.
    emulator.text(demo.POLICE, "說明")
    assert "操作太頻繁" not in emulator.texts(to=demo.POLICE)[-1]


def test_the_limit_holds_across_workers(emulator, app, services, clock):
    """Two workers (two apps on one database) share the count."""
    config = replace(services.config, rate_limit_per_minute=4)
    workers = [create_app(config, clock=clock), create_app(config, clock=clock)]
    statuses = []
    for n in range(6):
        event = text_event(demo.POLICE, "說明", f"01RATE{n:020d}")
        event["replyToken"] = emulator.issue_reply_token(demo.POLICE, demo.POLICE)
        body = encode([event])
        statuses.append(workers[n % 2].test_client().post(
            "/callback", data=body, content_type="application/json",
            headers={"X-Line-Signature": sign(body)}).status_code)
    assert statuses == [200] * 6
    with services.db.transaction() as session:
        assert session.scalar(select(func.sum(RateWindow.count))) == 6
    said = emulator.texts(to=demo.POLICE)
    assert len(said) == 5 and "每分鐘最多 4 次" in said[-1]
    for worker in workers:
        worker.extensions["services"].db.dispose()


def test_old_windows_are_purged(emulator, services, clock):
    emulator.text(demo.POLICE, "說明")
    clock.advance(hours=2)
    tick(services)
    with services.db.transaction() as session:
        assert session.scalar(select(func.count()).select_from(RateWindow)) == 0
