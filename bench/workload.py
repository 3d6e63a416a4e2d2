"""A realistic mix of signed webhook events for one district's group and its contacts' 1:1 chats.

Shares (by event): group chatter 52%, group text with personal data 4% (answered with an unsend
request), 說明 9%, 資源 7%, 案件 3%, 求助 2% (a card pushed to the group), postbacks on
requests 10% (我來處理 / 需要更多資訊), stickers 5%, a member joining 1%, and 7% redeliveries of
an earlier event (same webhookEventId, isRedelivery=true), which must change nothing.
"""
from __future__ import annotations

import base64
import copy
import hashlib
import hmac
import json
import random
import secrets
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Iterator, Sequence

import requests
import yaml

from bench.loadgen import Request

REPO_ROOT = Path(__file__).resolve().parents[1]
DEMO_CONTACTS = REPO_ROOT / "data" / "roster" / "demo_contacts.yaml"
BOT_USER_ID = "U6a4b6f83d889efdaa7ea4a9400b7333e"
CROCKFORD = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
Labelled = tuple[str, dict[str, Any]]  # (kind of event, webhook event object)

CHATTER = (
    "收到，謝謝", "好的，我們這邊會再確認", "明天下午的聯繫會議改在三樓會議室", "本週六社區關懷活動需要志工支援，請各單位協助宣傳",
    "已轉知同仁", "請問下週的個案研討會議是幾點？", "分局這邊已派員前往了解", "衛生所會安排心衛社工訪視",
    "今天的資源盤點表已上傳，請大家看一下", "學校這週段考，輔導老師週五後比較有空", "👍", "辛苦了",
    "我們週三上午有空，可以一起去", "就服處下週二有徵才活動，歡迎轉介", "消防分隊明天做居家安全宣導",
)
PERSONAL = (
    "個案陳小明住中壢區新興路100號5樓，電話0933-111-222", "案母手機0911222333，請協助聯繫",
    "學生身分證A123456789，請家防中心評估",
)
REQUESTS = ("求助 @衛生局 長者獨居需要關懷訪視", "求助 緊急 @分局 @衛生局 新興路附近有長者情緒激動，需要協助",
            "求助 一般 @就服處 個案需要就業媒合資訊")


@dataclass(frozen=True)
class People:
    """The demo district's contacts, its bound group and the social worker who asks for help."""

    group_id: str
    members: tuple[str, ...]
    requester: str

    @classmethod
    def load(cls, path: Path = DEMO_CONTACTS) -> "People":
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        ids = tuple(c["line_id"] for c in data["contacts"] if c.get("role") != "admin")
        return cls(data["group_id"], ids, ids[0])


def event_id(rng: random.Random) -> str:
    """A ULID-shaped webhookEventId, as LINE sends."""
    value = (int(time.time() * 1000) << 80) | rng.getrandbits(80)
    return "".join(CROCKFORD[(value >> (5 * i)) & 31] for i in reversed(range(26)))


# Shares by kind of event, summing to 1. "everyday" is the module docstring's mix. "incident" is a district
# group during an incident, when many units react at once: about 1 event in 12 is a 求助, 1 in 20 a claim.
MIXES: dict[str, dict[str, float]] = {
    "everyday": {"group chatter": 0.52, "personal data in group": 0.04, "說明": 0.09, "資源": 0.07, "案件": 0.03,
                 "求助": 0.02, "postback": 0.10, "sticker": 0.05, "memberJoined": 0.01, "redelivery": 0.07},
    "incident": {"group chatter": 0.42, "personal data in group": 0.06, "說明": 0.06, "資源": 0.03, "案件": 0.08,
                 "求助": 0.083, "claim": 0.05, "postback": 0.06, "sticker": 0.037, "memberJoined": 0.01,
                 "redelivery": 0.10},
}


