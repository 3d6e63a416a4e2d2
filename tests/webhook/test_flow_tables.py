"""Each declared flow as a dialog table: (state, what the user says or taps, what the bot answers, next state).

Rows run in order through signed webhook events; a row's state is checked before its input is sent,
so a table reads like the flow's diagram in its `flow.py`.
"""
from __future__ import annotations

import pytest

from tests import demo
from tests.webhook.test_flows import conversation

END = None  # the flow has ended


def tap(data: str, **params: str) -> dict:
    return {"postback": data, "params": params}


INCIDENT = [
    ("category", "隨便", "請從下方選擇類別", "category"),
    ("category", tap("action=inc_flow&category=兒少"), "要請哪些單位協助", "units"),
    ("units", "不存在的單位", "找不到「不存在的單位」", "units"),
    ("units", "家防中心", "已選：家防中心", "units"),
    ("units", "家防中心", "尚未選擇", "units"),  # a second tap takes it back
    ("units", "衛生局", "已選：衛生局", "units"),
    ("units", tap("action=inc_flow&done=1"), "緊急程度", "urgency"),
    ("urgency", "很急", "請選擇「緊急」或「一般」", "urgency"),
    ("urgency", tap("action=inc_flow&urgency=一般"), "請輸入求助內容", "text"),
    ("text", "電話0912345678 請回電", "沒有送出", "text"),
    ("text", "長" * 501, "500 字以內", "text"),
    ("text", "學童疑似受虐，需要評估", "請確認", "confirm"),
    ("confirm", "好", "請按「送出」", "confirm"),
    ("confirm", tap("action=inc_flow&send=1"), "已將求助", END),
]

CALENDAR = [
    ("title", "家暴防治宣導講座", "請選擇日期", "day"),
    ("day", "下個月某天", "", "day"),
    ("day", "2026/12/5", "開始時間", "start"),
    ("start", "14:00-16:00", "地點", "place"),  # a whole range skips the end time
    ("place", "中壢區公所3樓禮堂", "共同宣導", "joinable"),
    ("joinable", "也許", "請點「是」或「否」", "joinable"),
    ("joinable", "是", "備註", "note"),
    ("note", "略過", "家暴防治宣導講座", END),
]

MEETING = [
    ("type", "喝茶會", "會議", "type"),
    ("type", "區級聯繫會議", "日期", "when"),
    ("when", "115/11/1 14:00", "已經過了", "when"),
    ("when", "115/12/15 下午2時", "地點", "place"),
    ("place", "中壢區公所會議室", "議程", "agenda"),
    ("agenda", "略過", "請確認", "confirm"),
    ("confirm", "好", "請確認", "confirm"),
]

FORM_DEFINE = [
    ("start", "聯繫窗口調查", "填寫說明", "instructions"),
    ("instructions", "略過", "第 1 題", "label"),
    ("label", "本年度重點工作", "哪一種方式", "kind"),
    ("kind", "畫圖", "請從下方選擇回答方式", "kind"),
    ("kind", "簡答", "必填還是選填", "required"),
    ("required", "必填", "第 2 題", "label"),
    ("label", "完成", "截止日", "deadline"),
    ("deadline", "115/1/1", "不能早於今天", "deadline"),
    ("deadline", "115/12/20", "填寫單位", "units"),
    ("units", "不存在的單位", "找不到", "units"),
    ("units", "全部單位", "請確認", "confirm"),
    ("confirm", "建立", "已建立表單", END),
]

REGISTER = [
    ("district", "火星區", "請從下方選擇行政區", "district"),
    ("district", "中壢區", "單位", "unit"),
    ("unit", "不存在的單位", "請點選清單中的單位", "unit"),
    ("unit", "衛生所", "已送出註冊申請", END),
]

TABLES = {
    "incident": (demo.SCHOOL, "求助", INCIDENT),
    "calendar_activity": (demo.SOCIAL_WORKER, "活動", CALENDAR),
    "meeting_new": (demo.SECRETARIAT, "新增會議", MEETING),
    "form_define": (demo.SECRETARIAT, "表單 新增", FORM_DEFINE),
    "register": (demo.NEWCOMER, "註冊", REGISTER),
}


@pytest.mark.parametrize("flow", sorted(TABLES))
def test_dialog_table(emulator, services, group, flow):
    user, first_words, rows = TABLES[flow]
    emulator.text(user, first_words)
    for number, (state, said, expected, next_state) in enumerate(rows, start=1):
        assert conversation(services, user) == (flow, state), f"row {number}: not in state {state}"
        emulator.reset()
        if isinstance(said, dict):
            emulator.postback(user, said["postback"], params=said["params"] or None)
        else:
            emulator.text(user, said)
        answer = " ".join(emulator.texts(to=user))
        assert expected in answer, f"row {number}: {expected!r} not in {answer!r}"
        after = conversation(services, user)
        assert after == (None if next_state is END else (flow, next_state)), f"row {number}: {after}"
