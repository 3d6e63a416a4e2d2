"""Tests for the personal-data screen (rules.privacy)."""
from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from rules.privacy.identifiers import id_checksum_ok
from rules.privacy import (
    DEFAULT_PUBLIC,
    KIND_LABELS,
    Finding,
    Kind,
    PublicDirectory,
    kinds_found,
    masked,
    normalize,
    screen,
)

CORPUS = Path(__file__).resolve().parents[1] / "data" / "privacy_corpus.jsonl"


def kinds(text: str, public: PublicDirectory | None = None) -> set[Kind]:
    """Kinds the screen finds in `text`."""
    return set(kinds_found(screen(text, public)))


# --------------------------------------------------------------------------- API shape

def test_kind_values_and_labels() -> None:
    assert [k.value for k in Kind] == [
        "national_id", "resident_id", "passport", "nhi_card", "bank_account", "plate", "email",
        "phone", "address", "birth_date", "name", "line_id", "medical_record", "student", "sensitive_context",
    ]
    assert KIND_LABELS == {
        Kind.NATIONAL_ID: "身分證字號", Kind.RESIDENT_ID: "居留證號", Kind.PASSPORT: "護照號碼",
        Kind.NHI_CARD: "健保卡號", Kind.BANK_ACCOUNT: "銀行帳號", Kind.PLATE: "車牌號碼",
        Kind.EMAIL: "電子郵件", Kind.PHONE: "電話號碼", Kind.ADDRESS: "門牌地址",
        Kind.BIRTH_DATE: "出生日期", Kind.NAME: "姓名", Kind.LINE_ID: "LINE ID", Kind.MEDICAL_RECORD: "病歷號碼",
        Kind.STUDENT: "學校班級座號", Kind.SENSITIVE_CONTEXT: "可識別個人的敏感資訊",
    }


def test_finding_is_frozen() -> None:
    finding = screen("案主手機0912345678")[0]
    assert isinstance(finding, Finding)
    with pytest.raises(AttributeError):
        finding.start = 0  # type: ignore[misc]


def test_empty_and_plain_text() -> None:
    assert screen("") == []
    assert screen("收到，謝謝！") == []


def test_kinds_found_is_ordered_unique() -> None:
    text = "手機0912345678，案主王小明，另一支0922333444"
    assert kinds_found(screen(text)) == [Kind.PHONE, Kind.NAME]


def test_normalize_keeps_length_and_folds_width() -> None:
    text = "Ａ１２３－４５６　＠（０３）㈱"
    out = normalize(text)
    assert len(out) == len(text)
    assert out.startswith("A123-456 @(03)")
    assert out[-1] == "㈱"  # folds to three characters, so it is kept as is


# --------------------------------------------------------------------------- checksums

@pytest.mark.parametrize("value", ["A123456789", "F131104093", "B223456782", "A800000014", "AC01234567"])
def test_checksum_valid(value: str) -> None:
    assert id_checksum_ok(value)


@pytest.mark.parametrize("value", ["A123456788", "F131104094", "A80000001", "1234567890", "AC0123456X"])
def test_checksum_invalid(value: str) -> None:
    assert not id_checksum_ok(value)


# --------------------------------------------------------------------------- positives per kind

