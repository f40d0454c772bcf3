"""``svl-tui serve`` as a user runs it: announce, answer, log each request, publish and withdraw its session."""

from __future__ import annotations

import json
import re
import signal
import subprocess
import sys
import urllib.request
from pathlib import Path

from invokers.serve import session


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
