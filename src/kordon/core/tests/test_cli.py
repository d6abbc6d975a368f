"""`kordon` is the one entry point: it runs Django's commands and serves the app over HTTP."""

import socket
import time
import urllib.request
from pathlib import Path

from kordon.conftest import ScratchNode


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def test_kordon_runs_djangos_commands(scratch_node: ScratchNode) -> None:
    assert "showmigrations" in scratch_node.run("help").stdout
    assert "[X] 0001_initial" in scratch_node.run("showmigrations", "seizures").stdout


def test_kordon_serve_serves_the_login_page_with_its_own_static_files(
    scratch_node: ScratchNode, collected_static: Path
) -> None:
    scratch_node.use_static(collected_static)
    port = free_port()
    server = scratch_node.start("serve", "--host", "127.0.0.1", "--port", str(port), "--workers", "1")
    try:
        page, final_url = "", ""
        for _attempt in range(60):
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=2) as response:
                    page = response.read().decode()
                    final_url = response.url
                break
            except OSError:
                time.sleep(0.5)
        assert "/login/" in final_url and 'name="password"' in page
        stylesheet = page.split('rel="stylesheet" href="')[1].split('"')[0]
        with urllib.request.urlopen(f"http://127.0.0.1:{port}{stylesheet}", timeout=5) as response:
            assert response.status == 200 and b"bootstrap" in response.read(4000).lower()
    finally:
        server.terminate()
        server.wait(timeout=30)
