"""The built wheel runs: installed into a fresh virtual environment outside the source tree,
`mailfeed serve --demo` serves a styled page (templates and static files are package data).

Slow (about a minute: a wheel, a venv, the dependencies from the pip cache), but it is the
only test that sees what a user who runs `pip install` gets.
"""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import urllib.request
from pathlib import Path

from tests.conftest import ROOT, free_port
from tests.gateway_support import wait_port


def run(*args: str | Path, cwd: Path, env: dict[str, str] | None = None) -> str:
    done = subprocess.run(
        [str(a) for a in args], cwd=cwd, env=env, capture_output=True, text=True, timeout=600
    )
    assert done.returncode == 0, f"{args}: {done.stdout}\n{done.stderr}"
    return done.stdout


def fetch(url: str) -> tuple[int, str, bytes]:
    with urllib.request.urlopen(url, timeout=20) as response:
        return response.status, response.headers.get("Content-Type", ""), response.read()


def test_the_installed_wheel_serves_a_styled_page(tmp_path: Path) -> None:
    # Nothing of the source tree may leak in: no PYTHONPATH, a working dir outside it.
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith("MAILFEED_") and k not in {"PYTHONPATH", "VIRTUAL_ENV"}
    }
    run(
        sys.executable,
        "-m",
        "pip",
        "wheel",
        "--no-deps",
        "-q",
        "-w",
        tmp_path / "dist",
        ROOT,
        cwd=tmp_path,
        env=env,
    )
    (wheel,) = (tmp_path / "dist").glob("mailfeed-*.whl")
    venv = tmp_path / "venv"
    run(sys.executable, "-m", "venv", venv, cwd=tmp_path, env=env)
    # By the wheel's path: a bare `mailfeed` would be another project's package on PyPI.
    run(
        venv / "bin" / "pip",
        "install",
        "-q",
        "-c",
        ROOT / "constraints.txt",
        wheel,
        cwd=tmp_path,
        env=env,
    )

    where = run(
        venv / "bin" / "python",
        "-c",
        "import mailfeed.web, pathlib; print(pathlib.Path(mailfeed.web.__file__))",
        cwd=tmp_path,
        env=env,
    ).strip()
    assert Path(where).is_relative_to(venv) and not Path(where).is_relative_to(ROOT)
    site_packages = Path(where).parents[2]
    generic = {"web", "parsers", "publisher", "gateway", "templates"}
    assert generic.isdisjoint(p.name for p in site_packages.iterdir())

    smtp_port, web_port = free_port(), free_port()
    workdir = tmp_path / "run"
    workdir.mkdir()
    env.update(
        MAILFEED_DATA_DIR=str(workdir / "data"),
        MAILFEED_SMTP_LISTEN=f"127.0.0.1:{smtp_port}",
        MAILFEED_WEB_LISTEN=f"127.0.0.1:{web_port}",
    )
    log = (workdir / "serve.log").open("wb")
    proc = subprocess.Popen(
        [str(venv / "bin" / "mailfeed"), "serve", "--demo"],
        cwd=workdir,
        env=env,
        stdout=log,
        stderr=log,
    )
    try:
        wait_port(web_port, timeout=60)
        base = f"http://127.0.0.1:{web_port}"
        status, content_type, page = fetch(base + "/")
        html = page.decode()
        assert status == 200 and content_type.startswith("text/html"), html[:500]
        stylesheets = re.findall(
            r'<link[^>]+rel="stylesheet"[^>]+href="([^"]+)"', html
        ) or re.findall(r'<link[^>]+href="([^"]+\.css)"', html)
        assert stylesheets, html[:1000]
        for href in stylesheets:
            status, content_type, css = fetch(base + href)
            assert status == 200 and content_type.startswith("text/css"), href
            assert re.search(rb"[\w\.\#\-\]\)]\s*\{[^}]*:[^}]*\}", css), css[:200]
    finally:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=20)
        finally:
            if proc.poll() is None:
                proc.kill()
                proc.wait()
            log.close()
    assert proc.returncode == 0, (workdir / "serve.log").read_text(errors="replace")
