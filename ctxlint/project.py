"""A file's project, and ``ctxlint-pre-commit``.

Tools that hand ctxlint single files (flake8, pre-commit, editors) still need
the whole project for context: a thread target in ``views.py`` reaches
``request`` through ``helpers.py``.  The project is the nearest directory above
the file that holds ``pyproject.toml``, ``setup.cfg``, ``setup.py`` or ``.git``.
"""

from __future__ import annotations

import os
import sys

from .engine import Options, Result, analyse
from .findings import Finding

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


def by_project(paths: list[str]) -> dict[str, list[str]]:
    """Group paths by project root, keeping their order."""
    groups: dict[str, list[str]] = {}
    for p in paths:
        groups.setdefault(find_project_root(p), []).append(p)
    return groups


# ---- ctxlint-pre-commit ---------------------------------------------------------------------------

def analyse_files(files: list[str], options: Options) -> Result:
    """Findings in ``files`` only, each analysed with the rest of its project for context (pre-commit
    passes only the changed files)."""
    merged = Result([], [], 0)
    for root, group in by_project(files).items():
        # the root first: files found by walking it get the import names the rest of the project uses
        result = analyse([root, *group], options, report_only=set(group))
        merged.findings.extend(result.findings)
        merged.errors.extend(result.errors)
    merged.files = len(files)
    merged.findings.sort(key=Finding.sort_key)
    return merged


def pre_commit_main(argv: list[str] | None = None) -> int:
    """The ``ctxlint-pre-commit`` entry point (see ``ctxlint.cli.pre_commit_main``)."""
    from .cli import pre_commit_main as run

    return run(argv)


if __name__ == "__main__":  # pragma: no cover
    sys.exit(pre_commit_main())
