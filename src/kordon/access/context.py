"""Where an action comes from: the request (or CLI run, or task) and the client address.

Services take the acting user explicitly; this context adds what only the entry point knows,
so that every audit line of one request or one command shares a request id.
"""

import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass


@dataclass(frozen=True)
class ActionContext:
    request_id: str
    client_address: str


_current: ContextVar[ActionContext | None] = ContextVar("kordon_action_context", default=None)


def current_context() -> ActionContext:
    """The context of the running request or command; a fresh one when nothing set it (a shell)."""
    context = _current.get()
    if context is None:
        context = ActionContext(request_id=str(uuid.uuid4()), client_address="local")
        _current.set(context)
    return context


def running_context() -> ActionContext | None:
    """The context of the running request or command, if one was set (for log lines)."""
    return _current.get()


@contextmanager
def action_context(client_address: str, request_id: str | None = None) -> Iterator[ActionContext]:
    """Run a block (a request, a CLI command, a task) under one request id."""
    context = ActionContext(request_id=request_id or str(uuid.uuid4()), client_address=client_address)
    token = _current.set(context)
    try:
        yield context
    finally:
        _current.reset(token)