POSITIVES: list[tuple[str, Kind]] = [
    # national ID: bare (checksum-valid) and labelled (shape only)
    ("A123456789", Kind.NATIONAL_ID),
    ("個案 a123456789 請查", Kind.NATIONAL_ID),
    ("身分證：Ａ１２３４５６７８９", Kind.NATIONAL_ID),
    ("請查 A 123 456 789", Kind.NATIONAL_ID),
    ("身分證字號 A123456788", Kind.NATIONAL_ID),
    ("身份證A1234-56788", Kind.NATIONAL_ID),
    ("ID: B223456782", Kind.NATIONAL_ID),
    # resident certificates
    ("居留證號 A800000014", Kind.RESIDENT_ID),
    ("統一證號：a900000016", Kind.RESIDENT_ID),
    ("移工 AC01234567 失聯", Kind.RESIDENT_ID),
    ("居留證 FD12345678", Kind.RESIDENT_ID),
    # passport, NHI card, bank account
    ("護照號碼 312345678", Kind.PASSPORT),
    ("護照：E12345678", Kind.PASSPORT),
    ("護照No.398765432", Kind.PASSPORT),
    ("健保卡號 0000 1234 5678", Kind.NHI_CARD),
    ("健保卡：000012345678", Kind.NHI_CARD),
    ("郵局帳號 0001234-0567890", Kind.BANK_ACCOUNT),
    ("帳號：(812) 12345678901234", Kind.BANK_ACCOUNT),
    ("匯款到 700-0012345-0678901", Kind.BANK_ACCOUNT),
    ("銀行帳戶1234567890", Kind.BANK_ACCOUNT),
    # plates
    ("車牌ABC-1234", Kind.PLATE),
    ("白色轎車 1234-AB", Kind.PLATE),
    ("目擊車號 AB-1234", Kind.PLATE),
    ("車號 RAK 5520", Kind.PLATE),
    ("機車 mab-123", Kind.PLATE),
    # e-mail
    ("信箱 wang.xm@gmail.com", Kind.EMAIL),
    ("ｔｅｓｔ＠ｇｍａｉｌ．ｃｏｍ", Kind.EMAIL),
    ("寄到 Amy_Lin+case@yahoo.com.tw 謝謝", Kind.EMAIL),
    # phones
    ("0912345678", Kind.PHONE),
    ("手機 0912-345-678", Kind.PHONE),
    ("0912 345 678", Kind.PHONE),
    ("0912-345678", Kind.PHONE),
    ("０９１２－３４５－６７８", Kind.PHONE),
    ("+886 912 345 678", Kind.PHONE),
    ("+886-912-345-678", Kind.PHONE),
    ("886-9-1234-5678", Kind.PHONE),
    ("(03)4567890", Kind.PHONE),
    ("03-456-7890", Kind.PHONE),
    ("02 2345 6789", Kind.PHONE),
    ("家裡電話 4567890", Kind.PHONE),
    ("0988.765.432", Kind.PHONE),
    # addresses
    ("住中壢區中山路100巷5號3樓", Kind.ADDRESS),
    ("民族路三段12巷5弄7號4樓之2", Kind.ADDRESS),
    ("新屋區永安里5鄰中山東路12號", Kind.ADDRESS),
    ("觀音區大潭村8鄰15號", Kind.ADDRESS),
    ("蘆竹區南崁路一段十二號", Kind.ADDRESS),
    ("中山路三段十二號", Kind.ADDRESS),
    ("國強三街 123 號 5 樓", Kind.ADDRESS),
    ("八德區大仁街23號", Kind.ADDRESS),
    ("中壢區中山路277號2樓", Kind.ADDRESS),  # same road and number as a centre, other district
    # birth dates
    ("民國85年3月2日生", Kind.BIRTH_DATE),
    ("85.03.02生", Kind.BIRTH_DATE),
    ("出生：1996/3/2", Kind.BIRTH_DATE),
    ("生日 0302", Kind.BIRTH_DATE),
    ("生日：3月2日", Kind.BIRTH_DATE),
    ("DOB: 1988-07-15", Kind.BIRTH_DATE),
    ("長者民國二十八年生", Kind.BIRTH_DATE),
    ("1996年生，男性", Kind.BIRTH_DATE),
    ("出生日期：民國90年12月25日", Kind.BIRTH_DATE),
    # names: role word before, title after, label, sex/age, bare between clear edges
    ("案主王小明今天沒到校", Kind.NAME),
    ("個案：陳美玲", Kind.NAME),
    ("相對人 黃俊傑 有前科", Kind.NAME),
    ("案母林淑芬已同意", Kind.NAME),
    ("被害人李小花", Kind.NAME),
    ("疑似張志豪遭霸凌", Kind.NAME),
    ("請聯繫陳大明先生", Kind.NAME),
    ("王美玉阿姨今天沒來", Kind.NAME),
    ("陳大明老師通報", Kind.NAME),
    ("李小華同學", Kind.NAME),
    ("姓名：林志豪", Kind.NAME),
    ("名字：邱筱涵", Kind.NAME),
    ("周柏翰（男，15歲）", Kind.NAME),
    ("范姜志明先生", Kind.NAME),
    ("案主歐陽美雪", Kind.NAME),
    ("獨居長者陳阿土", Kind.NAME),
    ("案主林芬表示不願意", Kind.NAME),
    ("外配阮氏芳", Kind.NAME),
    ("請問徐佩君是不是你們的個案", Kind.NAME),
    ("王大明的媽媽打來", Kind.NAME),
    ("李來福先生", Kind.NAME),
    ("緊急聯絡人：王小明", Kind.NAME),
    ("案發地點：中壢區中正路100號", Kind.ADDRESS),
    ("請聯絡阮氏玲，謝謝", Kind.NAME),
    # a home number with an extension, and a number named after the family
    ("市話：03-4567890分機123（案主家）", Kind.PHONE),
    ("03-4567890 是案祖母家", Kind.PHONE),
]


