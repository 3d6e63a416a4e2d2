"""Pure rules of 求助: reading a one-line request, who may claim or close, units named in plain text."""
from __future__ import annotations

import pytest

from rules.incidents import MAX_BODY, Parties, Refusal, Urgency, claim_refusal, close_refusal, length_problem, parse_request, units_named

REQUESTER, HEALTH, POLICE, FIRE = 1, 2, 3, 4


def parties(status: str = "open", asked: tuple[int, ...] = (), claimed: int | None = None) -> Parties:
    return Parties(status=status, requester_unit_id=REQUESTER, asked_unit_ids=frozenset(asked), claimed_unit_id=claimed)


@pytest.mark.parametrize("said, urgency, category", [
    ("緊急 @衛生局 需要協助", Urgency.URGENT, "其他"),
    ("一般 就業 失業個案需要媒合", Urgency.NORMAL, "就業"),
    ("急 疑似家暴需要協助", Urgency.URGENT, "家暴"),
    ("個案情緒不穩", Urgency.URGENT, "自殺/精神"),  # unstated urgency is 緊急: the group is for emergencies
])
def test_a_one_line_request_is_read_with_one_urgency_enum(said, urgency, category):
    draft = parse_request(said)
    assert (draft.urgency, draft.category) == (urgency, category)
    assert isinstance(draft.urgency, Urgency)


@pytest.mark.parametrize("who, request_, expected", [
    (HEALTH, parties(asked=(HEALTH,)), None),
    (POLICE, parties(asked=(HEALTH,)), Refusal.NOT_ASKED),
    (REQUESTER, parties(), Refusal.OWN_REQUEST),        # everyone but the requester
    (REQUESTER, parties(asked=(REQUESTER, HEALTH)), Refusal.OWN_REQUEST),
    (FIRE, parties(), None),
    (HEALTH, parties(status="claimed", claimed=HEALTH), Refusal.ALREADY_YOURS),
    (POLICE, parties(status="claimed", claimed=HEALTH), Refusal.CLAIMED),
    (HEALTH, parties(status="closed", asked=(HEALTH,)), Refusal.CLOSED),
])
def test_who_may_claim(who, request_, expected):
    assert claim_refusal(request_, who) == expected


@pytest.mark.parametrize("who, manages, request_, expected", [
    (REQUESTER, False, parties(), None),
    (HEALTH, False, parties(status="claimed", claimed=HEALTH), None),
    (POLICE, False, parties(status="claimed", claimed=HEALTH), Refusal.NOT_INVOLVED),
    (POLICE, True, parties(), None),                     # the secretariat
    (REQUESTER, False, parties(status="closed"), Refusal.CLOSED),
])
def test_who_may_close(who, manages, request_, expected):
    assert close_refusal(request_, who, manages) == expected


NAMES = {HEALTH: ("桃園市政府衛生局", "衛生局", "心衛中心"), POLICE: ("中壢分局", "分局", "警察"), 5: ("衛生所",)}


@pytest.mark.parametrize("body, expected", [
    ("請衛生局協助評估", [HEALTH]),
    ("請警察與心衛中心一起訪視", [POLICE, HEALTH]),  # in the order written
    ("中壢分局與衛生所", [POLICE, 5]),
    ("長者獨居需要關懷", []),
])
def test_units_written_in_plain_text(body, expected):
    assert units_named(body, NAMES) == expected


def test_a_request_longer_than_the_cap_gets_a_polite_reason():
    assert length_problem("長" * MAX_BODY) is None
    reason = length_problem("長" * (MAX_BODY + 1))
    assert reason and f"{MAX_BODY} 字以內" in reason and "回報" in reason