class Mix:
    """Draws events by the shares of one of MIXES; `incidents` are (id, number) of open requests."""

    def __init__(self, people: People, incidents: Sequence[tuple[int, str]], seed: int = 7,
                 mix: str = "everyday") -> None:
        self.people, self.rng = people, random.Random(seed)
        self.incidents = list(incidents) or [(1, "1150101-01")]
        self.sent: list[dict[str, Any]] = []
        makers: dict[str, Callable[[], dict[str, Any]]] = {
            "group chatter": self._chatter, "personal data in group": self._personal, "說明": self._help,
            "資源": self._resources, "案件": self._case, "求助": self._request, "claim": self._claim,
            "postback": self._postback, "sticker": self._sticker, "memberJoined": self._member_joined,
            "redelivery": self._redelivery,
        }
        self.kinds: list[tuple[float, str, Callable[[], dict[str, Any]]]] = [
            (share, label, makers[label]) for label, share in MIXES[mix].items()]

    def events(self, count: int) -> list[Labelled]:
        """`count` events with what kind each is, in the order they will be sent."""
        return [self.next() for _ in range(count)]

    def next(self) -> Labelled:
        roll, total = self.rng.random(), 0.0
        for share, label, make in self.kinds:
            total += share
            if roll < total:
                break
        event = make()
        if not event["deliveryContext"]["isRedelivery"]:
            self.sent.append(event)
        return label, event

    def _base(self, kind: str, user: str, in_group: bool, reply: bool = True) -> dict[str, Any]:
        source = {"type": "group", "groupId": self.people.group_id, "userId": user} if in_group \
            else {"type": "user", "userId": user}
        event = {"type": kind, "mode": "active", "timestamp": int(time.time() * 1000), "source": source,
                 "webhookEventId": event_id(self.rng), "deliveryContext": {"isRedelivery": False}}
        if reply:
            event["replyToken"] = secrets.token_hex(16)
        return event

    def _text(self, user: str, words: str, in_group: bool) -> dict[str, Any]:
        event = self._base("message", user, in_group)
        event["message"] = {"type": "text", "id": str(self.rng.getrandbits(60)), "text": words,
                            "quoteToken": secrets.token_urlsafe(24)}
        return event

    def _member(self) -> str:
        return self.rng.choice(self.people.members)

    def _chatter(self) -> dict[str, Any]:
        return self._text(self._member(), self.rng.choice(CHATTER), in_group=True)

    def _personal(self) -> dict[str, Any]:
        return self._text(self._member(), self.rng.choice(PERSONAL), in_group=True)

    def _help(self) -> dict[str, Any]:
        return self._text(self._member(), "說明", in_group=self.rng.random() < 0.3)

    def _resources(self) -> dict[str, Any]:
        return self._text(self._member(), "資源 中壢區", in_group=False)

    def _case(self) -> dict[str, Any]:
        return self._text(self._member(), f"案件 {self.rng.choice(self.incidents)[1]}", in_group=False)

    def _request(self) -> dict[str, Any]:
        return self._text(self.people.requester, self.rng.choice(REQUESTS), in_group=False)

    def _postback(self) -> dict[str, Any]:
        event = self._base("postback", self._member(), in_group=True)
        action = self.rng.choice(("inc_claim", "inc_info", "inc_info"))
        event["postback"] = {"data": f"action={action}&id={self.rng.choice(self.incidents)[0]}"}
        return event

    def _claim(self) -> dict[str, Any]:
        event = self._base("postback", self._member(), in_group=True)
        event["postback"] = {"data": f"action=inc_claim&id={self.rng.choice(self.incidents)[0]}"}
        return event

    def _sticker(self) -> dict[str, Any]:
        event = self._base("message", self._member(), in_group=True)
        event["message"] = {"type": "sticker", "id": str(self.rng.getrandbits(60)), "packageId": "446",
                            "stickerId": "1988", "stickerResourceType": "STATIC", "quoteToken": "q"}
        return event

    def _member_joined(self) -> dict[str, Any]:
        event = self._base("memberJoined", self._member(), in_group=True)
        del event["source"]["userId"]
        event["joined"] = {"members": [{"type": "user", "userId": self._member()}]}
        return event

    def _redelivery(self) -> dict[str, Any]:
        if not self.sent:
            return self._chatter()
        again = copy.deepcopy(self.rng.choice(self.sent[-500:]))
        again["deliveryContext"] = {"isRedelivery": True}
        return again


def sign(secret: str, body: bytes) -> str:
    return base64.b64encode(hmac.new(secret.encode(), body, hashlib.sha256).digest()).decode()


def signed(events: Sequence[Labelled], secret: str, batch: int = 1) -> list[Request]:
    """Webhook requests of `batch` events each, signed as LINE signs them, labelled by their first event."""
    out = []
    for start in range(0, len(events), batch):
        part = events[start:start + batch]
        body = json.dumps({"destination": BOT_USER_ID, "events": [event for _, event in part]},
                          ensure_ascii=False, separators=(",", ":")).encode()
        out.append(Request(body, (("Content-Type", "application/json; charset=utf-8"),
                                  ("X-Line-Signature", sign(secret, body))), part[0][0]))
    return out


def register_reply_tokens(emulator_url: str, events: Sequence[Labelled], chunk: int = 500) -> None:
    """Hand the events' reply tokens to the emulator, as LINE would have issued them.

    The emulator learns tokens from events it sends; its webhook URL points nowhere, so these
    raw sends only register tokens and the load generator delivers the events itself.
    """
    fresh = [e for _, e in events if e.get("replyToken") and not e["deliveryContext"]["isRedelivery"]]
    with requests.Session() as http:
        for part in _chunks(fresh, chunk):
            response = http.post(f"{emulator_url}/_emulator/send", timeout=60, json={
                "type": "raw", "body": {"destination": BOT_USER_ID, "events": part}})
            response.raise_for_status()


def _chunks(items: Sequence[Any], size: int) -> Iterator[list[Any]]:
    for start in range(0, len(items), size):
        yield list(items[start:start + size])
