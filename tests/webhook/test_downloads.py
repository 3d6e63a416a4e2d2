"""Every download (form export, activity schedule and feed, meeting review) fetched from a real gunicorn.

The links come from chat, as a secretariat member gets them; the files come from the bot served by gunicorn,
which refuses a header it cannot encode in Latin-1 (a Chinese file name once answered HTTP 500 there while
Flask's test client passed).
"""
from __future__ import annotations

import csv
import io
from urllib.parse import unquote, urlsplit

import openpyxl
import requests
from icalendar import Calendar
from werkzeug.http import parse_options_header

from bot.downloads import ascii_fallback, content_disposition
from tests import demo
from tests.webhook.test_forms import bind_group, broadcast, create_from_template, last_text
from tests.webhook.test_meetings_items import at, held_meeting_with_items, last


def fetch(base: str, link: str) -> requests.Response:
    """GET a link the bot gave, from the gunicorn-served bot instead of PUBLIC_BASE_URL."""
    parts = urlsplit(link)
    return requests.get(f"{base}{parts.path}" + (f"?{parts.query}" if parts.query else ""), timeout=10)


def saved_name(response: requests.Response) -> str:
    """The file name a browser saves: filename* (RFC 5987) when given, else filename."""
    value = response.headers["Content-Disposition"]
    assert value.isascii()
    for part in value.split(";"):
        key, _, raw = part.strip().partition("=")
        if key == "filename*":
            charset, _, encoded = raw.partition("''")
            assert charset == "UTF-8"
            return unquote(encoded)
    return value.split('filename="')[1].split('"')[0]


def test_form_exports_download_with_their_chinese_names(emulator, app, gunicorn_url):
    bind_group(emulator)
    form_id = create_from_template(app)
    broadcast(app, form_id)
    emulator.text(demo.SECRETARIAT, f"表單 匯出 {form_id}")
    xlsx_link, csv_link = (a["uri"] for a in emulator.messages(to=demo.SECRETARIAT)[-1]["template"]["actions"][:2])

    xlsx = fetch(gunicorn_url, xlsx_link)
    assert xlsx.status_code == 200, xlsx.text
    assert saved_name(xlsx).startswith(f"表單{form_id}_") and saved_name(xlsx).endswith(".xlsx")
    assert f'filename="form{form_id}.xlsx"' in xlsx.headers["Content-Disposition"]
    assert xlsx.headers["Cache-Control"] == "no-store"
    assert "回覆" in openpyxl.load_workbook(io.BytesIO(xlsx.content)).sheetnames

    table = fetch(gunicorn_url, csv_link)
    assert table.status_code == 200 and saved_name(table).endswith(".csv")
    rows = list(csv.reader(io.StringIO(table.content.decode("utf-8-sig"))))
    assert rows[0][0] == "單位" and any(r[0] == "中壢家庭服務中心" for r in rows)


def test_schedule_and_feed_download_from_the_links_in_chat(emulator, gunicorn_url):
    emulator.text(demo.SECRETARIAT, "綁定 中壢區", group_id=demo.GROUP)
    emulator.text(demo.POLICE, "活動 115/12/10 14:00-16:00 中壢區公所3樓 家暴防治宣導講座", group_id=demo.GROUP)
    emulator.text(demo.POLICE, "活動連結")
    links = [w for w in last_text(emulator, demo.POLICE).split() if w.startswith("http")]
    feed = next(u for u in links if u.endswith(".ics"))
    month = next(u for u in links if "/month" in u)
    sheet_link = month.replace("/month", "/schedule.xlsx").split("?")[0] + "?m=2026-12"

    sheet = fetch(gunicorn_url, sheet_link)
    assert sheet.status_code == 200, sheet.text
    assert saved_name(sheet) == "中壢區活動期程_1151201-1151231.xlsx"
    assert 'filename="schedule.xlsx"' in sheet.headers["Content-Disposition"]
    openpyxl.load_workbook(io.BytesIO(sheet.content))

    ics = fetch(gunicorn_url, feed)
    assert ics.status_code == 200 and ics.headers["Content-Disposition"].startswith("inline;")
    assert saved_name(ics) == "中壢區活動期程.ics"
    Calendar.from_ical(ics.content)


def test_meeting_review_downloads_under_gunicorn(emulator, clock, gunicorn_url):
    held_meeting_with_items(emulator, clock)
    emulator.text(demo.SECRETARIAT, "會議 區級聯繫會議 115/12/15 14:00 本所3樓簡報室", group_id=demo.GROUP)
    clock.set(at(2026, 12, 14, 9, 0))
    emulator.text(demo.SECRETARIAT, "紀錄附表 2")
    link = next(w for w in last(emulator, demo.SECRETARIAT).split() if w.startswith("http"))

    review = fetch(gunicorn_url, link)
    assert review.status_code == 200, review.text
    assert saved_name(review) == "前次會議待辦事項辦理情形_1151215.xlsx"
    rows = [[c.value for c in row] for row in openpyxl.load_workbook(io.BytesIO(review.content)).active.iter_rows()]
    assert rows[2][0] == "1151126-1"


def test_content_disposition_keeps_ascii_names_plain_and_encodes_the_rest() -> None:
    assert content_disposition("schedule.xlsx") == 'attachment; filename="schedule.xlsx"'
    value = content_disposition("表單1_三階段.csv", "form1.csv")
    assert value.isascii() and value.startswith('attachment; filename="form1.csv"; ')
    assert parse_options_header(value) == ("attachment", {"filename": "表單1_三階段.csv"})  # filename* wins
    assert content_disposition('a"b;c.ics', inline=True).startswith('inline; filename="a_b_c.ics"')
    assert ascii_fallback("前次會議.xlsx") == "download.xlsx"
