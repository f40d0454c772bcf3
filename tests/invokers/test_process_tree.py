"""Nothing a handler starts outlives its environment, whichever way the environment or svl-tui ends."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from invokers.engine import Engine
from tests.conftest import REPO, MakeFunction

# A child, a child in a process group of its own, and a double-forked setsid daemon: their pids go to a file.
SPAWNER = """
    import os, subprocess, sys, time
    PIDS = os.path.join(os.path.dirname(os.path.abspath(__file__)), "pids.txt")

    def daemon():
        if os.fork() == 0:
            os.setsid()
            if os.fork() == 0:
                with open(PIDS, "a") as out:
                    out.write(f"{os.getpid()}\\n")
                time.sleep(300)
            os._exit(0)

    def handler(event, context):
        plain = subprocess.Popen(["sleep", "300"])
        grouped = subprocess.Popen(["sleep", "300"], start_new_session=True)
        with open(PIDS, "a") as out:
            out.write(f"{os.getpid()}\\n{plain.pid}\\n{grouped.pid}\\n")
        daemon()
        while len(open(PIDS).read().split()) < 4:
            time.sleep(0.01)
        time.sleep(event.get("sleep", 0))
        return "started"
"""


def _pids(folder: Path) -> list[int]:
    return [int(line) for line in (folder / "pids.txt").read_text().split()]


def _alive(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat", "rb") as stat:
            return stat.read().rsplit(b")", 1)[1].split()[0] != b"Z"  # a zombie has ended
    except OSError:
        return False


def _wait_gone(pids: list[int], seconds: float = 5.0) -> list[int]:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        left = [pid for pid in pids if _alive(pid)]
        if not left:
            return []
        time.sleep(0.05)
    return [pid for pid in pids if _alive(pid)]


@pytest.mark.parametrize("how", ["recycle", "timeout", "close"])
async def test_every_process_of_an_environment_ends_with_it(make_function: MakeFunction, how: str) -> None:
    spec = make_function(SPAWNER, timeout_s=1)
    folder = Path(spec.code_dir)
    engine = Engine()
    _, result = await engine.invoke_collect(spec, {"sleep": 5 if how == "timeout" else 0})
    pids = _pids(folder)
    assert len(pids) == 4
    if how == "timeout":
        assert result.status == "timeout"
    else:
        assert result.ok and all(_alive(pid) for pid in pids)
    if how == "recycle":
        await engine.recycle(spec.name)
    await engine.close()
    assert _wait_gone(pids) == []


def _cli(folder: Path) -> subprocess.Popen[str]:
    return subprocess.Popen([sys.executable, "-m", "tui.entry", "invoke", "fn", "--data", '{"sleep": 300}'],
                            cwd=folder, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            env={**os.environ, "PYTHONPATH": str(REPO)})


@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM, signal.SIGHUP, signal.SIGKILL])
def test_nothing_outlives_the_cli_whatever_ends_it(tmp_path: Path, sig: signal.Signals) -> None:
    """ctrl+c, SIGTERM, SIGHUP, or the parent killed outright (the worker notices and ends its tree)."""
    (tmp_path / "app.py").write_text(textwrap.dedent(SPAWNER))
    (tmp_path / "svl.yaml").write_text("functions:\n  fn:\n    handler: app.handler\n    timeout: 600\n")
    cli = _cli(tmp_path)
    deadline = time.monotonic() + 30
    while not ((tmp_path / "pids.txt").exists() and len(_pids(tmp_path)) == 4):
        assert time.monotonic() < deadline and cli.poll() is None, "the handler did not start"
        time.sleep(0.02)
    pids = _pids(tmp_path)
    cli.send_signal(sig)
    _out, err = cli.communicate(timeout=30)
    assert _wait_gone(pids) == []
    assert "Traceback" not in err
    if sig != signal.SIGKILL:
        assert cli.returncode == 128 + sig


# A custom runtime (provided.al2023): the bootstrap takes the event, starts a child and a double-forked setsid
# daemon, writes their pids and then never answers. It knows nothing of svl-tui, so it cannot notice its death.
CUSTOM_BOOTSTRAP = f"""#!{sys.executable}
import os, subprocess, time, urllib.request
PIDS = os.path.join(os.path.dirname(os.path.abspath(__file__)), "pids.txt")
api = "http://" + os.environ["AWS_LAMBDA_RUNTIME_API"] + "/2018-06-01/runtime/invocation/"
urllib.request.urlopen(api + "next").read()
child = subprocess.Popen(["sleep", "300"])
if os.fork() == 0:
    os.setsid()
    if os.fork() == 0:
        with open(PIDS, "a") as out:
            out.write(f"{{os.getpid()}}\\n")
        time.sleep(300)
    os._exit(0)
