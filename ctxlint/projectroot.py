"""A file's project: the folder its metadata (and the analysis of the whole project) belongs to."""

from __future__ import annotations

import os

PROJECT_MARKERS = ("pyproject.toml", "setup.cfg", "setup.py", ".git")


def _is_marker(directory: str, marker: str) -> bool:
    path = os.path.join(directory, marker)
    if marker != "setup.py":
        return os.path.exists(path)
    # a module named setup.py (CTFd has CTFd/forms/setup.py) is not a project's build script
    if os.path.isfile(os.path.join(directory, "__init__.py")):
        return False
    try:
        with open(path, "rb") as fh:
            head = fh.read(65536)
    except OSError:
        return False
    return b"setuptools" in head or b"distutils" in head


def find_project_root(path: str) -> str:
    """The project directory of ``path`` (a file or a directory; it need not exist).

    The nearest directory at or above it that holds ``pyproject.toml``, ``setup.cfg``,
    ``.git`` or a ``setup.py`` build script (not a module of a package); without
    one, the directory above the outermost package holding ``path``.
    """
    path = os.path.abspath(path)
    start = path if os.path.isdir(path) else os.path.dirname(path)
    d = start
    while True:
        if any(_is_marker(d, marker) for marker in PROJECT_MARKERS):
            return d
        parent = os.path.dirname(d)
        if parent == d:
            break
        d = parent
    d = start
    while os.path.isfile(os.path.join(d, "__init__.py")):
        parent = os.path.dirname(d)
        if parent == d:
            break
        d = parent
    return d
