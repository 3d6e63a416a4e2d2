"""Forms through the LINE stand-in: define (chat, template, file), broadcast, answer in chat, progress, export."""
from __future__ import annotations

import csv
import io
from typing import Any
from urllib.parse import urlparse

import openpyxl
from sqlalchemy import select, text

from bot import roster
from models.conversations import Conversation
from models.forms import Form, FormResponse, FormRevision, FormStatus
from models.roster import Role
from tests import demo

SECOND_SOCIAL_WORKER = "U" + "5" * 32  # a deputy contact of 中壢家庭服務中心
SOCIAL_UNIT = "中壢家庭服務中心"


# ---- helpers shared with the other forms tests ----

def quick(emulator, user: str) -> dict[str, dict[str, Any]]:
    """The quick-reply actions of the last message to `user`, by label."""
    message = emulator.messages(to=user)[-1]
    return {i["action"]["label"]: i["action"] for i in (message.get("quickReply") or {}).get("items", [])}


def footer(message: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """The footer buttons of a Flex bubble, by label."""
    return {b["action"]["label"]: b["action"] for b in message["contents"]["footer"]["contents"]}


def tap(emulator, user: str, action: dict[str, Any], params: dict[str, str] | None = None) -> None:
    """Tap a quick reply or button as `user` in 1:1 chat."""
    if action["type"] == "message":
        emulator.text(user, action["text"])
    else:
        emulator.postback(user, action["data"], params=params)


def last_text(emulator, user: str) -> str:
    return emulator.texts(to=user)[-1]


def bind_group(emulator) -> None:
    emulator.text(demo.SECRETARIAT, "綁定 中壢區", group_id=demo.GROUP)


def create_from_template(app, template: str = "three-phase", deadline: str = "2026-12-01") -> int:
    result = app.test_cli_runner().invoke(args=["forms", "create", "--template", template, "--district", "中壢區",
                                                "--deadline", deadline])
    assert result.exit_code == 0, result.output
    return int(result.output.split("created form ")[1].split(":")[0])


def create_from_file(app, tmp_path, units: list[str], deadline: str = "2026-12-01") -> int:
    definition = tmp_path / "form.yaml"
    definition.write_text(
        "title: 聯繫窗口調查\ndistrict: 中壢區\n"
        f"deadline: {deadline}\nunits: [{', '.join(units)}]\n"
        "fields:\n  - {key: plan, label: 本年度重點工作, kind: short}\n", encoding="utf-8")
    result = app.test_cli_runner().invoke(args=["forms", "create", "--file", str(definition)])
    assert result.exit_code == 0, result.output
    return int(result.output.split("created form ")[1].split(":")[0])


def broadcast(app, form_id: int) -> None:
    result = app.test_cli_runner().invoke(args=["forms", "broadcast", str(form_id)])
    assert result.exit_code == 0, result.output


def answer_short_form(emulator, user: str, form_id: int, answer: str) -> None:
    """Answer the one-question file form in chat, from `表單 填寫` to 送出."""
    emulator.text(user, f"表單 填寫 {form_id}")
    buttons = footer(emulator.messages(to=user)[-1])
    tap(emulator, user, buttons.get("在聊天中逐題填寫") or buttons["修改回答"])
    emulator.text(user, answer)
    tap(emulator, user, quick(emulator, user)["送出"])
    assert "已送出" in last_text(emulator, user)


def add_deputy(services, clock) -> None:
    with services.db.transaction() as session:
        district = roster.find_district(session, "中壢區")
        unit = roster.find_unit(session, district, SOCIAL_UNIT)
        roster.add_contact(session, SECOND_SOCIAL_WORKER, unit, Role.MEMBER, "許社工", clock())


def form_row(services, form_id: int) -> Form:
    with services.db.transaction() as session:
        return session.get(Form, form_id)


# ---- define and broadcast ----

def test_secretariat_defines_a_form_in_chat_and_broadcasts_it(emulator, services):
    me = demo.SECRETARIAT
    emulator.text(me, "表單 新增")
    assert {"三階段角色分工表", "可結合宣導之會議及活動調查表"} <= set(quick(emulator, me))
    emulator.text(me, "請洽承辦人 0912-345-678")  # the title goes to the group: screened like any group text
    assert "「表單標題」含有個人資料" in emulator.texts(to=me)[-2]
    emulator.text(me, "年度宣導場次調查")
    emulator.text(me, "略過")
    emulator.text(me, "預計宣導場次")
    tap(emulator, me, quick(emulator, me)["數字"])
    emulator.text(me, "必填")
    emulator.text(me, "是否願意合辦")
    tap(emulator, me, quick(emulator, me)["單選"])
    emulator.text(me, "願意、不願意、再研議")
    emulator.text(me, "選填")
    emulator.text(me, "完成")
    tap(emulator, me, quick(emulator, me)["選擇截止日"], params={"date": "2026-12-01"})
    assert "截止日：115年12月1日(二)" in last_text(emulator, me)
    tap(emulator, me, quick(emulator, me)["全部單位"])
    confirm = last_text(emulator, me)
    assert "1. 預計宣導場次（數字，必填）" in confirm and "願意、不願意、再研議" in confirm
    tap(emulator, me, quick(emulator, me)["建立表單"])
    assert "已建立表單 #" in last_text(emulator, me)

    with services.db.transaction() as session:
        form = session.scalars(select(Form)).one()
        form_id = form.id
        assert form.status == FormStatus.DRAFT and form.deadline.isoformat() == "2026-12-01"
        assert [f["kind"] for f in form.fields] == ["number", "single"]
        # Default: every unit of the district but the secretariat's (they ask; they do not answer).
        assert len(form.targets) == len([u for u in form.district.units if not u.is_secretariat])

    emulator.text(me, f"表單 發布 {form_id}")
    assert "還沒有綁定的群組" in last_text(emulator, me)
    bind_group(emulator)
    before = len(emulator.deliveries(to=demo.GROUP))
    emulator.text(me, f"表單 發布 {form_id}")
    # The group's card waits for tomorrow's morning digest (tests/webhook/test_digest.py), unless asked now.
    assert len(emulator.deliveries(to=demo.GROUP)) == before
    assert "群組卡片將隨群組晨間摘要送出（最晚 115/11/26(四) 08:30）" in last_text(emulator, me)
    tap(emulator, me, quick(emulator, me)["立即發到群組"])
    assert "已將表單" in last_text(emulator, me)
    card = emulator.messages(to=demo.GROUP)[-1]
    assert card["type"] == "flex" and len(emulator.deliveries(to=demo.GROUP)) == before + 1
    tap(emulator, me, {"type": "postback", "data": f"action=form_card_now&id={form_id}"})  # a second tap
    assert "已經送出" in last_text(emulator, me) and len(emulator.deliveries(to=demo.GROUP)) == before + 1
    shown = emulator.texts(to=demo.GROUP)[-1]
    assert "年度宣導場次調查" in shown and "115/12/01(二)" in shown
    assert footer(card)["填寫表單"]["data"] == f"action=form_fill&id={form_id}"
    assert form_row(services, form_id).status == FormStatus.OPEN


def test_members_cannot_define_or_broadcast(emulator, app):
    form_id = create_from_template(app)
    emulator.text(demo.POLICE, "表單 新增")
    assert "限秘書單位" in last_text(emulator, demo.POLICE)
    emulator.text(demo.POLICE, f"表單 發布 {form_id}")
    assert "限該區的秘書單位" in last_text(emulator, demo.POLICE)


def test_two_contacts_of_one_unit_answer_latest_wins_history_kept(emulator, app, services, clock):
    add_deputy(services, clock)
    bind_group(emulator)
    form_id = create_from_template(app)
    broadcast(app, form_id)
    card = emulator.messages(to=demo.GROUP)[-1]
    assert "網絡單位三階段角色與工作分工表" in emulator.texts(to=demo.GROUP)[-1]

    # The first social worker taps 填寫表單 in the group: the card comes privately, the group hears one
    # short line (a free reply) saying where it went.
    before = len(emulator.deliveries(to=demo.GROUP))
    emulator.postback(demo.SOCIAL_WORKER, footer(card)["填寫表單"]["data"], group_id=demo.GROUP)
    assert [d["kind"] for d in emulator.deliveries(to=demo.GROUP)[before:]] == ["reply"]
    assert "填寫卡片已私訊給您" in emulator.messages(to=demo.GROUP)[-1]["text"]
    private = emulator.messages(to=demo.SOCIAL_WORKER)[-1]
    assert "尚未填寫" in emulator.texts(to=demo.SOCIAL_WORKER)[-1]
    tap(emulator, demo.SOCIAL_WORKER, footer(private)["在聊天中逐題填寫"])
    assert "第 1/4 題：事前預防" in last_text(emulator, demo.SOCIAL_WORKER)
    emulator.text(demo.SOCIAL_WORKER, "辦理親職教育與高風險家庭篩檢")
    emulator.text(demo.SOCIAL_WORKER, "接獲通報後會同警政到場")
    emulator.text(demo.SOCIAL_WORKER, "個案管理與追蹤關懷")
    tap(emulator, demo.SOCIAL_WORKER, quick(emulator, demo.SOCIAL_WORKER)["略過"])
    assert "請確認" in last_text(emulator, demo.SOCIAL_WORKER)
    tap(emulator, demo.SOCIAL_WORKER, quick(emulator, demo.SOCIAL_WORKER)["送出"])
    assert "已送出" in last_text(emulator, demo.SOCIAL_WORKER)

    # The deputy edits the unit's answer: keeps two answers, changes one.
    emulator.text(SECOND_SOCIAL_WORKER, f"表單 填寫 {form_id}")
    assert "已填寫（第 1 版" in last_text(emulator, SECOND_SOCIAL_WORKER)
    tap(emulator, SECOND_SOCIAL_WORKER, footer(emulator.messages(to=SECOND_SOCIAL_WORKER)[-1])["修改回答"])
    assert "目前答案：辦理親職教育" in last_text(emulator, SECOND_SOCIAL_WORKER)
    tap(emulator, SECOND_SOCIAL_WORKER, quick(emulator, SECOND_SOCIAL_WORKER)["沿用目前答案"])
    emulator.text(SECOND_SOCIAL_WORKER, "24小時內會同警政到場並安排安置")
    tap(emulator, SECOND_SOCIAL_WORKER, quick(emulator, SECOND_SOCIAL_WORKER)["沿用目前答案"])
    emulator.text(SECOND_SOCIAL_WORKER, "每月聯繫會議追蹤")
    tap(emulator, SECOND_SOCIAL_WORKER, quick(emulator, SECOND_SOCIAL_WORKER)["送出"])
    assert "第 2 版" in last_text(emulator, SECOND_SOCIAL_WORKER)

    with services.db.transaction() as session:
        response = session.scalars(select(FormResponse)).one()
        assert response.revision == 2 and response.submitted_by == SECOND_SOCIAL_WORKER
        assert response.answers == {"prevention": "辦理親職教育與高風險家庭篩檢",
                                    "response": "24小時內會同警政到場並安排安置",
                                    "aftercare": "個案管理與追蹤關懷", "note": "每月聯繫會議追蹤"}
        history = session.scalars(select(FormRevision).order_by(FormRevision.number)).all()
        assert [(r.number, r.submitted_by) for r in history] == [(1, demo.SOCIAL_WORKER), (2, SECOND_SOCIAL_WORKER)]
        assert history[0].answers["response"] == "接獲通報後會同警政到場" and "note" not in history[0].answers
        # Answers are encrypted at rest: the raw column holds no plaintext.
        raw = session.execute(text("SELECT answers FROM form_responses")).scalar_one()
        assert "警政" not in raw and raw.startswith("gAAAA")

    emulator.text(demo.POLICE, "表單進度", group_id=demo.GROUP)
    progress = emulator.texts(to=demo.GROUP)[-1]
    assert "✓ 中壢家庭服務中心" in progress and "✗ 分局" in progress and "已填 1/" in progress
    assert emulator.deliveries(to=demo.GROUP)[-1]["kind"] == "reply"  # progress is a reply, never a push


def test_personal_data_is_refused_and_not_stored(emulator, app, services):
    bind_group(emulator)
    form_id = create_from_template(app)
    broadcast(app, form_id)
    emulator.text(demo.POLICE, f"表單 填寫 {form_id}")
    tap(emulator, demo.POLICE, footer(emulator.messages(to=demo.POLICE)[-1])["在聊天中逐題填寫"])
    emulator.text(demo.POLICE, "個案王小明的電話0912-345-678要追蹤")
    refusal = emulator.texts(to=demo.POLICE)[-2]
    assert "個人資料" in refusal and "電話號碼" in refusal and "沒有保存" in refusal
    emulator.text(demo.POLICE, "親職教育")  # answering again answers the same question
    assert "第 2/4 題" in last_text(emulator, demo.POLICE)
    with services.db.transaction() as session:
        row = session.scalars(select(Conversation).where(Conversation.user_id == demo.POLICE)).one()
        assert "王小明" not in str(row.data) and row.data["index"] == 1 and "_privacy" not in row.data
        assert session.scalars(select(FormResponse)).first() is None


def test_template_form_exported_as_xlsx_and_csv(emulator, app, services, client):
    bind_group(emulator)
    form_id = create_from_template(app)
    broadcast(app, form_id)
    for user, words in ((demo.SOCIAL_WORKER, "親職教育"), (demo.POLICE, "=HYPERLINK(\"x\")")):
        emulator.text(user, f"表單 填寫 {form_id}")
        tap(emulator, user, footer(emulator.messages(to=user)[-1])["在聊天中逐題填寫"])
        for _ in range(3):
            emulator.text(user, words)
        tap(emulator, user, quick(emulator, user)["略過"])
        tap(emulator, user, quick(emulator, user)["送出"])

    emulator.text(demo.POLICE, f"表單 匯出 {form_id}")
    assert "限該區的秘書單位" in last_text(emulator, demo.POLICE)
    # Asked in the group, the link goes to the secretariat privately; the group only hears that it was sent.
    emulator.text(demo.SECRETARIAT, f"表單 匯出 {form_id}", group_id=demo.GROUP)
    assert "已私訊" in emulator.texts(to=demo.GROUP)[-1]
    assert "http" not in str(emulator.messages(to=demo.GROUP)[-1])
    links = emulator.messages(to=demo.SECRETARIAT)[-1]["template"]["actions"]
    xlsx_url, csv_url = links[0]["uri"], links[1]["uri"]

    response = client.get(urlparse(xlsx_url).path)
    assert response.status_code == 200 and response.headers["Cache-Control"] == "no-store"
    book = openpyxl.load_workbook(io.BytesIO(response.data))
    answers = book["回覆"]
    assert [c.value for c in answers[1]][:6] == ["單位", "狀態", "最後填寫時間", "最後填寫人", "事前預防", "事發當下因應處理"]
    rows = {row[0]: row for row in answers.iter_rows(min_row=2, values_only=True)}
    assert rows[SOCIAL_UNIT][1] == "已填" and rows[SOCIAL_UNIT][3] == "林社工"
    assert rows[SOCIAL_UNIT][4:7] == ("親職教育", "親職教育", "親職教育")
    assert rows["桃園市政府警察局中壢分局"][4] == "=HYPERLINK(\"x\")"  # kept as text, not a formula
    police_row = next(r for r in answers.iter_rows(min_row=2) if r[0].value == "桃園市政府警察局中壢分局")
    assert police_row[4].data_type == "s"
    assert rows["中壢區衛生所"][1] == "未填" and rows["中壢區衛生所"][4] is None  # full names in exports
    history = list(book["填寫紀錄"].iter_rows(min_row=2, values_only=True))
    assert [(h[1], h[2], h[4]) for h in history] == [(SOCIAL_UNIT, "林社工", "LINE 聊天"),
                                                     ("桃園市政府警察局中壢分局", "陳家防官", "LINE 聊天")]

    table = list(csv.reader(io.StringIO(client.get(urlparse(csv_url).path).data.decode("utf-8-sig"))))
    police = next(r for r in table if r[0] == "桃園市政府警察局中壢分局")
    assert police[4] == "'=HYPERLINK(\"x\")"  # defused for spreadsheets
    assert client.get(urlparse(xlsx_url).path.replace("/export/", "/export/x")).status_code == 403


def test_group_summary_card_compiles_the_advocacy_schedule(emulator, app, services):
    bind_group(emulator)
    form_id = create_from_template(app, "advocacy")
    broadcast(app, form_id)
    user = demo.HEALTH
    emulator.text(user, f"表單 填寫 {form_id}")
    tap(emulator, user, footer(emulator.messages(to=user)[-1])["在聊天中逐題填寫"])
    emulator.text(user, "社區心理衛生講座")
    tap(emulator, user, quick(emulator, user)["選擇日期"], params={"date": "2026-12-05"})
    emulator.text(user, "14:00-16:00")
    emulator.text(user, "中壢區公所三樓禮堂")
    tap(emulator, user, quick(emulator, user)["自殺防治"])
    assert "已選：自殺防治" in last_text(emulator, user)
    tap(emulator, user, quick(emulator, user)["心理衛生"])
    tap(emulator, user, quick(emulator, user)["完成"])
    tap(emulator, user, quick(emulator, user)["略過"])
    assert "可結合宣導主題：自殺防治、心理衛生" in last_text(emulator, user)
    tap(emulator, user, quick(emulator, user)["送出"])

    emulator.text(demo.POLICE, f"表單 摘要 {form_id}", group_id=demo.GROUP)
    summary = emulator.texts(to=demo.GROUP)[-1]
    assert "115/12/05(六) 衛生局：社區心理衛生講座" in summary and "已填" in summary


def test_a_form_shows_only_in_its_own_districts_group(emulator, app):
    other_group = "C" + "7" * 32
    emulator.text(demo.ADMIN, "綁定 平鎮區", group_id=other_group)
    bind_group(emulator)
    form_id = create_from_template(app)
    broadcast(app, form_id)
    assert "網絡單位三階段角色與工作分工表" not in str(emulator.messages(to=other_group))  # posted to 中壢 only
    emulator.text(demo.POLICE, f"表單 摘要 {form_id}", group_id=other_group)
    emulator.text(demo.POLICE, f"表單進度 {form_id}", group_id=other_group)
    assert emulator.texts(to=other_group)[-2:] == [f"找不到已發布的表單 #{form_id}。"] * 2
    emulator.text(demo.POLICE, f"表單 摘要 {form_id}", group_id=demo.GROUP)
    assert "📊" in emulator.texts(to=demo.GROUP)[-1]