@pytest.mark.parametrize(("text", "kind"), POSITIVES)
def test_positive(text: str, kind: Kind) -> None:
    assert kind in kinds(text)


# --------------------------------------------------------------------------- negatives

NEGATIVES: list[str] = [
    # masked names and surname-only references
    "賴O燕", "王○明", "陳OO", "林Ｏ華", "張〇〇", "李XX", "案主王○明今天有到", "相對人林某", "王姓男子",
    "王先生表示會配合", "陳小姐來電", "陳老師說", "黃同學的導師",
    # officials by role
    "李副區長", "陳督導", "吳社工", "請找許督導", "謝謝王督導", "主任高先生", "記錄：吳佳玲",
    # words starting with a surname character
    "高風險家庭", "林口", "王道", "方便的話", "周末值班", "個案曾經自殺", "住戶陳情噪音",
    "疑似高風險", "學生高中畢業", "照顧家庭的壓力", "親戚家中", "楊梅家庭服務中心",
    # roads and areas without a house number
    "新興路附近", "中正路與環北路口", "國豐三街 123 號 5 樓", "民權路二段", "中路一號社宅", "捷運1號出口",
    # meeting dates and times
    "108年3月21日(星期四)14時00分", "115/12/5 14:00", "1151205", "108.3.21", "下午2時",
    "生日會在本月25日", "113年生育補助", "出生率12.5%",
    # case numbers, document numbers, statistics
    "1080129-1", "1151122-03", "府社工字第1120012345號", "桃社家字第1120001234號",
    "府社工字第0980012345號", "共計35案", "12.5%", "9,531案",
    # hotlines and service numbers
    "110", "113", "119", "1925", "1995", "1980", "165", "0800-788-995", "0800770885",
    # units
    "中壢分局", "中壢家庭服務中心", "桃園市政府社會局", "少年警察隊",
    # office lines: after a unit name, fax, or extension
    "中壢分局電話 03-4222222", "公所傳真(03)422-0127", "衛生所 03-4567123 分機 12",
    "有問題請打 03-4221234 找社會課", "03-4221234（中壢區公所）", "本所地址：中壢區中正路二段10號",
    # office hours are not phone numbers
    "聯絡時間 0900-1200", "電話 0830-1730",
    # plate-shaped codes
    "ISO-9001", "meet.google.com/abc-defg-hij", "Q1-2025", "peps/pep-0263.html", "106-key", "sdg-2030",
    # pseudonyms, unit contacts, event venues
    "王小明（化名）", "聯絡人：李衍昌", "家防官 李衍昌", "活動地點：中壢區中正路100號", "中山路100號（中壢分局）",
]


@pytest.mark.parametrize("text", NEGATIVES)
def test_negative(text: str) -> None:
    assert screen(text) == [], [(f.kind, text[f.start:f.end]) for f in screen(text)]


def test_unlabelled_id_counts_even_with_a_failing_checksum() -> None:
    # A typo in someone's ID is still someone's ID: the checksum never clears a message.
    assert kinds("A123456788") == {Kind.NATIONAL_ID}
    assert kinds("身分證 A123456788") == {Kind.NATIONAL_ID}
    assert kinds("IDa123456789") == {Kind.NATIONAL_ID}


# --------------------------------------------------------------------------- public directory

SEED_CENTRES = [
    "中壢家庭服務中心電話(03)422-0126，中壢區元化路159號1樓",
    "龍潭家庭服務中心 03-479-0231，干城路19巷30號",
    "平鎮家庭服務中心 桃園區國豐三街 123 號 5 樓",
    "復興區羅浮68之6號，(03)382-1110",
    "社會局 (03)337-5900 縣府路1號4樓",
]


@pytest.mark.parametrize("text", SEED_CENTRES)
def test_seed_agency_details_are_public(text: str) -> None:
    assert screen(text) == []


def test_public_directory_suppresses_phone_and_address() -> None:
    text = "請聯絡 (03)455-1234，地址 中壢區延平路607號"
    assert kinds(text) == {Kind.PHONE, Kind.ADDRESS}
    directory = PublicDirectory(phones=frozenset({"034551234"}), addresses=frozenset({"中壢區延平路607號"}))
    assert screen(text, directory) == []


