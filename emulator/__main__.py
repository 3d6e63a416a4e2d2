"""Run the emulator: python -m emulator --port 8090 --bot-url http://127.0.0.1:5000/callback"""

from __future__ import annotations

import argparse
import logging
import os

from werkzeug.serving import run_simple

from .app import create_emulator
from .settings import DEMO_USERS_PATH, EmulatorSettings, load_directory


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    """Command-line options."""
    parser = argparse.ArgumentParser(prog="python -m emulator", description="Local stand-in for the LINE Platform")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8090)
    parser.add_argument("--bot-url", default="http://127.0.0.1:5000/callback", help="the bot's webhook URL")
    parser.add_argument("--users", default=str(DEMO_USERS_PATH), help="YAML file of demo users and groups")
    parser.add_argument("--quota", type=int, default=200, help="monthly push quota")
    parser.add_argument("--reply-ttl", type=float, default=60.0, help="reply token lifetime in seconds")
    parser.add_argument("--quiet", action="store_true", help="no access log line per request (the chat page polls)")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> None:
    """Build the settings from options and env, print the URLs, and serve."""
    args = parse_args(argv)
    directory = load_directory(args.users)
    settings = EmulatorSettings(
        channel_secret=os.environ.get("LINE_CHANNEL_SECRET", "dev-secret"),
        access_token=os.environ.get("LINE_CHANNEL_ACCESS_TOKEN", "dev-token"),
        bot_callback_url=args.bot_url,
        reply_token_ttl_seconds=args.reply_ttl,
        users=directory.users,
        groups=directory.groups,
        bot=directory.bot,
        monthly_quota=args.quota,
        login_channel_id=os.environ.get("LINE_LOGIN_CHANNEL_ID", "1656000000"),
        login_channel_secret=os.environ.get("LINE_LOGIN_CHANNEL_SECRET", "dev-login-secret"),
    )
    if args.quiet:
        logging.getLogger("werkzeug").setLevel(logging.WARNING)
    app = create_emulator(settings)
    base = f"http://{args.host}:{args.port}"
    if not args.quiet:
        print(f"LINE 模擬器聊天頁面：{base}/", flush=True)
        print(f"LINE Login (authorize, token): {base}/oauth2/v2.1/authorize", flush=True)
        print(f"Messaging API host for the bot: {base}  (webhooks go to {args.bot_url})", flush=True)
    run_simple(args.host, args.port, app, threaded=True, use_reloader=False)


if __name__ == "__main__":
    main()
