"""Combinatorial rows for the privacy corpus: identifier formats and number-like clean text.

Hand-written sentences make up most of `privacy_corpus.jsonl`; this script adds the format
variants (separators, full-width digits, Chinese numerals, label before or after, line breaks)
that are tedious to write by hand. Deterministic: `python tests/data/privacy_corpus_gen.py`
prints the same JSON lines every time. Rows carry "source": "generated".
"""
from __future__ import annotations

import json
import random
import sys

_LETTERS = "ABCDEFGHJKLMNPQRSTUVXYWZIO"
_CODES = dict(zip(_LETTERS, range(10, 36)))
_ZH = "零一二三四五六七八九"
_FULL = str.maketrans("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ", "０１２３４５６７８９ＡＢＣＤＥＦＧＨＩＪＫＬＭＮＯＰＱＲＳＴＵＶＷＸＹＺ")


def national_id(rng: random.Random, second: str = "12", valid: bool = True) -> str:
    """A national ID (second digit 1/2) or new resident number (8/9) with a right or wrong checksum."""
    head = rng.choice(_LETTERS[:22])
    body = [int(rng.choice(second))] + [rng.randrange(10) for _ in range(7)]
    code = _CODES[head]
    total = code // 10 + (code % 10) * 9 + sum(d * w for d, w in zip(body, range(8, 0, -1)))
    check = (10 - total % 10) % 10
    if not valid:
        check = (check + rng.randrange(1, 10)) % 10
    return head + "".join(map(str, body)) + str(check)


def spaced(value: str, rng: random.Random) -> str:
    """The value as people type it: grouped by spaces or dashes, full-width, or split by a line break."""
    style = rng.randrange(6)
    if style == 0:
        return value
    if style == 1:
        return " ".join(value[i:i + 3] for i in range(0, len(value), 3))
    if style == 2:
        return value.translate(_FULL)
    if style == 3:
        cut = rng.randrange(3, len(value) - 2)
        return value[:cut] + "\n" + value[cut:]
    if style == 4:
        return "-".join(value[i:i + 4] for i in range(0, len(value), 4))
    return " ".join(value)


def mobile(rng: random.Random) -> str:
    """A mobile number written one of the ways people write it."""
    digits = "09" + "".join(str(rng.randrange(10)) for _ in range(8))
    style = rng.randrange(8)
    if style == 0:
        return f"{digits[:4]}-{digits[4:7]}-{digits[7:]}"
    if style == 1:
        return f"+886 {digits[1:4]} {digits[4:7]} {digits[7:]}"
    if style == 2:
        return "".join(_ZH[int(d)] for d in digits)
    if style == 3:
        return " ".join(digits)
    if style == 4:
        return f"886{digits[1:]}"
    if style == 5:
        return f"{digits[:4]}\n{digits[4:]}"
    if style == 6:
        return digits.translate(_FULL)
    return f"{digits[:4]}.{digits[4:7]}.{digits[7:]}"


_ID_FRAMES = ["身分證{v}", "身分證字號：{v}", "ID {v}", "身份證號碼 {v} 請查", "{v}（身分證）", "個案 {v} 有無通報紀錄",
              "民眾給的證號 {v}", "身分証:{v}", "請協助查 {v}", "這是她的身分證嗎 {v}"]
_RID_FRAMES = ["居留證 {v}", "統一證號：{v}", "移工 {v} 失聯", "ARC {v}", "居留證號碼{v}", "{v} 是她的居留證"]
_PHONE_FRAMES = ["手機 {v}", "電話：{v}", "他的電話 {v}", "{v} 是案母", "請回電 {v}", "打這支 {v}",
                 "緊急聯絡人 {v}", "聯絡方式 {v} 晚上打", "家屬電話{v}", "號碼 {v} 麻煩聯繫"]