while not os.path.exists(PIDS):
    time.sleep(0.01)
with open(PIDS, "a") as out:
    out.write(f"{{os.getpid()}}\\n{{child.pid}}\\n")
time.sleep(300)
"""


def test_a_custom_runtime_ends_when_svl_tui_is_killed(tmp_path: Path) -> None:
    """kill -9 of svl-tui: the custom bootstrap, its child and its setsid daemon are gone within seconds."""
    bootstrap = tmp_path / "bootstrap"
    bootstrap.write_text(CUSTOM_BOOTSTRAP)
    bootstrap.chmod(0o755)
    (tmp_path / "template.yaml").write_text(
        "Resources:\n  fn:\n    Type: AWS::Serverless::Function\n"
        "    Properties: {CodeUri: ., Handler: bootstrap, Runtime: provided.al2023, Timeout: 600}\n")
    cli = _cli(tmp_path)
    deadline = time.monotonic() + 30
    while not ((tmp_path / "pids.txt").exists() and len(_pids(tmp_path)) == 3):
        assert time.monotonic() < deadline and cli.poll() is None, "the bootstrap did not start"
        time.sleep(0.02)
    pids = _pids(tmp_path)
    assert all(_alive(pid) for pid in pids)
    cli.kill()
    cli.communicate(timeout=30)
    assert _wait_gone(pids) == []


# The bootstrap's own end of an environment (the engine gone): it kills the processes marked with this
# environment's address. Run by hand with a short key, it once killed every process whose environment held
# that string anywhere (nearly the whole machine for a root user): only the whole entry with a full key counts.
END_ENVIRONMENT = """
import importlib.util, sys
spec = importlib.util.spec_from_file_location("svl_python_process", sys.argv[1])
module = importlib.util.module_from_spec(spec)
spec.loader.exec_module(module)
module.end_environment(sys.argv[2])
"""


def _sleeper(**env: str) -> subprocess.Popen[bytes]:
    return subprocess.Popen(["sleep", "60"], env={**os.environ, **env}, start_new_session=True)


def _end_environment(runtime_api: str) -> None:
    subprocess.run([sys.executable, "-c", END_ENVIRONMENT, str(REPO / "invokers/bootstrap/python_process.py"),
                    runtime_api], start_new_session=True, timeout=30, check=False)


def test_the_bootstrap_ends_only_processes_marked_with_its_whole_address() -> None:
    key = "svl-" + "0123456789abcdef" * 2
    address = f"127.0.0.1:9/{key}"
    marked = _sleeper(AWS_LAMBDA_RUNTIME_API=address)
    elsewhere = _sleeper(SOME_SETTING=address)  # the same text under another name
    other_port = _sleeper(AWS_LAMBDA_RUNTIME_API=f"127.0.0.1:19/{key}")
    try:
        _end_environment(address)
        assert marked.wait(timeout=10) == -signal.SIGKILL
        assert elsewhere.poll() is None and other_port.poll() is None
    finally:
        for process in (marked, elsewhere, other_port):
            process.kill()
            process.wait()


def test_a_bootstrap_run_by_hand_with_a_short_key_ends_nothing_else() -> None:
    bystander = _sleeper(AWS_LAMBDA_RUNTIME_API="127.0.0.1:9/k", NOTE="k")
    try:
        _end_environment("127.0.0.1:9/k")
        with pytest.raises(subprocess.TimeoutExpired):  # a kill sent before the bootstrap exited would land
            bystander.wait(timeout=0.5)
    finally:
        bystander.kill()
        bystander.wait()
