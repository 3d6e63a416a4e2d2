"""Offboarding: leaving the group, blocking the bot, or a secretariat's word takes a contact off the roster."""
from __future__ import annotations

from sqlalchemy import select

from models.audit import AuditEntry
from models.roster import Contact, ContactStatus
from scheduler.runner import tick
from tests import demo


def status(services, line_id: str) -> ContactStatus:
    with services.db.transaction() as session:
        return session.scalars(select(Contact.status).where(Contact.line_user_id == line_id)).one()


def bind(emulator) -> None:
    emulator.join(demo.GROUP)
    emulator.text(demo.SECRETARIAT, "綁定 中壢區", group_id=demo.GROUP)


def test_leaving_the_bound_group_deactivates_and_tells_the_secretariat(emulator, services, clock):
    bind(emulator)
    emulator.member_left(demo.GROUP, [demo.POLICE])
    assert status(services, demo.POLICE) == ContactStatus.INACTIVE
    [notice] = emulator.texts(to=demo.SECRETARIAT)
    assert "聯繫窗口異動" in notice and "陳家防官" in notice and "已離開中壢區群組" in notice
    assert [t for t in emulator.texts(to=demo.GROUP) if "陳家防官" in t] == []  # nothing said in the group

    # No rights and no mentions any more.
    emulator.text(demo.POLICE, "求助 @衛生局 長者獨居需要關懷訪視")
    assert "已停用" in emulator.texts(to=demo.POLICE)[-1]
    emulator.text(demo.SOCIAL_WORKER, "求助 緊急 @分局 新興路附近有長者情緒激動")
    clock.advance(minutes=services.config.incident_escalation_minutes + 1)
    tick(services)
    later = emulator.deliveries(to=demo.GROUP)[-1]["messages"]  # the re-post, then the card
    assert "尚無單位認領" in str(later)
    assert demo.POLICE not in str(emulator.messages(to=demo.GROUP))
    assert emulator.deliveries(to=demo.POLICE)[-1]["kind"] == "reply"  # never pushed to


def test_leaving_an_unbound_group_or_a_stranger_leaving_changes_nothing(emulator, services):
    emulator.join(demo.GROUP)
    emulator.member_left(demo.GROUP, [demo.POLICE, demo.NEWCOMER])
    assert status(services, demo.POLICE) == ContactStatus.ACTIVE
    assert emulator.deliveries(to=demo.SECRETARIAT) == []


def test_unfollow_deactivates_and_tells_the_secretariat(emulator, services):
    emulator.unfollow(demo.HEALTH)
    assert status(services, demo.HEALTH) == ContactStatus.INACTIVE
    assert "已封鎖或刪除小幫手" in emulator.texts(to=demo.SECRETARIAT)[-1]
    emulator.follow(demo.HEALTH, is_unblocked=True)
    emulator.text(demo.HEALTH, "註冊")
    assert "請選擇您服務的行政區" in emulator.texts(to=demo.HEALTH)[-1]  # may apply again


def test_secretariat_deactivates_and_moves_in_chat(emulator, services):
    emulator.text(demo.POLICE, "停用 王護理師")
    assert "限秘書單位" in emulator.texts(to=demo.POLICE)[-1]
    emulator.text(demo.SECRETARIAT, "移動 陳家防官 中壢區衛生所")
    assert "已將 陳家防官 移到「中壢區衛生所」" in emulator.texts(to=demo.SECRETARIAT)[-1]
    emulator.text(demo.SECRETARIAT, "停用 陳家防官")
    assert "已停用：陳家防官" in emulator.texts(to=demo.SECRETARIAT)[-1]
    assert status(services, demo.POLICE) == ContactStatus.INACTIVE
    # A city-level unit's contact is the city's to take off, not the district's.
    emulator.text(demo.SECRETARIAT, "停用 王護理師")
    assert "市級單位" in emulator.texts(to=demo.SECRETARIAT)[-1]
    assert status(services, demo.HEALTH) == ContactStatus.ACTIVE
    emulator.text(demo.SECRETARIAT, "停用 沒有這個人")
    assert "沒有名為「沒有這個人」" in emulator.texts(to=demo.SECRETARIAT)[-1]
    with services.db.transaction() as session:
        actions = [a.action for a in session.scalars(select(AuditEntry).order_by(AuditEntry.id))]
        assert actions.count("refused:deactivate") == 1 and "deactivate" in actions and "move_contact" in actions


def test_cli_deactivates(app, services):
    result = app.test_cli_runner().invoke(args=["roster", "deactivate", "--line-id", demo.FIRE])
    assert result.exit_code == 0 and "已停用" in result.output
    assert status(services, demo.FIRE) == ContactStatus.INACTIVE
    unknown = app.test_cli_runner().invoke(args=["roster", "deactivate", "--line-id", "U" + "9" * 32])
    assert unknown.exit_code != 0 and "no contact" in unknown.output


def test_refused_manager_and_admin_commands_are_audited(emulator, services):
    emulator.text(demo.POLICE, "額度")
    emulator.text(demo.POLICE, "停用 王護理師")
    with services.db.transaction() as session:
        refused = [(a.actor, a.action) for a in session.scalars(
            select(AuditEntry).where(AuditEntry.action.like("refused:%")).order_by(AuditEntry.id))]
    assert refused == [(demo.POLICE, "refused:額度"), (demo.POLICE, "refused:停用")]
