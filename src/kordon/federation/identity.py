"""This node's Ed25519 key, and signing and checking change sets with it.

The private key lives in a file in the node's data directory (readable by the node's user only),
made at the first use; the node is known to its peers by its name and its public key. A change
set is signed over its canonical JSON (sorted keys, no spaces, UTF-8), so the signature does not
depend on how a transport re-encodes it. Change sets are megabytes of JSON, written and read
with orjson: the standard library's encoder took a fifth of the time of a first sync.
"""

import base64
import binascii
import os
from pathlib import Path
from typing import Any

import orjson
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _


class BadSignature(Exception):
    """The change set was not signed by the key it claims, or was changed after signing."""


def key_path() -> Path:
    return Path(settings.DATA_DIR) / "federation" / "node.key"


def node_name() -> str:
    return str(settings.KORDON_NODE_NAME)


def private_key() -> Ed25519PrivateKey:
    """The node's key, made on first use. The file is created with mode 0600 in one step, so
    there is no moment when another user could read it."""
    path = key_path()
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        raw = Ed25519PrivateKey.generate().private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
        try:
            descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:  # another process made it first: use theirs
            pass
        else:
            with os.fdopen(descriptor, "wb") as file:
                file.write(raw)
    key = serialization.load_pem_private_key(path.read_bytes(), password=None)
    if not isinstance(key, Ed25519PrivateKey):
        raise ValueError(f"{path} does not hold an Ed25519 key")
    return key


def public_key_text(key: Ed25519PrivateKey | None = None) -> str:
    """The public key as base64 of its 32 raw bytes: what an administrator gives to a peer."""
    raw = (
        (key or private_key())
        .public_key()
        .public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    )
    return base64.b64encode(raw).decode()


def load_public_key(text: str) -> Ed25519PublicKey:
    """A peer's public key from its base64 text; ValueError when it is not one."""
    try:
        raw = base64.b64decode(text.strip(), validate=True)
    except (binascii.Error, ValueError) as error:
        raise ValueError("the public key is not base64 text") from error
    if len(raw) != 32:
        raise ValueError("an Ed25519 public key is 32 bytes")
    return Ed25519PublicKey.from_public_bytes(raw)


def validate_public_key(text: str) -> None:
    """For forms: the text must be an Ed25519 public key as `kordon federation identity` prints it."""
    try:
        load_public_key(text)
    except ValueError:
        raise ValidationError(
            _("This is not a public key: copy it again from `kordon federation identity` on that node.")
        ) from None


def canonical(body: dict[str, Any]) -> bytes:
    return orjson.dumps(body, option=orjson.OPT_SORT_KEYS)


def sign(body: dict[str, Any]) -> dict[str, Any]:
    """The envelope that travels: the body and the signature over it."""
    signature = private_key().sign(canonical(body))
    return {"body": body, "signature": base64.b64encode(signature).decode()}


def signed(body: dict[str, Any]) -> bytes:
    """The envelope as JSON text, ready to travel: the body is encoded once, for the signature
    and for the text alike."""
    text = canonical(body)
    signature = base64.b64encode(private_key().sign(text))
    return b'{"body":' + text + b',"signature":"' + signature + b'"}'


def verify(envelope: dict[str, Any], public_key: str) -> None:
    try:
        signature = base64.b64decode(str(envelope["signature"]), validate=True)
        load_public_key(public_key).verify(signature, canonical(envelope["body"]))
    except (KeyError, TypeError, ValueError, binascii.Error, InvalidSignature) as error:
        raise BadSignature from error