def test_public_directory_accepts_formatted_numbers_and_local_form() -> None:
    directory = PublicDirectory(phones=frozenset({"(03) 455-1234"}))
    assert screen("電話 03-4551234", directory) == []
    assert screen("電話 4551234", directory) == []
    assert kinds("電話 03-4551235", directory) == {Kind.PHONE}


def test_public_directory_does_not_hide_personal_data() -> None:
    directory = PublicDirectory(phones=frozenset({"034551234"}))
    assert kinds("案主手機0912345678", directory) == {Kind.PHONE}


def test_seed_numbers_stay_public_with_a_caller_directory() -> None:
    directory = PublicDirectory(phones=frozenset({"034551234"}))
    assert "034220126" in DEFAULT_PUBLIC.phones
    assert screen("請撥 (03)422-0126", directory) == []
    assert screen("請撥 (03)422-0126") == []


# --------------------------------------------------------------------------- spans and masking

MIXED = (
    "急！案主王大明（身分證Ａ１２３４５６７８９）手機０９１２－３４５－６７８，"
    "住中壢區中山路100巷5號3樓，民國85年3月2日生，信箱 dm.wang@gmail.com，車牌ABC-1234，"
    "郵局帳號 0001234-0567890，健保卡號 0000 1234 5678，護照號碼 312345678"
)


def test_spans_point_at_original_text() -> None:
    found = {f.kind: MIXED[f.start:f.end] for f in screen(MIXED)}
    assert found[Kind.NAME] == "王大明"
    assert found[Kind.NATIONAL_ID] == "Ａ１２３４５６７８９"
    assert found[Kind.PHONE] == "０９１２－３４５－６７８"
    assert found[Kind.EMAIL] == "dm.wang@gmail.com"
    assert found[Kind.PLATE] == "ABC-1234"
    assert found[Kind.BANK_ACCOUNT] == "0001234-0567890"
    assert found[Kind.NHI_CARD] == "0000 1234 5678"
    assert found[Kind.PASSPORT] == "312345678"
    assert found[Kind.BIRTH_DATE] == "民國85年3月2日"
    assert found[Kind.ADDRESS].endswith("中山路100巷5號3樓")


def test_findings_are_ordered_and_disjoint() -> None:
    findings = screen(MIXED)
    assert len(findings) == 10
    for a, b in zip(findings, findings[1:]):
        assert a.end <= b.start


def _compact(s: str) -> str:
    return re.sub(r"[^0-9A-Za-z@.\u4e00-\u9fff]", "", normalize(s)).upper()


@pytest.mark.parametrize("text", [MIXED, *[t for t, _ in POSITIVES]])
def test_preview_never_reveals_the_full_value(text: str) -> None:
    for f in screen(text):
        value = _compact(text[f.start:f.end])
        preview = _compact(f.preview)
        assert "*" in f.preview or "○" in f.preview
        assert value not in preview, (value, f.preview)


def test_preview_styles() -> None:
    previews = {f.kind: f.preview for f in screen(MIXED)}
    assert previews[Kind.NATIONAL_ID] == "A1******89"
    assert previews[Kind.PHONE] == "09**-***-678"
    assert previews[Kind.NAME] == "王○明"
    assert previews[Kind.EMAIL] == "d***@***.com"


# --------------------------------------------------------------------------- hostile input

PATHOLOGICAL = [
    "1234567890" * 1000,
    "0" * 10_000,
    "0 " * 5_000,
    "0-" * 5_000,
    ("09-12 3.4 A1 2-3 @a. 路12巷3號 案主王 ○ 生日 " * 200)[:5_000],
    ("a.b-c_d+" * 700)[:5_000] + "@",
    "@" + "a." * 2_500,
    "案主王小明先生" * 800,
    "路" + "1" * 5_000 + "號",
    "身分證" + "A" * 5_000,
    "帳號" + "1-" * 3_000,
    "一" * 5_000 + "號",
    ("零九一二 三四五 " * 700)[:5_000],
    ("a(at)b[dot]" * 500)[:5_000],
    ("興南里45歲思覺失調 " * 500)[:5_000],
    "賴:" + "a" * 5_000,
    "病歷號" + "1-" * 2_500,
    "瓦歷斯·" * 1_000,
    "移工 " + "Ab " * 1_700,
    ("中壢國小三年二班12號" * 500)[:5_000],
    "O" * 5_000,
    "〇" * 5_000,
]


