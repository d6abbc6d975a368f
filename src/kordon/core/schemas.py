"""API answers shared by every module: a message, and validation problems per field in the same
shape as django-ninja's own 422 answers, so clients handle one format."""

from typing import Any, Literal

from django.core.exceptions import ValidationError
from ninja import Schema, Status

# Text fields refuse NUL: PostgreSQL cannot store it, and no person types it.
NO_NUL = r"^[^\x00]*$"


def one_of(values: list[str]) -> Any:
    """A schema type that takes exactly one of `values` (the codes of a choice)."""
    return Literal[tuple(values)]


class Message(Schema):
    detail: str


class FieldError(Schema):
    loc: list[str | int]
    msg: str
    type: str


class ValidationErrors(Schema):
    detail: list[FieldError]


def validation_response(
    errors: dict[str, list[str]], renamed: dict[str, str] | None = None
) -> Status[dict[str, Any]]:
    """A 422 answer naming each field (as the client sent it) with each problem."""
    renamed = renamed or {}
    return Status(
        422,
        {
            "detail": [
                {
                    "loc": ["body", "payload", *renamed.get(name, name).split(".")],
                    "msg": message,
                    "type": "value_error",
                }
                for name, messages in errors.items()
                for message in messages
            ]
        },
    )


def invalid(error: ValidationError, renamed: dict[str, str] | None = None) -> Status[dict[str, Any]]:
    errors = error.message_dict if hasattr(error, "error_dict") else {"__all__": error.messages}
    return validation_response(errors, renamed)
