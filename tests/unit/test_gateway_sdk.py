"""The part of line-bot-sdk that bot/gateway.py sends message bodies through, pinned so an upgrade that
changes it fails here, before any message is lost (tests/webhook/test_gateway.py sends them for real)."""
from __future__ import annotations

import inspect

from linebot.v3.messaging import ApiClient, Configuration
from linebot.v3.messaging.rest import RESTResponse


def test_the_client_makes_a_plain_http_call_with_a_timeout() -> None:
    params = inspect.signature(ApiClient.request).parameters
    assert list(params)[:3] == ["self", "method", "url"]
    assert {"headers", "body", "_request_timeout"} <= set(params)


def test_the_client_keeps_the_token_and_user_agent_as_default_headers() -> None:
    headers = ApiClient(Configuration(host="http://127.0.0.1:9", access_token="token")).default_headers
    assert headers["Authorization"] == "Bearer token"
    assert headers["User-Agent"].startswith("line-bot-sdk-python")


def test_a_plain_response_gives_its_headers() -> None:
    assert callable(getattr(RESTResponse, "getheaders", None))
