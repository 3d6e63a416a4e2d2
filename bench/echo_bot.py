"""The baseline: a bare line-bot-sdk Flask echo bot (signature check plus one reply, nothing else).

Run it under the same gunicorn settings as the bot: `gunicorn 'bench.echo_bot:create_app()'`. It reads
LINE_CHANNEL_SECRET, LINE_CHANNEL_ACCESS_TOKEN and LINE_API_BASE_URL, like the bot.
"""
from __future__ import annotations

import os

import urllib3
from flask import Flask, abort, request
from linebot.v3 import WebhookParser
from linebot.v3.exceptions import InvalidSignatureError
from linebot.v3.messaging import ApiClient, ApiException, Configuration, MessagingApi, ReplyMessageRequest, TextMessage
from linebot.v3.webhooks import MessageEvent, TextMessageContent


def create_app() -> Flask:
    """One parser and one API client per worker, built here rather than per request."""
    app = Flask(__name__)
    parser = WebhookParser(os.environ.get("LINE_CHANNEL_SECRET", "dev-secret"))
    configuration = Configuration(host=os.environ.get("LINE_API_BASE_URL", "https://api.line.me"),
                                  access_token=os.environ.get("LINE_CHANNEL_ACCESS_TOKEN", "dev-token"))
    configuration.retries = urllib3.Retry(total=0, redirect=False)  # the bot does not retry inline either
    api = MessagingApi(ApiClient(configuration))

    @app.post("/callback")
    def callback() -> str:
        try:
            events = parser.parse(request.get_data(as_text=True), request.headers.get("X-Line-Signature", ""))
        except InvalidSignatureError:
            abort(400)
        for event in events:
            token = getattr(event, "reply_token", None)
            if token:
                _echo(api, token, _said(event))
        return "OK"

    return app


def _said(event: object) -> str:
    if isinstance(event, MessageEvent) and isinstance(event.message, TextMessageContent):
        return event.message.text[:5000]
    return "收到"


def _echo(api: MessagingApi, token: str, words: str) -> None:
    try:
        api.reply_message(ReplyMessageRequest(reply_token=token, messages=[TextMessage(text=words)]))
    except ApiException:
        pass  # a spent or expired token (e.g. a redelivery): an echo bot has nothing more to do

