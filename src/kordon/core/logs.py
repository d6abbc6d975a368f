"""Log lines as JSON (KORDON_LOG_FORMAT=json), one object per line, with the request id that
the audit trail and the X-Request-Id header carry: a log collector can then join the three."""

import datetime
import json
import logging
from typing import Any

from kordon.access.context import running_context


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        line: dict[str, Any] = {
            "time": datetime.datetime.fromtimestamp(record.created, tz=datetime.UTC).isoformat(
                timespec="milliseconds"
            ),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        context = running_context()
        if context is not None:
            line["request_id"] = context.request_id
            line["client"] = context.client_address
        if record.exc_info:
            line["error"] = self.formatException(record.exc_info)
        return json.dumps(line, ensure_ascii=False)
