"""What a handler gets besides the event: the session, the clock, configuration and who is speaking."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from functools import cached_property, lru_cache
from typing import TYPE_CHECKING, Any, Callable, Mapping

from sqlalchemy import bindparam, select
from sqlalchemy.orm import Session, joinedload

from bot.config import Config
from bot.gateway import Gateway

if TYPE_CHECKING:
    from bot.directory import Directory
    from bot.events import Inbound
    from bot.services import Services
    from models.conversations import Conversation
    from models.roster import Contact, Group


AFTER_RESPONSE = "after_response"  # session.info key: work a handler left for after the response


@dataclass
class Ctx:
    """Per-event context. `line` is for reads (profiles, member counts); handlers never send through it."""

    session: Session
    now: datetime
    config: Config
    directory: "Directory"
    line: Gateway
    user_id: str | None = None
    group_id: str | None = None
    conversation: "Conversation | None" = None
    commands: Mapping[str, Any] = field(default_factory=dict)  # the route table's command words (for help)
    event: "Inbound | None" = None  # the event being handled (the privacy guard re-runs it masked)
    router: Any = None  # the route table, to run an event again after a privacy decision
    # Words the sender confirmed in this event are not a person (a shop, a place): bot/privacy_pending.py.
    privacy_confirmed: frozenset[str] = frozenset()

    # Looked up on first use: most group chatter needs neither, and each is a database round trip.
    @cached_property
    def contact(self) -> "Contact | None":
        """The speaker's roster entry, if any (approved or not)."""
        if self.user_id is None:
            return None
        return self.session.scalars(_contact_query(), {"user_id": self.user_id}).first()

    @cached_property
    def group(self) -> "Group | None":
        """The group the event came from, if the bot knows it."""
        if self.group_id is None:
            return None
        return self.session.scalars(_group_query(), {"group_id": self.group_id}).first()

    def after_response(self, work: "Callable[[Services], None]") -> None:
        """Run `work` after the event committed and LINE has its answer: for reads from LINE that would
        otherwise hold the transaction (on SQLite, the write lock) while LINE answers."""
        self.session.info.setdefault(AFTER_RESPONSE, []).append(work)

    @property
    def is_admin(self) -> bool:
        """Admins are named in ADMIN_LINE_USER_IDS (even before registering) or hold the admin role."""
        from models.roster import Role
        if self.user_id is not None and self.user_id in self.config.admin_line_user_ids:
            return True
        return self.contact is not None and self.contact.is_active and self.contact.role == Role.ADMIN

    @property
    def can_manage(self) -> bool:
        """Secretariat members and admins manage a district."""
        return self.is_admin or (self.contact is not None and self.contact.can_manage)


# Built once (every command asks one or both); building a statement cost about as much as sending it.
@lru_cache(maxsize=1)
def _contact_query() -> Any:
    from models.roster import Contact, Unit
    # Nearly every command goes on to the contact's unit and district: one query instead of three.
    return select(Contact).where(Contact.line_user_id == bindparam("user_id")).options(
        joinedload(Contact.unit).joinedload(Unit.district))


@lru_cache(maxsize=1)
def _group_query() -> Any:
    from models.roster import Group
    return select(Group).where(Group.line_group_id == bindparam("group_id"))
