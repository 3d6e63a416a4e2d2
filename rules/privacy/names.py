"""Personal names in context."""
from __future__ import annotations

import re
from typing import Iterable, Iterator

from rules.privacy.common import CJK, Hit
from rules.privacy.kinds import Kind
from rules.privacy.surnames import COMPOUND_SURNAMES, SINGLE_SURNAMES

# Characters common in Taiwanese given names. Name detection asks the given name to be made of
# these, which is what keeps 高風險, 林口, 周末, 曾經, 陳情 and the like from reading as names.
_GIVEN_CHARS = frozenset(
    "明華偉志豪傑俊宏文建家冠宇承翰宗柏彥信彬凱哲瑋仁勇智國成榮輝義德正忠武仲祥瑞龍鴻峰崇剛強"
    "軍民昌盛昇興旺隆福貴富財順裕源金銀水木山川海東西南北中安平泰康健壽永世子孝賢良善勤儉恭謙"
    "禮慶祐佑晉昱晟睿皓浩鈞銘鋒鎮錦杰廷庭恩維威緯韋暐煒瑜鈺軒澤霖宸碩翔揚陽洋鵬嘉佳駿勳崴岳嶽"
    "晏泓弘煌丞程昀宥亮清秋春冬松竹梅蘭菊新生元立台益進展達雄政振耀燦光昆坤乾炳煥焜欽敏捷誠毅"
    "鑫森權楷樺樹彰章勝尚遠大小英士聖美玲麗芳芬淑惠慧娟珍珠玉秀雅婷怡君筠欣妤萱宜伶琪琦靜雯涵"
    "晴瑄綺如茹儀蓉容瑩穎潔雪霞虹紅月鳳燕鶯蓮桂貞素靖卉萍青心馨薇蕙蓁菁菱芝芷芯若苓葳瑤琳璇瑾"
    "瑛璟琇姿姵姍珊羽純絹綾婉嫻婕妍媛嬿姝妮娜亭媚宛瑀湘沛渝瀅漪沁霈霓露思憶慈愛悅恬柔璐晶曉昕"
    "晨曦彤彩薰凡依伊寧佩珮菲蕾蓓蘋萃琴瑟笙韻詩書畫墨雲霏雨霜冰瑤琬琰瓊環璋琮瑢瑋璿琛珏玟玫"
    "珈珣琁璉瑱瑄翊翎翠羿聿育胤致臻舜航芊芃芸苡茵荃莉莎菀萱葦蔚蓉蕎薏藝蘊虹蜜詠誼諭謙譽豐賓"
    "赫超軒輔辰逸道達遠邦郁鈴銓鋐錚鍵鎧鏞閔阡陞隆雁雋霆靈韶頌頤馥駒騏鳴鴒麒麟黛鼎齡禎禧秉稚"
    "竣筱箴紘紹絜維綸緹縈繡羚翔耕聰肇芹茜莞莘蓮蔓蕓薈藍蘅虔訓詒語諺謹豪貞賜賢運道郡鈞鉅銳"
    "錡鎂鑑長門閎阿陵雅雍鵑鶴麗凱勵卿厚叡啟喜堯堅塵壹奇奕姣婕嫣孟學宣容寬實寶峻巧帆平廣廷"
    "彧御忻怡恆悟惇慎懋承揚攸敦斌旭昊昌昶晃晞智暄曜朋杉棋楨榆樂槿橙櫻欽歆治泉泳浚淇淳淵湧溢"
    "滄漢澄濤灝炫烽焱然煜熙熹燁爵猷玄珞琥瑞璞甫登皇盈睿矜碧祥禹秀程穗立章竹筑紀紫綠緣縉罡"
)
# Extra given-name characters, mostly from older women's and men's names (秀枝, 阿款, 金桃).
_GIVEN_CHARS |= frozenset(
    "品侑毓敬耿紳旻昭照奎炎添嬌桃娥枝招粉款緞鑾綢琬淇甯晧嵐芮茂萌菡倫傳儒克典博友吉呈堂增"
    "壯妙孜定寰希彣徽愉憲斐朗梵楠榛槐汎沐河洲渟湄溱潤澔濬炘烈焄爾玓珉珩真竑筌群臣舒茗騰阿"
    "罔市葉添丁旺發土火花棟腰滿雀惜香以來和"
)
_NOT_GIVEN = frozenset("長道門紀藍輔齡泳鎮")  # frequent after a surname in ordinary words
_GIVEN_CHARS = _GIVEN_CHARS - _NOT_GIVEN

