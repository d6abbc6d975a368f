"""Writing a benchmark's figures into its own section of docs/benchmarks.md."""

import datetime
import json
import os
import platform
import re
from pathlib import Path
from typing import Any

RESULTS = Path(__file__).resolve().parent.parent / "docs" / "benchmarks.md"


def write_section(heading: str, command: str, results: list[dict[str, Any]]) -> None:
    """Replace the section `heading` of docs/benchmarks.md with `results` as JSON lines."""
    machine = f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}"
    section = "\n".join([
        f"## {heading}", "",
        f"Measured {datetime.date.today()} on {machine} by `{command}` (also run by `make bench`).",
        "", "Raw figures (JSON lines):", "", "```", *(json.dumps(result, ensure_ascii=False) for result in results),
        "```", "",
    ])  # fmt: skip
    text = RESULTS.read_text(encoding="utf-8") if RESULTS.exists() else "# Benchmarks\n\n"
    text = re.sub(rf"## {re.escape(heading)}\n.*?(?=\n## |\Z)", "", text, flags=re.S).rstrip()
    RESULTS.write_text(text + "\n\n" + section, encoding="utf-8")
