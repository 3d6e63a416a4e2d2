"""LINE's own idioms: the rich menus (set up by the CLI, linked per user), the 說明 card, the loading animation."""
from __future__ import annotations

import io

import requests
from PIL import Image

from tests import demo


def setup_menus(app) -> str:
    result = app.test_cli_runner().invoke(args=["richmenu", "setup"])
    assert result.exit_code == 0, result.output
    return result.output


def menu_of(emulator_server: str, user: str) -> dict | None:
    return requests.get(f"{emulator_server}/_emulator/richmenu", params={"user_id": user}, timeout=5).json()["menu"]


def test_setup_creates_both_menus_and_links_every_approved_contact(app, emulator, emulator_server):
    output = setup_menus(app)
    assert "member: richmenu-" in output and "secretariat: richmenu-" in output
    member, secretariat = menu_of(emulator_server, demo.POLICE), menu_of(emulator_server, demo.SECRETARIAT)
    assert [a["action"]["text"] for a in member["areas"]] == ["求助", "案件", "活動", "表單", "會議", "說明"]
    assert secretariat["richMenuId"] != member["richMenuId"] and "列管" in str(secretariat["areas"])
    picture = Image.open(io.BytesIO(requests.get(emulator_server + member["image"], timeout=5).content))
    assert (picture.format, picture.size) == ("PNG", (2500, 843))
    assert menu_of(emulator_server, demo.NEWCOMER) is None  # not registered: no menu
    assert emulator.violations() == []


def test_setup_again_moves_everyone_to_the_new_menus(app, emulator, emulator_server):
    setup_menus(app)
    first = menu_of(emulator_server, demo.POLICE)["richMenuId"]
    setup_menus(app)
    assert menu_of(emulator_server, demo.POLICE)["richMenuId"] != first


def test_approval_links_the_member_menu(app, emulator, emulator_server):
    setup_menus(app)
    emulator.text(demo.NEWCOMER, "註冊")
    emulator.text(demo.NEWCOMER, "中壢區")
    emulator.text(demo.NEWCOMER, "衛生所")
    card = emulator.messages(to=demo.SECRETARIAT)[-1]
    approve = next(b["action"]["data"] for b in card["contents"]["footer"]["contents"] if b["action"]["label"] == "核准")
    assert menu_of(emulator_server, demo.NEWCOMER) is None
    emulator.postback(demo.SECRETARIAT, approve)
    assert [a["action"]["text"] for a in menu_of(emulator_server, demo.NEWCOMER)["areas"]][0] == "求助"


def test_approval_without_menus_set_up_still_approves(app, emulator):
    emulator.text(demo.NEWCOMER, "註冊")
    emulator.text(demo.NEWCOMER, "中壢區")
    emulator.text(demo.NEWCOMER, "衛生所")
    card = emulator.messages(to=demo.SECRETARIAT)[-1]
    approve = next(b["action"]["data"] for b in card["contents"]["footer"]["contents"] if b["action"]["label"] == "核准")
    emulator.postback(demo.SECRETARIAT, approve)
    assert "已核准" in emulator.texts(to=demo.SECRETARIAT)[-1]
    assert "註冊已核准" in emulator.texts(to=demo.NEWCOMER)[-1]


def test_help_is_a_short_card_with_buttons_and_the_full_list_one_tap_away(emulator):
    emulator.text(demo.POLICE, "說明")
    [card] = emulator.messages(to=demo.POLICE)
    labels = [b["action"]["label"] for b in card["contents"]["footer"]["contents"]]
    assert labels[:3] == ["求助", "案件", "活動"] and labels[-1] == "所有指令" and len(labels) <= 7
    assert "額度" not in str(card) and "註冊" not in labels
    emulator.text(demo.POLICE, "說明 全部")
    full = emulator.texts(to=demo.POLICE)[-1]
    assert "列管回報" in full and "求助" in full


LOADING = "/v2/bot/chat/loading/start"


def test_a_request_answered_at_once_shows_no_loading_animation(emulator, group):
    emulator.text(demo.SOCIAL_WORKER, "求助 @衛生局 需要協助")  # the first of a fresh app may be slow to start
    before = [r["path"] for r in emulator.api_requests()].count(LOADING)
    emulator.text(demo.SOCIAL_WORKER, "求助 @分局 需要協助")
    assert emulator.texts(to=demo.SOCIAL_WORKER)[-1].startswith("已將求助")
    assert [r["path"] for r in emulator.api_requests()].count(LOADING) == before  # it would only flash


def test_a_slow_request_in_one_to_one_shows_the_loading_animation_before_its_answer(emulator, group):
    emulator.inject_fault("/v2/bot/message/push", status=None, delay_seconds=2.5, count=1)  # LINE slow to take the card
    emulator.text(demo.SOCIAL_WORKER, "求助 @衛生局 需要協助")
    paths = [r["path"] for r in emulator.api_requests()]
    assert paths.count(LOADING) == 1
    assert paths.index(LOADING) < paths.index("/v2/bot/message/reply")  # the answer ends it, never the reverse
    assert emulator.texts(to=demo.SOCIAL_WORKER)[0].startswith("已將求助")
    emulator.text(demo.SOCIAL_WORKER, "說明")
    assert [r["path"] for r in emulator.api_requests()].count(LOADING) == 1  # not for light steps
