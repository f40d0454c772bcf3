"""``svl-tui serve`` as a user runs it: announce, answer, log each request, publish and withdraw its session."""

from __future__ import annotations

import asyncio
import io
import json
import re
import signal
import subprocess
import sys
import urllib.request
from pathlib import Path

from invokers.cli_output import Painter
from invokers.cli_serve import ACCESS_DELAY_S, AccessLog
from invokers.models import LogRecord
from invokers.serve import session
from invokers.serve.traffic import Traffic


def test_serve_answers_logs_requests_and_cleans_up(tmp_path: Path) -> None:
    (tmp_path / "app.py").write_text("def handler(event, context):\n    print('hello log')\n    return event\n")
    (tmp_path / "svl.yaml").write_text("functions:\n  echo:\n    handler: app.handler\n")
    process = subprocess.Popen([sys.executable, "-m", "tui.entry", "serve", "--port", "0", "--no-reload"],
                               cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        assert process.stderr is not None and process.stdout is not None
        banner = process.stderr.readline()
        match = re.search(r"serving 1 functions on (http://127\.0\.0\.1:\d+) \(this machine only", banner)
        assert match, banner
        url = match.group(1)
        assert session.find(tmp_path) is not None
        request = urllib.request.Request(url + "/2015-03-31/functions/echo/invocations", data=b'{"x": 1}',
                                         method="POST")
        with urllib.request.urlopen(request, timeout=30) as response:
            assert json.loads(response.read()) == {"x": 1}
        access = process.stdout.readline()
        assert re.match(r"\d\d:\d\d:\d\d POST /2015-03-31/functions/echo/invocations 200 [\d.]+ ms -> echo \(cold\)",
                        access), access
    finally:
        process.send_signal(signal.SIGINT)
        _out, err = process.communicate(timeout=30)
    assert process.returncode == 0
    assert "hello log" in err and "serve stopped" in err
    assert session.find(tmp_path) is None and not session.path_for(tmp_path).exists()


def test_serve_refuses_a_bad_port(tmp_path: Path) -> None:
    done = subprocess.run([sys.executable, "-m", "tui.entry", "serve", "--port", "70000"], cwd=tmp_path,
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 2 and "--port 70000" in done.stderr


class Counting(io.StringIO):
    """A stream that counts its writes."""

    writes = 0

    def write(self, text: str) -> int:
        self.writes += 1
        return super().write(text)


async def test_the_access_log_writes_a_batch_of_requests_at_once() -> None:
    out, err = Counting(), Counting()
    log = AccessLog(Painter(err), quiet=False, out=out)
    for path in ("/a", "/b"):
        log(Traffic(face="api", method="GET", path=path, status=200, function="fn", duration_ms=1.5,
                    logs=[LogRecord(0.0, f"START {path}", stream="platform", level="INFO")]))
    assert out.getvalue() == ""  # not yet: within ACCESS_DELAY_S
    await asyncio.sleep(ACCESS_DELAY_S * 5)
    lines = out.getvalue().splitlines()
    assert [line.split(" ", 1)[1] for line in lines] == ["GET /a 200 1.5 ms -> fn", "GET /b 200 1.5 ms -> fn"]
    assert err.getvalue() == "START /a\nSTART /b\n" and (out.writes, err.writes) == (1, 1)
    quiet = AccessLog(Painter(err), quiet=True, out=out)
    quiet(Traffic(face="api", method="GET", path="/c", status=404))
    quiet.flush()  # what serve does when it stops: nothing is left unwritten
    assert out.getvalue().endswith("GET /c 404 0.0 ms\n") and err.getvalue() == "START /a\nSTART /b\n"
