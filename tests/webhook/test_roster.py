"""Registration, approval, group binding, greetings, resources, help and quota, through the emulator."""
from __future__ import annotations

from sqlalchemy import select

from models.roster import Contact, ContactStatus, Group, Role
from tests import demo


def contact(services, line_id: str) -> Contact | None:
    with services.db.transaction() as session:
        found = session.scalars(select(Contact).where(Contact.line_user_id == line_id)).first()
        return found


def test_registration_then_secretariat_approves(emulator, services):
    emulator.text(demo.NEWCOMER, "註冊")
    ask = emulator.deliveries(to=demo.NEWCOMER)[-1]["messages"][0]
    labels = [item["action"]["label"] for item in ask["quickReply"]["items"]]
    assert "中壢區" in labels and len(labels) == 13
    district_data = next(i["action"]["data"] for i in ask["quickReply"]["items"] if i["action"]["label"] == "中壢區")
    emulator.postback(demo.NEWCOMER, district_data)
    card = emulator.deliveries(to=demo.NEWCOMER)[-1]["messages"][0]
    buttons = card["contents"]["footer"]["contents"]
    police = next(b["action"]["data"] for b in buttons if b["action"]["label"] == "分局")
    emulator.postback(demo.NEWCOMER, police)
    assert "已送出註冊申請" in emulator.texts(to=demo.NEWCOMER)[-1]
    assert contact(services, demo.NEWCOMER).status == ContactStatus.PENDING

    # Until approved, the newcomer may use help and resources but nothing that needs registration.
    emulator.text(demo.NEWCOMER, "額度")
    assert "尚待秘書單位核准" in emulator.texts(to=demo.NEWCOMER)[-1]

    approval = emulator.deliveries(to=demo.SECRETARIAT)[-1]["messages"][0]
    approve = approval["contents"]["footer"]["contents"][0]["action"]["data"]
    emulator.postback(demo.SECRETARIAT, approve)
    assert contact(services, demo.NEWCOMER).status == ContactStatus.ACTIVE
    assert "核准" in emulator.texts(to=demo.NEWCOMER)[-1]

    # A second tap on the same card changes nothing and says so.
    emulator.postback(demo.SECRETARIAT, approve)
    assert "已處理過" in emulator.texts(to=demo.SECRETARIAT)[-1]


def test_registration_can_be_typed_and_cancelled(emulator, services):
    emulator.text(demo.NEWCOMER, "註冊")
    emulator.text(demo.NEWCOMER, "中壢")
    emulator.text(demo.NEWCOMER, "取消")
    assert "已取消" in emulator.texts(to=demo.NEWCOMER)[-1]
    assert contact(services, demo.NEWCOMER) is None
    emulator.text(demo.NEWCOMER, "中壢")  # no flow any more: a hint, not a registration
    assert "沒有看懂" in emulator.texts(to=demo.NEWCOMER)[-1]


def test_member_cannot_approve(emulator, services):
    emulator.text(demo.NEWCOMER, "註冊")
    emulator.text(demo.NEWCOMER, "中壢區")
    emulator.text(demo.NEWCOMER, "衛生所")
    pending = contact(services, demo.NEWCOMER)
    emulator.postback(demo.POLICE, f"action=reg_decide&id={pending.id}&ok=1")
    assert "只有中壢區的秘書單位" in emulator.texts(to=demo.POLICE)[-1]
    assert contact(services, demo.NEWCOMER).status == ContactStatus.PENDING


def test_join_greets_once_and_member_joins_are_silent(emulator, services):
    emulator.join(demo.GROUP)
    emulator.join(demo.GROUP)
    emulator.member_joined(demo.GROUP, [demo.NEWCOMER])
    group_messages = emulator.texts(to=demo.GROUP)
    assert len(group_messages) == 1 and "綁定" in group_messages[0]


def test_secretariat_binds_group_and_members_cannot(emulator, services):
    emulator.join(demo.GROUP)
    emulator.text(demo.POLICE, "綁定 中壢區", group_id=demo.GROUP)
    assert "限秘書單位" in emulator.texts(to=demo.GROUP)[-1]
    emulator.text(demo.SECRETARIAT, "綁定 中壢區", group_id=demo.GROUP)
    assert "已將本群組綁定" in emulator.texts(to=demo.GROUP)[-1]
    with services.db.transaction() as session:
        group = session.scalars(select(Group).where(Group.line_group_id == demo.GROUP)).one()
        assert group.district.name == "中壢區" and group.member_count >= 9


def test_group_chatter_gets_no_reply(emulator):
    emulator.text(demo.POLICE, "收到，謝謝大家", group_id=demo.GROUP)
    emulator.text(demo.HEALTH, "明天會議我會出席", group_id=demo.GROUP)
    assert emulator.texts(to=demo.GROUP) == []


def test_bind_in_private_chat_is_explained(emulator):
    emulator.text(demo.SECRETARIAT, "綁定 中壢區")
    assert "群組中使用" in emulator.texts(to=demo.SECRETARIAT)[-1]


def test_resources_show_hotlines_and_district_centres(emulator):
    emulator.text(demo.NEWCOMER, "資源 中壢")
    answer = emulator.texts(to=demo.NEWCOMER)[-1]
    assert "113" in answer and "1925" in answer
    assert "中壢家庭服務中心" in answer and "(03)422-0126" in answer and "內壢家庭服務中心" in answer
    emulator.text(demo.NEWCOMER, "資源 火星區")
    assert "找不到" in emulator.texts(to=demo.NEWCOMER)[-1]


def test_help_depends_on_role(emulator):
    emulator.text(demo.NEWCOMER, "說明")
    newcomer_help = emulator.texts(to=demo.NEWCOMER)[-1]
    assert "註冊" in newcomer_help and "額度" not in newcomer_help
    emulator.text(demo.ADMIN, "help 全部")
    assert "額度" in emulator.texts(to=demo.ADMIN)[-1]
    emulator.text(demo.POLICE, "說明")
    member_help = emulator.texts(to=demo.POLICE)[-1]
    assert "求助" in member_help and "註冊" not in member_help and "額度" not in member_help


def test_secretariat_contact_has_secretariat_role(services):
    assert contact(services, demo.SECRETARIAT).role == Role.SECRETARIAT


def test_unfinished_registration_expires(emulator, services, clock):
    emulator.text(demo.NEWCOMER, "註冊")
    clock.advance(minutes=services.config.conversation_minutes + 1)
    emulator.text(demo.NEWCOMER, "中壢區")
    assert "註冊已逾時結束" in emulator.texts(to=demo.NEWCOMER)[-1]  # said, not guessed at
    assert contact(services, demo.NEWCOMER) is None
    emulator.text(demo.NEWCOMER, "中壢區")
    assert "沒有看懂" in emulator.texts(to=demo.NEWCOMER)[-1]  # told once; then the usual hint
