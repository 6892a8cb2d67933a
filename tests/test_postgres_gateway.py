"""The whole gateway on PostgreSQL, the scale-out target: `mailfeed db upgrade`, then
`serve` against it, a mail in, the thread out.  `serve` refuses an outdated schema."""

from __future__ import annotations

import smtplib
import subprocess
from pathlib import Path

from tests.conftest import DATA
from tests.db_support import _pg_database
from tests.gateway_support import GatewayProcess, free_port, mailfeed_command, wait_port


def test_serve_on_postgresql(tmp_path: Path) -> None:
    for url in _pg_database():
        check(tmp_path, url)


def check(tmp_path: Path, url: str) -> None:
    data = tmp_path / "data"
    data.mkdir()
    env = {
        "MAILFEED_DATA_DIR": str(data),
        "MAILFEED_DATABASE_URL": url,
        "MAILFEED_GATEWAY_ADDRESSES": "feed@firma.se",
        "MAILFEED_AUTH": "open",
        "MAILFEED_SMTP_LISTEN": f"127.0.0.1:{free_port()}",
        "MAILFEED_WEB_LISTEN": f"127.0.0.1:{free_port()}",
    }
    refused = subprocess.run(
        [*mailfeed_command(), "serve"], env=env, capture_output=True, text=True, timeout=60
    )
    assert refused.returncode != 0 and "mailfeed db upgrade" in refused.stderr
    subprocess.run(
        [*mailfeed_command(), "db", "upgrade"], env=env, check=True, capture_output=True, timeout=60
    )
    gw = GatewayProcess(
        data,
        int(env["MAILFEED_SMTP_LISTEN"].rpartition(":")[2]),
        int(env["MAILFEED_WEB_LISTEN"].rpartition(":")[2]),
        env,
    )
    gw.start()
    try:
        wait_port(gw.smtp_port)
        with smtplib.SMTP("127.0.0.1", gw.smtp_port, timeout=10) as c:
            c.sendmail(
                "johan.lind@firma.se",
                ["feed@firma.se"],
                (DATA / "e2e" / "outlook_sv_five_days.eml").read_bytes(),
            )
        threads = gw.wait_until(lambda: gw.api("/api/threads")["threads"], timeout=10)
        assert threads[0]["posts"] == 5
        detail = gw.api(f"/api/threads/{threads[0]['id']}")
        assert detail["posts"][0]["author"]["name"] == "Anna Berg"
        status, page, _ = gw.get("/search?q=konferensrummet")
        assert status == 200 and f"/t/{threads[0]['id']}-" in page.decode()
        _, page, _ = gw.get("/search?q=xyzzyplugh")
        assert f"/t/{threads[0]['id']}-" not in page.decode()
    finally:
        gw.stop()
