"""Rich menus (圖文選單) and the loading animation, as the Messaging API serves them.

The API half (`/v2/bot/richmenu...`, `/v2/bot/user/{userId}/richmenu...`, image upload that LINE serves
from api-data.line.me at the same path) is registered on the Messaging API blueprint, so it shares
its auth, fault injection and request log. The page half (`/_emulator/richmenu`) tells the chat page
which menu a user sees, with its image and tappable areas, and whether a loading animation runs.
"""
from __future__ import annotations

import secrets
from dataclasses import dataclass, field
from typing import Any

from flask import Response, request

from . import api, control
from .events import USER_ID_RE
from .state import current_state

MAX_IMAGE_BYTES = 1024 * 1024  # LINE's limit for a rich menu image
IMAGE_TYPES = {"image/png", "image/jpeg"}


@dataclass
class RichMenus:
    """Menus, their images, aliases, per-user links and running loading animations."""

    menus: dict[str, dict[str, Any]] = field(default_factory=dict)
    images: dict[str, tuple[str, bytes]] = field(default_factory=dict)
    aliases: dict[str, str] = field(default_factory=dict)
    links: dict[str, str] = field(default_factory=dict)
    default: str | None = None

    def of_user(self, user_id: str) -> str | None:
        return self.links.get(user_id) or self.default


def store() -> RichMenus:
    """This emulator's rich menus (a reset forgets them, like everything else)."""
    state = current_state()
    with state.lock:
        if state.rich_menus is None:
            state.rich_menus = RichMenus()
        return state.rich_menus


def _menu_or_404(rich_menu_id: str) -> dict[str, Any]:
    menu = store().menus.get(rich_menu_id)
    if menu is None:
        raise api.ApiError(404, "Not found")
    return menu


# ---------------------------------------------------------------------------- Messaging API

@api.bp.post("/richmenu")
def create_rich_menu() -> Any:
    """Create a rich menu (without its image yet)."""
    body = api._validated("RichMenuRequest")
    size = body.get("size") or {}
    if (size.get("width"), size.get("height")) not in ((2500, 1686), (2500, 843), (1200, 810), (1200, 405),
                                                       (800, 540), (800, 270)):
        raise api.ApiError(400, "size invalid", details=[{"message": "unsupported size", "property": "size"}])
    rich_menu_id = "richmenu-" + secrets.token_hex(16)
    store().menus[rich_menu_id] = {"richMenuId": rich_menu_id, **body}
    return {"richMenuId": rich_menu_id}


@api.bp.post("/richmenu/<rich_menu_id>/content")
def upload_image(rich_menu_id: str) -> Any:
    """Upload the menu's image (served by api-data.line.me at LINE): PNG or JPEG, 1 MB at most."""
    _menu_or_404(rich_menu_id)
    kind = (request.content_type or "").split(";")[0].strip()
    data = request.get_data()
    if kind not in IMAGE_TYPES or not data:
        raise api.ApiError(415, "Unsupported Media Type")
    if len(data) > MAX_IMAGE_BYTES:
        raise api.ApiError(413, "Request Entity Too Large")
    if rich_menu_id in store().images:
        raise api.ApiError(400, "An image has already been uploaded to the richmenu.")
    store().images[rich_menu_id] = (kind, data)
    return {}


@api.bp.get("/richmenu/<rich_menu_id>/content")
def download_image(rich_menu_id: str) -> Any:
    _menu_or_404(rich_menu_id)
    kind, data = store().images.get(rich_menu_id) or (None, None)
    if data is None:
        raise api.ApiError(404, "Not found")
    return Response(data, mimetype=kind)


@api.bp.get("/richmenu/<rich_menu_id>")
def get_rich_menu(rich_menu_id: str) -> Any:
    return _menu_or_404(rich_menu_id)


