"""Writing a file so that nothing is ever half-written: the content goes to a temporary
file beside it, which is renamed into place. Every writer of channelmix (results,
reports, imported scenarios and their draws) goes through here, so every file gets the
permissions a plainly created one would (0666 less the umask, e.g. 0644; an existing
file keeps its own), not the 0600 of a temporary file."""

from __future__ import annotations

import os
import stat
import tempfile
from pathlib import Path
from typing import Callable


def atomic_write(path: Path, write: Callable[[str], object]) -> Path:
    """Let ``write(temporary_path)`` make the file, then rename it into place, so a crash
    never leaves half a file at ``path``."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    os.close(fd)
    try:
        write(tmp)
        os.chmod(tmp, file_mode(path))
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path


def file_mode(path: Path) -> int:
    """The mode a plainly created file would get (or ``path``'s own, when it exists)."""
    try:
        return stat.S_IMODE(path.stat().st_mode)
    except OSError:
        mask = os.umask(0o022)  # reading the umask means setting it; put it straight back
        os.umask(mask)
        return 0o666 & ~mask


def write_atomic(path: Path, text: str) -> Path:
    """Write UTF-8 text atomically (see :func:`atomic_write`)."""
    return atomic_write(Path(path), lambda tmp: Path(tmp).write_text(text, encoding="utf-8", newline=""))
