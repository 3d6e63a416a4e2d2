"""A local stand-in for the LINE Platform: Messaging API, signed webhooks and a chat page, for development and tests."""

from .app import create_emulator
from .client import EmulatorClient, EmulatorError, SendResult, message_text, run_in_thread
from .schema import SpecValidator, validate_request
from .settings import BotProfile, DemoGroup, DemoUser, EmulatorSettings, load_directory

__all__ = [
    "BotProfile", "DemoGroup", "DemoUser", "EmulatorClient", "EmulatorError", "EmulatorSettings", "SendResult",
    "SpecValidator", "create_emulator", "load_directory", "message_text", "run_in_thread", "validate_request",
]
