"""Bad signatures, missing headers, oversized, truncated and malformed bodies, wrong content types.

Each request goes over a real socket to the served bot and must get a clean 4xx, leave every
table as it was, and make no call to LINE.
"""
from __future__ import annotations

import socket
from urllib.parse import urlsplit

import pytest
import requests

from models.inbox import ProcessedEvent
from tests import demo
from tests.resilience.webhooks import encode, post, row_counts, sign, text_event

# 註冊 from someone new changes something (a registration starts), so accepting it leaves a row and a reply.
GOOD = encode([text_event(demo.NEWCOMER, "註冊", "01HOSTILE00000000000000001")])
OTHER_NEWCOMER = "U000000000000000000000000000beef"
TWO_MIB = 2 * 1024 * 1024


def nested(depth: int) -> bytes:
    """A signed-looking body whose one event is an array nested `depth` deep."""
    return b'{"destination":"U' + b"0" * 32 + b'","events":[' + b"[" * depth + b"]" * depth + b"]}"


# (case, body, signature, content type); signature "sign" means a correct one for the body as sent.
SIGNATURE_CASES = [
    ("signed with another channel's secret", GOOD, sign(GOOD, "another-secret"), "application/json"),
    ("signature of a different body", GOOD, sign(GOOD + b" "), "application/json"),
    ("no X-Line-Signature header", GOOD, None, "application/json"),
    ("empty signature", GOOD, "", "application/json"),
    ("signature that is not base64", GOOD, "%%%not-base64%%%", "application/json"),
    ("body cut short after signing", GOOD[: len(GOOD) // 2], sign(GOOD), "application/json"),
]
BODY_CASES = [
    ("truncated JSON, signed as sent", GOOD[: len(GOOD) // 2]),
    ("empty body", b""),
    ("JSON array instead of an object", b"[]"),
    ("events is null", b'{"destination":"U' + b"0" * 32 + b'","events":null}'),
    ("events missing", b'{"destination":"U' + b"0" * 32 + b'"}'),
    ("event that is a number", encode([42])),
    ("event without a type", encode([{"mode": "active"}])),
    ("not UTF-8", b'{"destination":"\xff\xfe","events":[]}'),
    ("NUL bytes", b"\x00" * 64),
]


def assert_nothing_happened(services, emulator, before: dict[str, int]) -> None:
    assert row_counts(services) == before
    assert emulator.api_requests() == []


@pytest.mark.parametrize("case,body,signature,content_type", SIGNATURE_CASES, ids=[c[0] for c in SIGNATURE_CASES])
def test_bad_signatures_are_refused(bot_url, services, emulator, case, body, signature, content_type):
    before = row_counts(services)
    response = post(bot_url, body, signature, content_type)
    assert response.status_code == 400, case
    assert_nothing_happened(services, emulator, before)


@pytest.mark.parametrize("case,body", BODY_CASES, ids=[c[0] for c in BODY_CASES])
def test_malformed_bodies_with_valid_signatures_are_400(bot_url, services, emulator, case, body):
    before = row_counts(services)
    assert post(bot_url, body).status_code == 400, case
    assert_nothing_happened(services, emulator, before)


def test_oversized_body_is_413_and_not_read(bot_url, services, emulator):
    before = row_counts(services)
    body = b'{"destination":"U' + b"0" * 32 + b'","events":[],"pad":"' + b"x" * TWO_MIB + b'"}'
    assert post(bot_url, body).status_code == 413
    assert_nothing_happened(services, emulator, before)


def test_deeply_nested_json_is_a_clean_4xx(bot_url, services, emulator):
    before = row_counts(services)
    status = post(bot_url, nested(50_000)).status_code
    assert 400 <= status < 500, status
    assert_nothing_happened(services, emulator, before)


WRONG_TYPES = ["text/plain", "application/x-www-form-urlencoded", "multipart/form-data; boundary=x", None]


@pytest.mark.parametrize("content_type", WRONG_TYPES, ids=lambda t: str(t))
def test_wrong_content_type_is_refused(bot_url, services, emulator, content_type):
    before = row_counts(services)
    status = post(bot_url, GOOD, content_type=content_type).status_code
    assert 400 <= status < 500, status
    assert_nothing_happened(services, emulator, before)


def test_body_shorter_than_its_content_length_is_400(bot_url, services, emulator):
    """The connection drops mid-body: the bot must not wait forever nor act on half a body."""
    before = row_counts(services)
    head = (f"POST /callback HTTP/1.1\r\nHost: bot\r\nContent-Type: application/json\r\n"
            f"X-Line-Signature: {sign(GOOD)}\r\nContent-Length: {len(GOOD)}\r\nConnection: close\r\n\r\n").encode()
    address = urlsplit(bot_url)
    with socket.create_connection((address.hostname, address.port), timeout=10) as sock:
        sock.sendall(head + GOOD[: len(GOOD) // 2])
        sock.shutdown(socket.SHUT_WR)  # the rest never comes
        status_line = sock.makefile("rb").readline().decode()
    assert status_line.split()[1].startswith("4"), status_line
    assert_nothing_happened(services, emulator, before)


@pytest.mark.parametrize("method", ["GET", "PUT", "DELETE"])
def test_other_methods_are_405(bot_url, services, emulator, method):
    before = row_counts(services)
    response = requests.request(method, f"{bot_url}/callback", data=GOOD, timeout=10,
                                headers={"X-Line-Signature": sign(GOOD), "Content-Type": "application/json"})
    assert response.status_code == 405
    assert_nothing_happened(services, emulator, before)


def test_valid_request_still_works_after_the_hostile_ones(bot_url, services, emulator):
    """The control case: the same body, correctly signed, is processed (so the refusals above mean something)."""
    before = row_counts(services)
    assert post(bot_url, GOOD).status_code == 200
    assert row_counts(services)["processed_events"] == before["processed_events"] + 1


UNSTORABLE = {  # values webhook.yml allows but PostgreSQL cannot store as the bot stores them
    "webhookEventId longer than its column": {"webhookEventId": "01" + "X" * 98},
    "NUL in webhookEventId": {"webhookEventId": "01UNSTORABLE\x00000000000000"},
    "NUL in an unknown event type": {"type": "future\x00Event", "webhookEventId": "01UNSTORABLE00000000000003"},
}


@pytest.mark.parametrize("name", UNSTORABLE)
def test_unstorable_values_are_not_mistaken_for_an_outage(bot_url, services, name):
    """A DataError is not the database going away: a 503 would make LINE redeliver the batch forever,
    and the good event after the bad one would never be processed."""
    bad = {**text_event(demo.NEWCOMER, "註冊", "01UNSTORABLE00000000000000"), **UNSTORABLE[name]}
    good = text_event(OTHER_NEWCOMER, "註冊", "01UNSTORABLE000000000000GD")
    status = post(bot_url, encode([bad, good])).status_code
    assert status < 500, status
    with services.db.transaction() as session:
        assert session.get(ProcessedEvent, good["webhookEventId"]) is not None
