"""Process metrics and the end of an environment on macOS and Windows (psutil), tested with fakes here."""

from __future__ import annotations

import types
from collections import namedtuple
from typing import Any

import pytest

from invokers import processes
from invokers.engine import Engine
from tests.conftest import MakeFunction

MacInfo = namedtuple("MacInfo", "rss vms")
WindowsInfo = namedtuple("WindowsInfo", "rss vms peak_wset")


class FakePsutil(types.ModuleType):
    """psutil as it answers on another OS; the figures come from Linux's /proc so limits are real."""

    Error = OSError

    def __init__(self, with_peak: bool, environments: dict[int, dict[str, str]] | None = None) -> None:
        super().__init__("psutil")
        self.with_peak = with_peak
        self.environments = environments or {}
        self.asked: list[int] = []
        fake = self

        class Process:
            def __init__(self, pid: int) -> None:
                self.pid = pid

            def memory_info(self) -> Any:
                fake.asked.append(self.pid)
                rss, hwm = processes._proc_status(self.pid)
                if not rss:
                    raise OSError("no such process")
                if fake.with_peak:
                    return WindowsInfo(rss * 1024, 0, hwm * 1024)
                return MacInfo(rss * 1024, 0)

            def environ(self) -> dict[str, str]:
                return fake.environments.get(self.pid, {})

            def children(self, recursive: bool = False) -> list[Any]:
                return []

        self.Process = Process
        self.process_iter = lambda: [Process(pid) for pid in self.environments]


def _as(monkeypatch: pytest.MonkeyPatch, platform: str, fake: FakePsutil) -> None:
    monkeypatch.setattr(processes, "sys", types.SimpleNamespace(platform=platform))
    monkeypatch.setitem(__import__("sys").modules, "psutil", fake)


def test_macos_reads_rss_through_psutil_and_has_no_peak_of_its_own(monkeypatch: pytest.MonkeyPatch) -> None:
    fake = FakePsutil(with_peak=False)
    _as(monkeypatch, "darwin", fake)
    rss, peak = processes.memory_kb(__import__("os").getpid())
    assert rss > 1000 and peak == 0 and fake.asked


def test_windows_reads_the_peak_working_set(monkeypatch: pytest.MonkeyPatch) -> None:
    _as(monkeypatch, "win32", FakePsutil(with_peak=True))
    rss, peak = processes.memory_kb(__import__("os").getpid())
    assert 1000 < rss <= peak


def test_a_gone_process_reads_as_zero_elsewhere_too(monkeypatch: pytest.MonkeyPatch) -> None:
    _as(monkeypatch, "darwin", FakePsutil(with_peak=False))
    assert processes.memory_kb(2 ** 22 + 12345) == (0, 0)


def test_marked_processes_are_found_through_psutil_elsewhere(monkeypatch: pytest.MonkeyPatch) -> None:
    _as(monkeypatch, "darwin", FakePsutil(with_peak=False, environments={
        11: {"AWS_LAMBDA_RUNTIME_API": "127.0.0.1:9/svl-abc"}, 12: {"HOME": "/x"},
        13: {"AWS_LAMBDA_RUNTIME_API": "127.0.0.1:9/svl-other"}}))
    assert list(processes.marked("svl-abc")) == [11]


@pytest.mark.parametrize("platform", ["darwin", "win32"])
async def test_memory_limit_and_peak_work_off_linux(make_function: MakeFunction, monkeypatch: pytest.MonkeyPatch,
                                                    platform: str) -> None:
    fake = FakePsutil(with_peak=platform == "win32")
    _as(monkeypatch, platform, fake)
    spec = make_function("""
        def handler(event, context):
            if event.get("grow"):
                blob = bytearray(300 * 1024 * 1024)
                import time; time.sleep(2)
            return "small"
    """, memory_mb=128)
    async with Engine() as engine:
        _, small = await engine.invoke_collect(spec, {})
        _, big = await engine.invoke_collect(spec, {"grow": True})
    assert small.ok and 5 < small.max_memory_mb < 128
    assert big.status == "crashed" and big.error["errorType"] == "Runtime.OutOfMemory"
    assert fake.asked  # the figures came through psutil