# Words that begin with a surname and read like one but are not names.
_NAME_BLOCK = (
    "高中", "高雄", "高職", "高齡", "高鐵", "高風", "高關", "高危", "高度", "高層", "高興", "高達",
    "高於", "白天", "夏天", "夏季", "溫柔", "溫暖", "溫度", "溫馨", "溫和", "溫情", "黎明", "關心",
    "孫子", "孫女", "王國", "王道", "韓國", "楊梅", "林口", "周一", "周二", "周三", "周四", "周五",
    "周六", "周末", "周知", "周全", "萬元", "黃金", "金門", "馬上", "康健", "方便", "曾經", "許多",
    "何時", "陳情", "甘願", "任何", "江山", "金山", "石門", "田中", "金華", "中華", "高明", "石碇",
    "林園", "高樹", "金寧", "史上", "高山", "宋朝", "唐朝", "秦朝", "毛巾", "章程", "金額", "童年",
    "洪水", "葉子", "游泳", "江南", "江西", "江北", "陸生", "康樂", "方正", "藍天", "凌晨", "林森",
    "羅東", "關西", "關山", "關東", "卓蘭", "連江", "萬華", "高雅", "高貴", "高麗", "高峰", "童書",
    "曾發", "何發", "高發", "連發", "曾來", "何來", "曾以", "何以", "溫和", "連和", "馬來", "孔雀",
)
_MASK_CHARS = frozenset("Oo0○◯〇●XxＸ×*＊某姓氏")
# Characters that end a 1-character given name: function words and title starts.
_AFTER_NAME = frozenset(
    "表說稱於在的已今昨目現因被遭與和及等曾有是也都就還又再會要想去來到至從向對將把由為並請疑"
    "近自本仍尚未不沒無先小女同老阿之住所家，、。,;；:：)）(（「」 "
)
_ROLE_WORDS = (
    "個案姓名", "案主姓名", "個案", "案主", "案父", "案母", "案妻", "案夫", "案子", "案女", "案兄", "案弟",
    "案姊", "案姐", "案妹", "案祖父", "案祖母", "案家", "住戶", "通報人", "當事人", "相對人", "被害人",
    "加害人", "受害人", "行為人", "施暴者", "受暴者", "嫌疑人", "嫌犯", "學生", "學童", "少年", "兒童",
    "兒少", "老人", "長者", "疑似", "男童", "女童", "幼童", "男子", "女子", "婦人", "民眾", "居民",
    "里民", "患者", "病患", "服務對象", "對象", "申請人", "緊急聯絡人", "監護人", "照顧者", "家屬", "家長",
    "母親", "父親", "媽媽", "爸爸", "兒子", "女兒", "丈夫", "妻子", "太太", "先生", "哥哥", "弟弟",
    "姊姊", "姐姐", "妹妹", "祖父", "祖母", "外婆", "外公", "奶奶", "爺爺", "孫子", "孫女", "同居人",
    "男友", "女友", "前夫", "前妻", "配偶", "繼父", "繼母", "養父", "養母", "舅舅", "姑姑", "叔叔",
    "房東", "房客", "鄰居", "室友", "其父", "其母", "其夫", "其妻", "其子", "其女", "其兄", "其弟",
    "其姊", "其妹", "協尋", "失蹤", "獨居", "街友", "移工", "新住民", "目睹兒", "孕婦", "產婦", "外配",
    "陸配", "外籍配偶", "看護",
)
_TITLES = (
    "先生", "小姐", "女士", "太太", "阿伯", "阿姨", "阿嬤", "阿公", "阿婆", "伯伯", "奶奶", "爺爺",
    "同學", "老師", "小朋友", "媽媽", "爸爸", "弟弟", "妹妹", "哥哥", "姊姊", "姐姐", "伯母", "伯父",
)
_NAME_LABELS = ("姓名", "名字", "名叫", "叫做", "本名", "全名")


