"""A throwaway Kordon node for benchmarks: its own data folder and database, driven through the
real `kordon` command, with the peak memory of a command and its worker processes measured."""

import os
import socket
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

KORDON = str(Path(sys.executable).with_name("kordon"))


def _children(pid: int) -> list[int]:
    found = []
    for task in Path(f"/proc/{pid}/task").glob("*"):
        try:
            found.extend(int(child) for child in (task / "children").read_text().split())
        except OSError:
            continue
    return found


def _rss_kb(pid: int) -> int:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    except OSError:
        return 0
    return 0


@dataclass
class Measured:
    seconds: float
    peak_rss_mb: float
    stdout: str


class Node:
    def __init__(self, root: Path, database_url: str | None = None) -> None:
        root.mkdir(parents=True, exist_ok=True)
        self.root = root
        self.env = {key: value for key, value in os.environ.items() if not key.startswith("KORDON_")}
        self.env.pop("DJANGO_SETTINGS_MODULE", None)
        self.env.update({
            "KORDON_DATA_DIR": str(root),
            "KORDON_SECRET_KEY": "benchmark-node-secret-key-0123456789abcdef",
            "KORDON_LOG_LEVEL": "WARNING",
            # The benchmark's supervisors get API tokens by password; a two-factor code would need
            # an app per simulated client and measures nothing about the node.
            "KORDON_TWO_FACTOR": "optional",
        })  # fmt: skip
        if database_url:
            self.env["KORDON_DATABASE_URL"] = database_url

    def run(self, *args: str) -> str:
        result = subprocess.run([KORDON, *args], env=self.env, capture_output=True, text=True, check=False)
        if result.returncode != 0:
            raise RuntimeError(f"kordon {' '.join(args)} failed:\n{result.stdout}\n{result.stderr}")
        return result.stdout

    def measure(self, *args: str) -> Measured:
        """Run a command; wall time and the peak of its memory together with its worker processes.
        Its output goes to files: a pipe nobody reads while it runs would stall a talkative command."""
        started = time.perf_counter()
        with tempfile.TemporaryFile("w+") as stdout, tempfile.TemporaryFile("w+") as stderr:
            process = subprocess.Popen([KORDON, *args], env=self.env, stdout=stdout, stderr=stderr, text=True)
            peak = 0
            while process.poll() is None:
                pids = [process.pid, *_children(process.pid)]
                pids += [grandchild for pid in pids[1:] for grandchild in _children(pid)]
                peak = max(peak, sum(_rss_kb(pid) for pid in pids))
                time.sleep(0.05)
            seconds = time.perf_counter() - started
            stdout.seek(0)
            stderr.seek(0)
            output, errors = stdout.read(), stderr.read()
        if process.returncode != 0:
            raise RuntimeError(f"kordon {' '.join(args)} failed:\n{output}\n{errors}")
        return Measured(seconds, peak / 1024, output)

    def serve(self, workers: int = 2, threads: int = 1) -> tuple[subprocess.Popen[Any], str]:
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            port = probe.getsockname()[1]
        server = subprocess.Popen(
            [KORDON, "serve", "--host", "127.0.0.1", "--port", str(port), "--workers", str(workers),
             "--threads", str(threads)],
            env=self.env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )  # fmt: skip
        base = f"http://127.0.0.1:{port}"
        for _attempt in range(100):
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=1):
                    return server, base
            except OSError:
                time.sleep(0.2)
        server.kill()
        raise RuntimeError("the server did not start")
