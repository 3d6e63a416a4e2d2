"""What 額度 says (zh-TW)."""
from __future__ import annotations

from bot.messages import Message, text
from handlers.quota.service import Summary
from rules.dates import TAIPEI
from rules.economy import QuotaState

NAMES = {"incidents": "求助", "meetings": "會議", "forms": "表單", "calendar": "活動", "roster": "註冊與名冊",
         "digest": "晨間摘要（多則合併）", "quota": "額度通知", "help": "說明", "other": "其他"}
STATE = {QuotaState.OK: "正常", QuotaState.LOW: "已進入緊急保留額度：例行通知改私訊秘書單位",
         QuotaState.OUT: "已用完：求助卡片可能無法送達，請改以電話聯繫", QuotaState.UNKNOWN: "尚未取得 LINE 額度資料"}


def name_of(capability: str) -> str:
    return NAMES.get(capability, capability)


def summary_text(s: Summary) -> Message:
    """Used, left, the forecast and the cost of each capability, in one message."""
    year, month = s.month.split("-")
    plan = "不限" if s.limit is None else f"{s.limit:,} 則"
    lines = [f"{int(year) - 1911}年{int(month)}月訊息額度：{plan}",
             f"已用：{s.used:,} 則" + ("" if s.left is None else f"｜剩餘：{s.left:,} 則"),
             f"狀態：{STATE[s.state]}"]
    if s.limit is not None:
        lines.append(f"保留給緊急求助：{s.reserve:,} 則")
    f = s.forecast
    lines.append(f"月底預估：約 {f.total:,} 則（已用 {f.used:,}＋已排定提醒最多 {f.scheduled:,}＋依本月步調 {f.pace:,}）")
    if s.limit is not None and f.total > s.limit:
        lines.append("⚠️ 預估將超過本月額度")
    if s.by_capability:
        lines.append("本月各功能花費（群組推播按成員數計，回覆不計）：")
        lines += [f"・{name_of(c)}：{total:,} 則（{n} 次推播）" for c, n, total in s.by_capability]
    else:
        lines.append("本月小幫手尚未推播任何訊息。")
    if s.read_at is not None:
        lines.append(f"（LINE 數字讀取於 {s.read_at.astimezone(TAIPEI):%m/%d %H:%M}）")
    return text("\n".join(lines))


def low_notice() -> Message:
    return text("⚠️ 本月 LINE 訊息額度只剩保留給緊急求助的部分。\n"
                "接下來的例行通知（會議提醒、活動預告、表單催繳）將改為私訊秘書單位，不再發到群組；"
                "求助卡片照常發送。輸入「額度」查看明細；需要時可升級 LINE 官方帳號方案。")
