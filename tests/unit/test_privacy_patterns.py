"""Table tests per pattern of issue 12 §2: each row says exactly which kinds the screen must report."""
from __future__ import annotations

import pytest

from rules.privacy import PublicDirectory, Kind, kinds_found, screen

K = Kind
ROWS: list[tuple[str, set[Kind]]] = [
    # normalisation: full width, Chinese numerals (〇, 兩, 么), O for 0, separators and line breaks
    ("手機０９３６－２２１－４５８", {K.PHONE}),
    ("電話 〇九三六 兩兩一 四五八", {K.PHONE}),
    ("她手機 零九么二 三四五 六七八", {K.PHONE}),
    ("0936-22l-458 她寫的", {K.PHONE}),
    ("o936 221 458", {K.PHONE}),
    ("0936.221.458", {K.PHONE}),
    ("0936\n221\n458", {K.PHONE}),
    ("身分證：\nB223456782", {K.NATIONAL_ID}),
    ("B223456782 是她的身份證", {K.NATIONAL_ID}),
    ("身分証 B223456782", {K.NATIONAL_ID}),
    # IDs: the shape counts, the checksum never clears; label glued to the value
    ("請查 B223456781", {K.NATIONAL_ID}),
    ("IDb223456782", {K.NATIONAL_ID}),
    ("居留證號 C812345678", {K.RESIDENT_ID}),
    ("統一證號 FA12345678", {K.RESIDENT_ID}),
    ("ARC:hd 1234 5678", {K.RESIDENT_ID}),
    # phones
    ("0 9 3 6 2 2 1 4 5 8", {K.PHONE}),
    ("+886 936 221 458", {K.PHONE}),
    ("886936221458", {K.PHONE}),
    ("家裡電話 (03)491-2345", {K.PHONE}),
    ("室內電話 4912345", {K.PHONE}),
    # e-mail: plain, disguised, split, bare webmail user names
    ("信箱 ting.wu@gmail.com", {K.EMAIL}),
    ("ting.wu(at)gmail.com", {K.EMAIL}),
    ("ting.wu [at] gmail [dot] com", {K.EMAIL}),
    ("ting.wu @ gmail . com", {K.EMAIL}),
    ("ting.wu\n@gmail.com", {K.EMAIL}),
    ("她的gmail是 tingwu1990", {K.EMAIL}),
    ("信箱：tingwu1990 那個 yahoo 的", {K.EMAIL}),
    # new kinds
    ("Line ID: tingwu90", {K.LINE_ID}),
    ("賴: ting_wu", {K.LINE_ID}),
    ("line：ting.wu", {K.LINE_ID}),
    ("病歷號 0045678", {K.MEDICAL_RECORD}),
    ("住院號：113-004567", {K.MEDICAL_RECORD}),
    ("健保卡號 0000 4455 6677", {K.NHI_CARD}),
    ("郵局 局號 0012345 帳號 0067890", {K.BANK_ACCOUNT}),
    ("0000 4455 6677 是他的健保卡號", {K.NHI_CARD}),
    ("0012345-0067890（郵局帳號）", {K.BANK_ACCOUNT}),
    ("0045678 是病歷號", {K.MEDICAL_RECORD}),
    ("玉山 808-1234-5678-9012", {K.BANK_ACCOUNT}),
    ("車牌 BKL-5521", {K.PLATE}),
    ("護照號碼 C4567890", {K.PASSPORT}),
    ("C4567890 是她的護照", {K.PASSPORT}),
    ("中原國小 四年三班 座號 8", {K.STUDENT}),
    ("學號 1120567", {K.STUDENT}),
    ("住大園區橫峰里 6鄰 33號", {K.ADDRESS}),
    ("住中正路三段一百二十號五樓", {K.ADDRESS}),
    ("她是78年次", {K.BIRTH_DATE}),
    ("農曆十月初八生", {K.BIRTH_DATE}),
    ("出生年：民國 84 年", {K.BIRTH_DATE}),
    # names: any position, 複姓, scored given names, 原住民族, 氏, romanised, side by side
    ("剛剛楊宥蓁的外婆打來", {K.NAME}),
    ("有人認識鄧芷晴嗎", {K.NAME}),
    ("案主張簡宇彤", {K.NAME}),
    ("相對人 鍾于哲 又來", {K.NAME}),
    ("撒韻·武荖 今天沒到", {K.NAME}),
    ("外配黎氏紅絨 需要翻譯", {K.NAME}),
    ("移工 Dewi Lestari 受傷", {K.NAME}),
    ("柯宥廷 陳品睿 都沒到校", {K.NAME}),
    ("阿嬤 林黃秀琴 獨居", {K.NAME}),
    ("鄭名翔 0925 不對 是 鄭名祥", {K.NAME}),
    # indirect identification of special-category data
    ("觀音區大潭村 52歲 男 思覺失調 停藥", {K.SENSITIVE_CONTEXT}),
    ("里長的孫子吸毒", {K.SENSITIVE_CONTEXT}),
]

CLEAN: list[str] = [
    # operational text that must pass
    "文化一路○○號那戶 已處理", "府社工字第1140056789號", "舊案文號 桃社家字第1120034567號",
    "113年出生的新生兒 1,023 人", "表B-07 請回傳", "12/3(三) 14:00-16:00 個案研討", "上午9時至12時",
    "1080129-1 續管", "列管 1141105-3 除管", "本月 35 案，較上月增加 12.5%", "請撥 113 或 1925",
    "0800-770-885 戒毒專線", "中壢家庭服務中心 (03)422-0126", "聖保祿醫院 桃園區建新街123號",
    # staff in their role, masked names, surname + title only
    "家防官 李衍昌 已到場", "李衍昌督導 明天請假", "社會課 許雅婷 彙整", "里長 林建宏 反映", "科員黃淑芬",
    "賴O燕 今天有到", "王○明", "陳OO", "張先生", "陳女", "林男",
    # statistics and ages without a place
    "65歲以上長者 12,345 人", "平均年齡 38 歲", "本月自殺通報 12 件", "里長的會議改到下週",
]


def kinds(text: str, public: PublicDirectory | None = None) -> set[Kind]:
    """Kinds the screen finds in `text`."""
    return set(kinds_found(screen(text, public)))


@pytest.mark.parametrize(("text", "expected"), ROWS)
def test_pattern(text: str, expected: set[Kind]) -> None:
    assert kinds(text) == expected, [(f.kind, text[f.start:f.end]) for f in screen(text)]


@pytest.mark.parametrize("text", CLEAN)
def test_operational_text_passes(text: str) -> None:
    assert screen(text) == [], [(f.kind, text[f.start:f.end]) for f in screen(text)]


def test_directory_duty_phone_passes_and_a_private_one_does_not() -> None:
    directory = PublicDirectory(phones=frozenset({"0912000111"}))
    assert screen("值班手機 0912-000-111", directory) == []
    assert kinds("值班手機 0912-000-112", directory) == {K.PHONE}