_MAIL_FRAMES = ["信箱 {v}", "email：{v}", "寄到 {v}", "{v} 是她的信箱", "mail {v}", "家長信箱 {v} 謝謝"]
_PASS_FRAMES = ["護照號碼 {v}", "護照：{v}", "passport {v}", "她的護照 {v} 被扣", "{v} 是護照號碼"]
_CLEAN_FRAMES = ["請撥 {v}", "{v} 專線", "會議 {v}", "文號 {v}", "列管 {v}", "統計 {v}", "時間 {v}", "{v} 請查照"]
_USERS = ["meimei", "ahong", "lily.chen", "kevin_wu", "tsai.yh", "jenny88", "momo0303", "xiaoyu", "hsu-family", "ruby.h"]
_DOMAINS = ["gmail.com", "yahoo.com.tw", "hotmail.com", "outlook.com", "ms45.hinet.net"]


def email(rng: random.Random) -> str:
    """An e-mail address, plain or obfuscated."""
    user = rng.choice(_USERS) + str(rng.randrange(100))
    domain = rng.choice(_DOMAINS)
    name, _, tld = domain.partition(".")
    style = rng.randrange(5)
    if style == 0:
        return f"{user}@{domain}"
    if style == 1:
        return f"{user}(at){domain}"
    if style == 2:
        return f"{user} @ {name} . {tld}"
    if style == 3:
        return f"{user}[at]{name}[dot]{tld}"
    return f"{user}\n@{domain}"


def clean_number(rng: random.Random) -> str:
    """A number-like operational string that is not personal data."""
    roc = rng.randrange(108, 116)
    month, day = rng.randrange(1, 13), rng.randrange(1, 29)
    choices = [
        f"{roc}{month:02d}{day:02d}-{rng.randrange(1, 9)}",
        f"府社工字第{roc}{rng.randrange(1000000, 9999999)}號",
        f"{roc}年{month}月{day}日 {rng.randrange(8, 18)}:{rng.choice(['00', '30'])}",
        f"{roc}/{month}/{day} {rng.randrange(8, 12)}:00-{rng.randrange(13, 18)}:00",
        rng.choice(["113", "1925", "1995", "1980", "110", "119", "0800-770-885", "0800-788-995", "1957", "1966"]),
        f"{rng.randrange(1, 99)}.{rng.randrange(10)}%",
        f"{rng.randrange(1, 9)},{rng.randrange(100, 999)} 人",
        f"{roc}年出生的新生兒 {rng.randrange(500, 3000)} 人",
        f"表{rng.choice('ABC')}-{rng.randrange(1, 20):02d}",
    ]
    return rng.choice(choices)


def rows(seed: int = 12) -> list[dict[str, object]]:
    """Every generated row."""
    rng = random.Random(seed)
    out: list[dict[str, object]] = []

    def add(frame: str, value: str, kinds: list[str]) -> None:
        out.append({"text": frame.format(v=value), "kinds": kinds, "source": "generated"})

    for i in range(40):
        add(_ID_FRAMES[i % len(_ID_FRAMES)], spaced(national_id(rng, valid=i % 3 != 0), rng), ["national_id"])
    for i in range(18):
        add(_RID_FRAMES[i % len(_RID_FRAMES)], spaced(national_id(rng, "89", valid=i % 2 == 0), rng), ["resident_id"])
    for i in range(45):
        add(_PHONE_FRAMES[i % len(_PHONE_FRAMES)], mobile(rng), ["phone"])
    for i in range(25):
        add(_MAIL_FRAMES[i % len(_MAIL_FRAMES)], email(rng), ["email"])
    for i in range(15):
        value = rng.choice(["3", "C", "B", "E", "P"]) + "".join(str(rng.randrange(10)) for _ in range(7 + i % 2))
        add(_PASS_FRAMES[i % len(_PASS_FRAMES)], value, ["passport"])
    for i in range(50):
        add(_CLEAN_FRAMES[i % len(_CLEAN_FRAMES)], clean_number(rng), [])
    return out


def main() -> int:
    """Print the rows as JSON lines."""
    for row in rows():
        sys.stdout.write(json.dumps(row, ensure_ascii=False) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