def _alternation(words: Iterable[str]) -> str:
    """Regex alternation of literal words, longest first so that prefixes do not steal matches."""
    return "|".join(re.escape(w) for w in sorted(words, key=len, reverse=True))


_ROLE_RE = re.compile(r"(?:" + _alternation(_ROLE_WORDS) + r")[ :：為是即係,，]{0,2}")
_LABEL_RE = re.compile(r"(?:" + _alternation(_NAME_LABELS) + r")(?:[ ]?[:：為是叫][ ]?| )?")
_TITLE_RE = re.compile(r"(?:" + _alternation(_TITLES) + r")")
# A sex or age right after a name: 王小明（男，15歲）, 陳美玲,女, 林志豪 45歲.
_AGE_RE = re.compile(
    r"([" + CJK + r"]{3,4}) ?[(（,，、]? ?(?:[男女](?:性|生)?(?=[,，、)） ]|$)|\d{1,3} ?歲)"
)


def _surname_at(t: str, i: int) -> str | None:
    """Surname starting at index i (compound ones first)."""
    if t[i:i + 2] in COMPOUND_SURNAMES:
        return t[i:i + 2]
    if i < len(t) and t[i] in SINGLE_SURNAMES:
        return t[i]
    return None


def _is_given_name(chars: str) -> bool:
    """True if every character is a common given-name character (阮氏玲: 氏 may open a given name)."""
    if chars[:1] == "氏":
        chars = chars[1:]
    return bool(chars) and all(c in _GIVEN_CHARS for c in chars)


def _is_masked(chars: str) -> bool:
    """True if any character of a given name is a mask (王○明, 陳OO, 李XX, 林某)."""
    return any(c in _MASK_CHARS for c in chars)


def _blocked(candidate: str) -> bool:
    """True if the candidate starts with a common word that begins with a surname."""
    return candidate.startswith(_NAME_BLOCK)


def _given_after(t: str, i: int, loose: bool) -> int:
    """Length (0, 1 or 2) of a plausible given name starting at index i."""
    two = t[i:i + 2]
    if len(two) == 2 and two[0] == "氏" and _is_given_name(two):
        return 2  # Vietnamese women's names: 阮氏芳 (王氏 alone stays a masked reference)
    if _is_masked(two[:1]) or (len(two) == 2 and _is_masked(two[1]) and two[0] in _GIVEN_CHARS):
        return 0

    def ok(c: str) -> bool:
        return c in _GIVEN_CHARS or (loose and "\u4e00" <= c <= "\u9fff" and c not in _AFTER_NAME)

    if len(two) == 2 and ok(two[0]) and ok(two[1]):
        return 2
    nxt = t[i + 1:i + 2]
    if two and ok(two[0]) and (not nxt or nxt in _AFTER_NAME or not "\u4e00" <= nxt <= "\u9fff"):
        return 1
    return 0


def _name_from(t: str, i: int, loose: bool = False) -> tuple[int, int] | None:
    """Span of a full name (surname + given name) that starts exactly at index i."""
    surname = _surname_at(t, i)
    if surname is None or _TITLE_RE.match(t, i + len(surname)):
        return None
    glen = _given_after(t, i + len(surname), loose)
    if glen == 0 and len(surname) == 2:
        # 歐陽 may also be 歐 + a one-character given name.
        surname = surname[0] if surname[0] in SINGLE_SURNAMES else surname
        glen = _given_after(t, i + 1, loose) if len(surname) == 1 else 0
    if glen == 0:
        return None
    end = i + len(surname) + glen
    if _blocked(t[i:end]) or _blocked(t[i:end + 1]):
        return None
    return i, end


