"""Who is acting, on which channel: set once per request, API call or command."""

import contextvars
import getpass
import os
from contextlib import contextmanager
from dataclasses import dataclass


@dataclass(frozen=True)
class Actor:
    id: int | None
    name: str
    channel: str


_current: contextvars.ContextVar[Actor | None] = contextvars.ContextVar("audit_actor", default=None)


def _default_actor() -> Actor:
    # A management command run from a shell: the OS account is the best we know.
    channel = os.environ.get("BAOLEI_AUDIT_CHANNEL", "system")
    try:
        name = getpass.getuser()
    except Exception:
        name = "unknown"
    return Actor(id=None, name=f"{channel}:{name}", channel=channel)


def current_actor() -> Actor:
    return _current.get() or _default_actor()


def actor_for_user(user, channel: str) -> Actor:
    if user is not None and getattr(user, "is_authenticated", False):
        return Actor(id=user.pk, name=user.get_username(), channel=channel)
    return Actor(id=None, name="anonymous", channel=channel)


@contextmanager
def acting_as(actor: Actor):
    token = _current.set(actor)
    try:
        yield actor
    finally:
        _current.reset(token)


def set_actor(actor: Actor) -> None:
    """For the rest of this context (one request or API call)."""
    _current.set(actor)
