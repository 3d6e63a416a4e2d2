"""Surnames in use in Taiwan, single and compound.

SINGLE_SURNAMES is the household-registration list's common and less common surnames: a name may
start with any of them with no more context than clear edges. WEAK_SURNAMES are surnames in use
that are far more often ordinary words (於, 向, 時, 常, 全, 安, 平, 文, 明, 成, 包, 車 ...): a name
starting with one counts only with a role word, a name label, a title or a sex/age beside it.
"""
from __future__ import annotations

SINGLE_SURNAMES = frozenset(
    "陳林黃張李王吳劉蔡楊許鄭謝洪郭邱曾廖賴徐周葉蘇莊呂江何蕭羅高潘簡朱鍾游彭詹胡施沈余盧梁趙"
    "顏柯翁魏孫戴范方宋鄧杜傅侯曹薛丁卓阮馬董温溫唐藍蔣石古紀姚連馮歐程湯田康姜白汪鄒尤巫鐘黎"
    "涂凃龔嚴韓袁金童陸夏柳邵錢伍倪于譚駱熊任甘秦顧毛章史官萬俞雷粘饒關孔賀殷喬岳葛聶郝卜"
    "魯閻孟褚樊賈邢尹鮑桂凌霍柴艾丘裴陶佘塗甄卞蒲藺鞏婁翟姬竇鈕杭晏滕靳慕邰鄔鄢覃麥冉湛"
    # Less common, still in use in Taiwan.
    "闕崔辜段韋池殷莫易管祝左郝席聶項祁鮑解婁房屠封宮耿衛談霍隋鄔穆谷奚閻單荊酆梅盛刁戚亓廉練"
    "鄞佘塗甄卞藺靳慕竇鈕杭柴畢郁汝仇危朴伏茅龐舒屈閔季虞昝裘繆賁諸嵇荀羊麴芮羿儲汲邴糜焦隗"
    "宓郗欒鈄厲戎薊鄂咸蒙胥蒼莘貢勞逄扶堵宰酈雍璩桑濮扈冀郟瞿茹宦庾暨匡殳蔚夔厙晁勾敖訾闞"
    "乜鞠巢蒯竺逯蓋桓辛武龍孔尹凌姚寇牛苗邴鍾練巴鄺鄞游龎"
)
WEAK_SURNAMES = frozenset(
    "文時常於全安平明成包車向能原水利雲步都景計路強麻支經干應宗宣吉榮惠富松井弓牧山班秋仲寧"
    "符司印宿從索籍雙黨申通邊燕尚農別充習魚容慎終居衡滿弘國廣祿東越隆師融冷那空沙養須豐相"
    "查後紅權益公華來家"
) - SINGLE_SURNAMES
COMPOUND_SURNAMES = frozenset({
    "歐陽", "司馬", "諸葛", "張簡", "范姜", "張廖", "上官", "東方", "皇甫", "司徒", "夏侯", "公孫",
    "慕容", "尉遲", "端木", "長孫", "令狐", "南宮", "西門", "鍾離", "軒轅", "宇文", "呼延", "單于",
    "澹臺", "淳于", "太史", "申屠", "公羊", "赫連", "羊舌", "左丘", "梁丘", "東郭", "濮陽", "聞人",
})
SURNAMES: frozenset[str] = SINGLE_SURNAMES | WEAK_SURNAMES | COMPOUND_SURNAMES