def _name_before_title(t: str, title_start: int) -> tuple[int, int] | None:
    """Full name right before a title (王大明先生); a bare surname (王先生) does not count."""
    for length in (4, 3, 2):
        i = title_start - length
        if i < 0:
            continue
        surname = _surname_at(t, i)
        if surname is None or len(surname) + 1 > length or length - len(surname) > 2:
            continue
        given = t[i + len(surname):title_start]
        if not _is_given_name(given):  # also rejects masks: 王○明先生, 陳OO小姐
            continue
        # In 主任高先生 the 高 is the surname, not a one-character given name after 任.
        if len(given) == 1 and len(surname) == 1 and given in SINGLE_SURNAMES:
            continue
        if not _blocked(t[i:title_start]):
            return i, title_start
    return None


# A bare full name counts only between a clear left edge and a clear right edge, e.g. 請問|徐佩君|是.
_BARE_BEFORE = frozenset(
    "請問找由和與及跟給讓叫替幫同助繫絡知心下是了說看到訪視介報尋陪見約帶送載打告轉接於在的識詢查探稱名"
)
_BARE_AFTER = frozenset(
    "的是今昨目已在於說表有因疑被遭曾和與及他她到沒不也都就還又再跟向對近自兄姊姐妹弟等家揚稱拒欲想要會能可"
    "常仍一把將打罵哭跑離失住現本"
)
_SURNAME_RE = re.compile(
    "(?:" + _alternation(COMPOUND_SURNAMES) + ")|[" + "".join(sorted(SINGLE_SURNAMES)) + "]"
)


def _is_cjk(c: str) -> bool:
    """True for a CJK unified ideograph."""
    return "\u4e00" <= c <= "\u9fff"


# Staff named in their official capacity (記錄：吳佳玲, 科長 徐慧英) are not case data.
_STAFF_BEFORE = re.compile(
    r"(?:督導|社工|社工員|社工師|科長|主任|組長|家防官|里長|區長|局長|處長|秘書|科員|專員|課長|所長|隊長|"
    r"警員|員警|護理師|心理師|校長|輔導員|記錄|紀錄|報告人|承辦人|主席|窗口|講師|(?<!緊急)聯絡人)[ :：]{0,2}$"
)


def _bare_names(t: str) -> Iterator[tuple[int, int]]:
    """Three- or four-character full names standing alone between clear edges."""
    for m in _SURNAME_RE.finditer(t):
        i, j = m.start(), m.end()
        before = t[i - 1] if i else ""
        if before and _is_cjk(before) and before not in _BARE_BEFORE:
            continue
        if _STAFF_BEFORE.search(t, max(0, i - 6), i):
            continue
        given = t[j:j + 2]
        after = t[j + 2:j + 3]
        if len(given) < 2 or not _is_given_name(given):
            continue
        if after and _is_cjk(after) and after not in _BARE_AFTER:
            continue
        if not _blocked(t[i:j + 2]) and not _TITLE_RE.match(t, j):
            yield i, j + 2


def _name_preview(name: str) -> str:
    """Mask a name the customary way: keep the surname (and last character of longer names)."""
    if len(name) <= 2:
        return name[0] + "○"
    return name[0] + "○" * (len(name) - 2) + name[-1]


# 王小明（化名） is a made-up name, not personal data.
_PSEUDONYM_AFTER = re.compile(r" ?[(（]?(?:化名|假名)")


def find_names(t: str) -> Iterator[Hit]:
    """Unmasked full names in context: after a role word or label, before a title, or with sex / age."""
    spans: list[tuple[int, int]] = []
    for m in _LABEL_RE.finditer(t):
        span = _name_from(t, m.end(), loose=True)
        if span:
            spans.append(span)
    for m in _ROLE_RE.finditer(t):
        span = _name_from(t, m.end())
        if span:
            spans.append(span)
    for m in _TITLE_RE.finditer(t):
        span = _name_before_title(t, m.start())
        if span:
            spans.append(span)
    for m in _AGE_RE.finditer(t):
        word = m.group(1)
        for offset in range(len(word) - 3, -1, -1):
            span = _name_from(t, m.start(1) + offset)
            if span and span[1] == m.end(1) and span[1] - span[0] >= 3:
                spans.append(span)
                break
    spans.extend(_bare_names(t))
    for start, end in spans:
        if _PSEUDONYM_AFTER.match(t, end):
            continue
        yield Hit(Kind.NAME, start, end, _name_preview(t[start:end]), 30)
