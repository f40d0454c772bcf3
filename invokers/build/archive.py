"""Zip archives as code folders: ``CodeUri: dist/function.zip``, downloaded layers.

Extracted into svl-tui's cache and extracted again when the archive changes
(size or modification time). Entries that would land outside the folder
(``../``, absolute paths) are refused; executable bits are kept, so a
``bootstrap`` inside a zip still runs.
"""

from __future__ import annotations

import json
import os
import shutil
import stat
import zipfile
from pathlib import Path

from . import STAMP, BuildFailed, write_json


def ensure(archive: Path, out: Path) -> bool:
    """Extract ``archive`` into ``out`` unless that was done for this very file; True when it extracted."""
    try:
        info = archive.stat()
    except OSError as exc:
        raise BuildFailed(f"{archive}: cannot read the archive ({exc.strerror})", str(archive)) from exc
    identity = {"size": info.st_size, "mtime_ns": info.st_mtime_ns}
    stamp = out.parent / STAMP
    try:
        if out.is_dir() and json.loads(stamp.read_text(encoding="utf-8")) == identity:
            return False
    except (OSError, ValueError):
        pass
    extract(archive, out)
    write_json(stamp, identity)
    return True


def extract(archive: Path, out: Path) -> None:
    """Unpack into a fresh folder beside ``out``, then swap it in, so a half-written tree is never used."""
    temp = out.with_name(f".{out.name}.{os.getpid()}.tmp")
    shutil.rmtree(temp, ignore_errors=True)
    temp.mkdir(parents=True)
    try:
        with zipfile.ZipFile(archive) as zipped:
            for entry in zipped.infolist():
                target = (temp / entry.filename).resolve()
                if not target.is_relative_to(temp.resolve()):
                    raise BuildFailed(f"{archive}: entry {entry.filename!r} points outside the archive's folder; "
                                      "refusing to extract it", str(archive))
                zipped.extract(entry, temp)
                mode = entry.external_attr >> 16
                if mode and not entry.is_dir():
                    os.chmod(target, stat.S_IMODE(mode) | stat.S_IRUSR)
    except zipfile.BadZipFile as exc:
        shutil.rmtree(temp, ignore_errors=True)
        raise BuildFailed(f"{archive}: not a valid zip archive ({exc})", str(archive)) from exc
    except BaseException:
        shutil.rmtree(temp, ignore_errors=True)
        raise
    old = out.with_name(f".{out.name}.{os.getpid()}.old")
    if out.exists():
        os.replace(out, old)
    os.replace(temp, out)
    shutil.rmtree(old, ignore_errors=True)
