"""Surnames in use in Taiwan, single and compound."""
from __future__ import annotations

# Common Taiwanese surnames. Characters that are far more often ordinary words (於, 向, 時, 常,
# 全, 安, 平, 文, 明, 成, 包, 車 ...) are left out on purpose: they would cost precision, not recall.
SINGLE_SURNAMES = frozenset(
    "陳林黃張李王吳劉蔡楊許鄭謝洪郭邱曾廖賴徐周葉蘇莊呂江何蕭羅高潘簡朱鍾游彭詹胡施沈余盧梁趙"
    "顏柯翁魏孫戴范方宋鄧杜傅侯曹薛丁卓阮馬董温溫唐藍蔣石古紀姚連馮歐程湯田康姜白汪鄒尤巫鐘黎"
    "涂凃龔嚴韓袁金童陸夏柳邵錢伍倪于譚駱熊任甘秦顧毛章史官萬俞雷粘饒關孔賀殷喬岳葛聶郝卜"
    "魯閻孟褚樊賈邢尹鮑桂凌霍柴艾丘裴陶佘塗甄卞蒲藺鞏婁翟姬竇鈕杭晏滕靳慕邰鄔鄢覃麥冉湛"
)
COMPOUND_SURNAMES = frozenset({
    "歐陽", "司馬", "諸葛", "張簡", "范姜", "張廖", "上官", "東方", "皇甫", "司徒", "夏侯", "公孫",
    "慕容", "尉遲", "端木", "長孫", "令狐", "南宮", "西門", "鍾離", "軒轅", "宇文", "呼延", "單于",
})
SURNAMES: frozenset[str] = SINGLE_SURNAMES | COMPOUND_SURNAMES