@pytest.mark.parametrize("text", PATHOLOGICAL, ids=lambda t: f"{t[:12]}...{len(t)}")
def test_pathological_inputs_finish(text: str) -> None:
    # No timing assertion: a catastrophic-backtracking regex would simply hang here.
    findings = screen(text)
    assert all(0 <= f.start < f.end <= len(text) for f in findings)


# Characters that the patterns care about, so random text often comes close to a match.
_ALPHABET = st.sampled_from(list(
    "0123456789０９-－ .()（）+@:：/#AaBbOoXx○〇王陳林高方周案主先生小姐號樓路段巷弄鄰區里村年月日生民國"
    "身分證護照健保帳號車牌電話手機姓名大明美玲志豪，、"
    "賴LlIine病歷住院國小班座學號里鄰歲思覺失調長的兒子農曆年次氏·‧移工案主 \n"
))


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=_ALPHABET, max_size=80))
def test_random_text_never_breaks(text: str) -> None:
    findings = screen(text)
    assert isinstance(masked(text, findings), str)
    for f in findings:
        assert 0 <= f.start < f.end <= len(text)
        assert f.preview
    for a, b in zip(findings, findings[1:]):
        assert a.end <= b.start


# --------------------------------------------------------------------------- corpus release bar

def _load_corpus(split: str | None = None) -> list[tuple[str, set[Kind]]]:
    rows = []
    for line in CORPUS.read_text(encoding="utf-8").splitlines():
        if line.strip():
            obj = json.loads(line)
            if split is None or obj.get("split") == split:
                rows.append((obj["text"], {Kind(k) for k in obj["kinds"]}))
    return rows


def test_corpus_size_and_coverage() -> None:
    rows = _load_corpus()
    clean = sum(1 for _, k in rows if not k)
    assert len(rows) >= 1500
    assert clean >= 0.9 * (len(rows) - clean)  # about as many hard negatives as positives
    assert len(_load_corpus("held_out")) >= 0.15 * len(rows)  # 30% of the rows written after the first 676
    per_kind = {kind: sum(1 for _, k in rows if kind in k) for kind in Kind}
    for kind, count in per_kind.items():
        assert count >= 20, (kind, count)
    for kind in (Kind.NAME, Kind.ADDRESS, Kind.PHONE, Kind.NATIONAL_ID):
        assert per_kind[kind] >= 100, (kind, per_kind[kind])


def _recall_and_flagged(rows: list[tuple[str, set[Kind]]]) -> tuple[dict[Kind, float], float, float]:
    """Per-kind recall, recall over all expected findings, and the share of clean messages flagged."""
    hits = {kind: 0 for kind in Kind}
    totals = {kind: 0 for kind in Kind}
    clean = clean_flagged = 0
    for text, expected in rows:
        found = kinds(text)
        if not expected:
            clean += 1
            clean_flagged += bool(found)
        for kind in expected:
            totals[kind] += 1
            hits[kind] += kind in found
    recall = {kind: hits[kind] / totals[kind] for kind in Kind if totals[kind]}
    overall = sum(hits.values()) / sum(totals.values())
    return recall, overall, clean_flagged / clean


def test_corpus_release_bar() -> None:
    # The targets of issue 12 on the whole corpus; a regression in any rule fails here.
    recall, overall, flagged = _recall_and_flagged(_load_corpus())
    assert overall >= 0.97
    for kind in (Kind.NATIONAL_ID, Kind.RESIDENT_ID, Kind.PASSPORT, Kind.PHONE, Kind.EMAIL):
        assert recall[kind] >= 0.99, (kind, recall[kind])
    assert recall[Kind.NAME] >= 0.95
    assert recall[Kind.ADDRESS] >= 0.95
    assert flagged <= 0.02


def test_held_out_part_holds_too() -> None:
    # Never tuned on: a looser bar that still catches a rule that only fits the tuned part.
    recall, overall, flagged = _recall_and_flagged(_load_corpus("held_out"))
    assert overall >= 0.95
    assert recall[Kind.NAME] >= 0.9
    assert flagged <= 0.03


def test_median_cost_per_message_is_under_a_millisecond() -> None:
    # The budget of issue 12 (≤ 1 ms median); best of three per message so a busy neighbour does not count.
    import statistics
    import time

    costs = []
    for text, _ in _load_corpus()[::4]:
        best = float("inf")
        for _ in range(3):
            start = time.perf_counter()
            screen(text)
            best = min(best, time.perf_counter() - start)
        costs.append(best)
    assert statistics.median(costs) < 0.001
