"""Django's JSON-lines fixtures with times to the microsecond.

Django's JSON encoder cuts times to milliseconds, and a restored audit line would then no longer
hash to what it did: the chain would break at its first line. Registered as the "exactjsonl"
serialization format; its deserializer is Django's own (it reads microseconds)."""

import datetime
from typing import Any

from django.core.serializers import jsonl
from django.core.serializers.json import DjangoJSONEncoder


class ExactEncoder(DjangoJSONEncoder):
    def default(self, o: Any) -> Any:
        if isinstance(o, datetime.datetime | datetime.time):
            return o.isoformat()
        return super().default(o)


class Serializer(jsonl.Serializer):
    def _init_options(self) -> None:
        super()._init_options()  # type: ignore[misc]  # not in the stubs
        self.json_kwargs["cls"] = ExactEncoder


Deserializer = jsonl.Deserializer
