"""svl-tui's own files go where ``invokers.paths`` says; during the tests that is a temporary folder of the
session (tests/state.py), never the user's ``~/.cache/svl-tui`` or ``~/.config/svl-tui``, while the installs
the tests keep for speed stay in the user's real cache folder."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from invokers import paths
from tests import azure_setup, npm_tools
from tests.state import DEMO, USER_CACHE, demo_copy, user_cache_home


def _files(folder: Path) -> dict[str, tuple[int, int]]:
    """Every file under ``folder`` with its size and modification time (nothing when it does not exist)."""
    return {str(p): (p.stat().st_size, p.stat().st_mtime_ns) for p in folder.rglob("*") if p.is_file()}


def test_svl_tuis_config_and_cache_are_the_sessions_not_the_users() -> None:
    real_cache = user_cache_home()
    assert os.environ[USER_CACHE] == str(real_cache)
    for where in (paths.cache_dir(), paths.config_dir()):
        assert where.name == paths.APP
        assert "svl-tui-test-state-" in where.parent.parent.name, where
        assert not where.is_relative_to(real_cache) and not where.is_relative_to(Path.home() / ".config")


def test_the_installs_kept_for_speed_stay_in_the_users_cache() -> None:
    if not os.environ.get("SVL_TEST_CACHE"):  # CI may place the Azure installs elsewhere on purpose
        assert azure_setup.cache_root() == user_cache_home() / "svl-tui" / "tests"
    assert npm_tools._HOME.is_relative_to(user_cache_home())
    assert not npm_tools._HOME.is_relative_to(paths.cache_dir().parent)


def test_an_invoke_of_the_bundled_example_records_its_history_in_the_sessions_cache(tmp_path: Path) -> None:
    """The example's history (what the UI's history and metrics show a newcomer) gets no test runs."""
    users = user_cache_home() / paths.APP / "example-history"
    before = _files(users)
    empty = tmp_path / "no-project"
    empty.mkdir()
    done = subprocess.run([sys.executable, "-m", "tui.entry", "invoke", "orders-api", "--json"], cwd=empty,
                          capture_output=True, text=True, timeout=60, stdin=subprocess.DEVNULL)
    assert done.returncode == 0, done.stderr
    assert "bundled example" in done.stderr
    recorded = paths.cache_dir() / "example-history" / "orders-api.jsonl"
    assert recorded.is_file() and recorded.read_text().strip()
    assert _files(users) == before


def test_cli_runs_inside_the_example_record_in_a_copy_not_in_the_repositorys_example() -> None:
    from tests.invokers.test_cli import svl

    repository = DEMO / ".svl"
    before = _files(repository)
    done = svl("invoke", "orders-api", "-q")
    assert done.returncode == 0, done.stderr
    assert (demo_copy() / ".svl" / "history" / "orders-api.jsonl").read_text().strip()
    assert _files(repository) == before
