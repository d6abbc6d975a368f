import os
import subprocess
import sys
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandParser
from gunicorn.app.base import BaseApplication

from kordon.config.wsgi import application


class KordonServer(BaseApplication):
    """Gunicorn with its configuration taken from our command line rather than its own."""

    def __init__(self, options: dict[str, Any]) -> None:
        self.options = options
        super().__init__()

    def load_config(self) -> None:
        for key, value in self.options.items():
            self.cfg.set(key, value)

    def load(self) -> Any:
        return application


class Command(BaseCommand):
    help = "Serve Kordon over HTTP (gunicorn). Behind a TLS proxy in production; see docs/deploy.md."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1)")
        parser.add_argument("--port", type=int, default=8000, help="port to listen on (default 8000)")
        # Processes rather than threads: Kordon's requests spend most of their time in Python, and
        # threads of one process wait for each other's turn. Under the 50-client load test,
        # 4 processes of one thread answered twice as fast (p50) as 4 processes of 4 threads.
        parser.add_argument(
            "--workers", type=int, default=2 * (os.cpu_count() or 1) + 1, help="worker processes"
        )
        parser.add_argument("--threads", type=int, default=1, help="threads per worker")
        parser.add_argument(
            "--no-background",
            action="store_true",
            help="do not start the background worker (when `kordon work --loop` runs as its own service)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        address = f"{options['host']}:{options['port']}"
        self.stdout.write(f"Kordon ({settings.KORDON_NODE_NAME}) is serving on http://{address}/")
        KordonServer(
            {
                "bind": address,
                "workers": options["workers"],
                "threads": options["threads"],
                "worker_class": "gthread",
                "accesslog": "-",
                "timeout": 120,
                "graceful_timeout": 10,
                # No control socket in the home directory: a node is stopped like any service.
                "control_socket_disable": True,
                **({} if options["no_background"] else background_hooks()),
            }
        ).run()


def background_hooks() -> dict[str, Any]:
    """Gunicorn hooks that run `kordon work --loop` beside the web workers and stop it with them."""
    worker: dict[str, subprocess.Popen[bytes]] = {}

    def when_ready(_server: Any) -> None:
        worker["process"] = subprocess.Popen([sys.executable, "-m", "kordon.config.cli", "work", "--loop"])

    def on_exit(_server: Any) -> None:
        process = worker.get("process")
        if process is not None:
            process.terminate()
            process.wait(timeout=30)

    return {"when_ready": when_ready, "on_exit": on_exit}
