"""The rich menus (圖文選單): one for registered contacts, one for the secretariat, linked per user.

`flask --app wsgi richmenu setup` draws each menu's image with Pillow (nothing binary is kept in the
repository), creates the menu through the Messaging API, uploads the image to api-data and points a
rich menu alias (`member`, `secretariat`) at it; approving a contact links the alias's menu to them.
Running setup again replaces the menus and moves the aliases, so a new layout reaches everyone.
"""
from __future__ import annotations

import io
import os
from dataclasses import dataclass
from typing import Any, Iterable

from PIL import Image, ImageDraw, ImageFont

from bot.context import Ctx
from models.roster import Contact, Role

WIDTH, HEIGHT = 2500, 843  # LINE's compact size: two rows of three
FONT_PATHS = (
    "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/noto-cjk/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/truetype/droid/DroidSansFallbackFull.ttf",
)


@dataclass(frozen=True)
class Tile:
    label: str   # drawn on the image and read out by the emulator's page
    says: str    # what tapping it sends, as if typed
    hint: str    # a short line under the label


@dataclass(frozen=True)
class Menu:
    alias: str
    name: str
    bar: str  # the chat bar's text (14 characters at most)
    colour: str
    tiles: tuple[Tile, ...]


MEMBER = Menu("member", "社安網聯繫小幫手：網絡單位", "選單", "#1f6f8b", (
    Tile("求助", "求助", "向網絡單位求助"), Tile("案件", "案件", "本單位進行中的求助"),
    Tile("活動", "活動", "新增宣導活動"), Tile("表單", "表單", "待填的表單"),
    Tile("會議", "會議", "近期會議與期限"), Tile("說明", "說明", "能做什麼"),
))
SECRETARIAT = Menu("secretariat", "社安網聯繫小幫手：秘書單位", "秘書選單", "#7a4b8c", (
    Tile("案件", "案件", "本單位進行中的求助"), Tile("表單進度", "表單進度", "各單位填寫狀況"),
    Tile("會議", "會議", "排定與期限"), Tile("列管", "列管", "列管事項進度"),
    Tile("統計", "統計", "求助統計"), Tile("說明", "說明", "能做什麼"),
))
MENUS = (MEMBER, SECRETARIAT)


def menu_for(contact: Contact) -> Menu:
    """The secretariat (and admins) get their own menu; every other approved contact the member menu."""
    return SECRETARIAT if contact.role in (Role.SECRETARIAT, Role.ADMIN) else MEMBER


def _bounds(index: int) -> dict[str, int]:
    column, row = index % 3, index // 3
    left, right = column * WIDTH // 3, (column + 1) * WIDTH // 3
    top, bottom = row * HEIGHT // 2, (row + 1) * HEIGHT // 2
    return {"x": left, "y": top, "width": right - left, "height": bottom - top}


def definition(menu: Menu) -> dict[str, Any]:
    """The menu as the Messaging API's RichMenuRequest."""
    return {"size": {"width": WIDTH, "height": HEIGHT}, "selected": True, "name": menu.name,
            "chatBarText": menu.bar[:14],
            "areas": [{"bounds": _bounds(i), "action": {"type": "message", "label": t.label, "text": t.says}}
                      for i, t in enumerate(menu.tiles)]}


def _font(size: int, path: str | None) -> Any:
    for candidate in (path, os.environ.get("RICHMENU_FONT"), *FONT_PATHS):
        if candidate and os.path.exists(candidate):
            return ImageFont.truetype(candidate, size)
    return ImageFont.load_default(size)  # no CJK font: the tiles keep their layout, labels may not render


def image(menu: Menu, font_path: str | None = None) -> bytes:
    """The menu's PNG: a tile per action, the label large and its hint below."""
    canvas = Image.new("RGB", (WIDTH, HEIGHT), "#ffffff")
    draw = ImageDraw.Draw(canvas)
    big, small = _font(120, font_path), _font(56, font_path)
    for i, tile in enumerate(menu.tiles):
        b = _bounds(i)
        box = (b["x"] + 12, b["y"] + 12, b["x"] + b["width"] - 12, b["y"] + b["height"] - 12)
        draw.rounded_rectangle(box, radius=36, fill=menu.colour if i == 0 else "#eef4f7",
                               outline=menu.colour, width=6)
        ink = "#ffffff" if i == 0 else "#16323d"
        centre_x = b["x"] + b["width"] // 2
        draw.text((centre_x, b["y"] + b["height"] // 2 - 40), tile.label, font=big, fill=ink, anchor="mm")
        draw.text((centre_x, b["y"] + b["height"] // 2 + 90), tile.hint, font=small, fill=ink, anchor="mm")
    out = io.BytesIO()
    canvas.save(out, format="PNG", optimize=True)
    return out.getvalue()


def setup(gateway: Any, font_path: str | None = None) -> dict[str, str]:
    """Create both menus with their images and point their aliases at them; alias -> rich menu id."""
    made = {}
    for menu in MENUS:
        rich_menu_id = gateway.create_rich_menu(definition(menu), image(menu, font_path))
        gateway.point_alias(menu.alias, rich_menu_id)
        made[menu.alias] = rich_menu_id
    return made


def link_after_response(ctx: Ctx, contact: Contact) -> None:
    """Link the contact's menu once the approval committed: LINE is not called inside the transaction."""
    user_id, alias = contact.line_user_id, menu_for(contact).alias

    def link_now(services: Any) -> None:
        services.gateway.link_rich_menu(user_id, alias)  # False (not linked) is retried by the next setup
    ctx.after_response(link_now)


def link(gateway: Any, contacts: Iterable[Contact]) -> int:
    """Link each approved contact's menu; how many were linked (the rest retry at the next setup)."""
    return sum(1 for c in contacts if c.is_active and gateway.link_rich_menu(c.line_user_id, menu_for(c).alias))
