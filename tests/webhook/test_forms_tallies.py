"""表單進度 and 表單 摘要 count what units answered; the secretariat nudges the rest in one tap; the group's
填寫表單 button sends the card to 1:1 and says so in one line."""
from __future__ import annotations

from bot import roster
from handlers.forms import service
from models.roster import Contact
from tests import demo
from tests.webhook.test_forms import bind_group, broadcast, footer, last_text

FORM = """title: 合辦宣導意願調查
district: 中壢區
deadline: 2026-12-01
fields:
  - {key: join, label: 是否願意合辦, kind: single, options: [願意, 不願意, 再研議]}
  - {key: topics, label: 可結合主題, kind: multi, options: [家庭暴力防治, 自殺防治, 兒少保護], required: false}
  - {key: day, label: 預定日期, kind: date, required: false}
  - {key: times, label: 預計場次, kind: number, required: false}
  - {key: note, label: 備註, kind: short, required: false}
"""


def create(app, tmp_path, extra: str = "") -> int:
    (tmp_path / "form.yaml").write_text(FORM + extra, encoding="utf-8")
    result = app.test_cli_runner().invoke(args=["forms", "create", "--file", str(tmp_path / "form.yaml")])
    assert result.exit_code == 0, result.output
    return int(result.output.split("created form ")[1].split(":")[0])


def answer(services, clock, user: str, form_id: int, answers: dict) -> None:
    with services.db.transaction() as session:
        contact = roster.contact_of(session, user)
        form = service.get(session, form_id)
        assert isinstance(contact, Contact) and form is not None
        service.save(session, form, contact, answers, via="chat", now=clock())


def test_progress_counts_choices_lists_dates_and_leaves_the_secretariat_out(emulator, app, services, clock,
                                                                            tmp_path):
    bind_group(emulator)
    form_id = create(app, tmp_path)
    broadcast(app, form_id)
    answer(services, clock, demo.SOCIAL_WORKER, form_id, {"join": "願意", "topics": ["家庭暴力防治", "兒少保護"],
                                                        "day": "2026-12-05", "times": 2, "note": "與里辦合作"})
    answer(services, clock, demo.POLICE, form_id, {"join": "願意", "topics": ["家庭暴力防治"], "day": "2026-11-28",
                                                  "times": 1})
    answer(services, clock, demo.HEALTH, form_id, {"join": "再研議"})

    emulator.text(demo.POLICE, f"表單進度 {form_id}", group_id=demo.GROUP)
    shown = last_text(emulator, demo.GROUP)
    assert "已填 3/" in shown and "✓ 中壢家庭服務中心" in shown and "✗ 衛生所" in shown
    assert "區公所社會課" not in shown and "社會局" not in shown.replace("衛生局", "")  # the askers are not asked
    assert "1. 是否願意合辦（3 個單位回答）\n　願意 2、再研議 1" in shown
    assert "2. 可結合主題（2 個單位回答）\n　家庭暴力防治 2、兒少保護 1" in shown
    assert "　115/11/28(六) 分局\n　115/12/05(六) 中壢家庭服務中心" in shown  # dates in order
    assert "4. 預計場次（2 個單位回答）\n　合計 3（2 個單位）" in shown
    assert "5. 備註（1 個單位回答）" in shown and "與里辦合作" not in shown  # words stay in the export
    assert "quickReply" not in emulator.messages(to=demo.GROUP)[-1]  # a member gets no nudge button

    printed = app.test_cli_runner().invoke(args=["forms", "progress", str(form_id)])
    assert printed.exit_code == 0 and "願意 2、再研議 1" in printed.output  # the operator's view too

    emulator.text(demo.SECRETARIAT, f"表單 摘要 {form_id}", group_id=demo.GROUP)
    summary = last_text(emulator, demo.GROUP)
    assert "回答統計" in summary and "願意 2、再研議 1" in summary


def test_a_form_that_says_so_asks_the_secretariat_too(app, services, tmp_path):
    form_id = create(app, tmp_path, "include_secretariat: true\n")
    with services.db.transaction() as session:
        names = [u.name for u in service.target_units(session, service.get(session, form_id))]
    assert "中壢區公所社會課" in names and "桃園市政府社會局" in names


def test_the_secretariat_nudges_the_units_yet_to_answer_once_a_day(emulator, app, services, clock, tmp_path):
    bind_group(emulator)
    form_id = create(app, tmp_path)
    broadcast(app, form_id)
    answer(services, clock, demo.SOCIAL_WORKER, form_id, {"join": "願意"})
    emulator.reset()
    emulator.text(demo.SECRETARIAT, f"表單進度 {form_id}")
    [button] = emulator.messages(to=demo.SECRETARIAT)[-1]["quickReply"]["items"]
    assert button["action"]["label"] == f"提醒未填寫的單位（#{form_id}）" and "displayText" not in button["action"]
    emulator.postback(demo.POLICE, button["action"]["data"])
    assert "限秘書單位" in last_text(emulator, demo.POLICE)

    emulator.postback(demo.SECRETARIAT, button["action"]["data"])
    told = last_text(emulator, demo.SECRETARIAT)
    assert "已私訊提醒表單" in told and "位聯繫窗口" in told
    police = emulator.messages(to=demo.POLICE)
    assert "秘書單位提醒：「分局」尚未填寫" in police[-2]["text"] and police[-1]["type"] == "flex"
    assert not [m for m in emulator.messages(to=demo.SOCIAL_WORKER)]  # answered: not nudged
    assert not [d for d in emulator.deliveries(to=demo.GROUP)]  # nothing in the group
    pushed = len(emulator.deliveries(to=demo.POLICE))
    emulator.postback(demo.SECRETARIAT, button["action"]["data"])  # a second tap the same day
    assert len(emulator.deliveries(to=demo.POLICE)) == pushed


def test_the_groups_fill_button_posts_nothing_as_the_user_and_says_where_the_card_went(emulator, app, tmp_path):
    bind_group(emulator)
    form_id = create(app, tmp_path)
    broadcast(app, form_id)
    card = emulator.messages(to=demo.GROUP)[-1]
    fill = footer(card)["填寫表單"]
    assert "displayText" not in fill  # a tap posts no "我要填寫表單" into the group
    emulator.postback(demo.POLICE, fill["data"], group_id=demo.GROUP)
    note = emulator.messages(to=demo.GROUP)[-1]
    assert note["type"] == "textV2" and "填寫卡片已私訊給您" in note["text"]
    assert note["substitution"]["who"]["mentionee"]["userId"] == demo.POLICE
    assert emulator.messages(to=demo.POLICE)[-1]["type"] == "flex"  # the card, in 1:1