@api.bp.delete("/richmenu/<rich_menu_id>")
def delete_rich_menu(rich_menu_id: str) -> Any:
    _menu_or_404(rich_menu_id)
    menus = store()
    menus.menus.pop(rich_menu_id)
    menus.images.pop(rich_menu_id, None)
    menus.links = {u: m for u, m in menus.links.items() if m != rich_menu_id}
    return {}


@api.bp.get("/richmenu/list")
def list_rich_menus() -> Any:
    return {"richmenus": list(store().menus.values())}


@api.bp.post("/richmenu/alias")
def create_alias() -> Any:
    body = api._validated("CreateRichMenuAliasRequest")
    _menu_or_404(body["richMenuId"])
    if body["richMenuAliasId"] in store().aliases:
        raise api.ApiError(400, "conflict richmenu alias id")
    store().aliases[body["richMenuAliasId"]] = body["richMenuId"]
    return {}


@api.bp.get("/richmenu/alias/<alias>")
def get_alias(alias: str) -> Any:
    rich_menu_id = store().aliases.get(alias)
    if rich_menu_id is None:
        raise api.ApiError(404, "richmenu alias not found")
    return {"richMenuAliasId": alias, "richMenuId": rich_menu_id}


@api.bp.post("/richmenu/alias/<alias>")
def update_alias(alias: str) -> Any:
    body = api._validated("UpdateRichMenuAliasRequest")
    if alias not in store().aliases:
        raise api.ApiError(404, "richmenu alias not found")
    _menu_or_404(body["richMenuId"])
    store().aliases[alias] = body["richMenuId"]
    return {}


@api.bp.delete("/richmenu/alias/<alias>")
def delete_alias(alias: str) -> Any:
    if store().aliases.pop(alias, None) is None:
        raise api.ApiError(404, "richmenu alias not found")
    return {}


@api.bp.post("/user/<user_id>/richmenu/<rich_menu_id>")
def link_user(user_id: str, rich_menu_id: str) -> Any:
    """Link a menu to one user; LINE refuses a menu without its image."""
    if not USER_ID_RE.match(user_id):
        raise api.ApiError(400, "The value for the 'userId' parameter is invalid")
    _menu_or_404(rich_menu_id)
    if rich_menu_id not in store().images:
        raise api.ApiError(400, "must upload richmenu image before applying it to user")
    store().links[user_id] = rich_menu_id
    current_state()._touch()  # the chat page shows the new menu
    return {}


@api.bp.get("/user/<user_id>/richmenu")
def user_menu(user_id: str) -> Any:
    rich_menu_id = store().links.get(user_id)
    if rich_menu_id is None:
        raise api.ApiError(404, "the user has no richmenu")
    return {"richMenuId": rich_menu_id}


@api.bp.delete("/user/<user_id>/richmenu")
def unlink_user(user_id: str) -> Any:
    store().links.pop(user_id, None)
    current_state()._touch()
    return {}


# ---------------------------------------------------------------------------- the chat page

@control.bp.get("/richmenu")
def page_menu() -> Any:
    """The menu a user sees on the page (areas in the image's pixels) and whether the bot is 'typing'."""
    user_id = request.args.get("user_id", "")
    menus = store()
    rich_menu_id = menus.of_user(user_id)
    loading = current_state().is_loading(user_id)
    if rich_menu_id is None or rich_menu_id not in menus.images:
        return {"menu": None, "loading": loading}
    menu = menus.menus[rich_menu_id]
    return {"loading": loading, "menu": {
        "richMenuId": rich_menu_id, "size": menu["size"], "chatBarText": menu.get("chatBarText", ""),
        "areas": menu.get("areas", []), "image": f"/_emulator/richmenu/{rich_menu_id}/image"}}


@control.bp.get("/richmenu/<rich_menu_id>/image")
def page_image(rich_menu_id: str) -> Any:
    kind, data = store().images.get(rich_menu_id) or (None, None)
    if data is None:
        return Response(status=404)
    return Response(data, mimetype=kind)

