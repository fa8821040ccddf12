"""A file's project, and ``ctxlint-pre-commit``.

Tools that hand ctxlint single files (flake8, pre-commit, editors) still need
the whole project for context: a thread target in ``views.py`` reaches
``request`` through ``helpers.py``.  The project is the nearest directory above
the file that holds ``pyproject.toml``, ``setup.cfg``, ``setup.py`` or ``.git``.
"""

from __future__ import annotations

import os
import sys

from .engine import Options, analyse
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

def pre_commit_main(argv: list[str] | None = None) -> int:
    """``ctxlint-pre-commit FILE...``: analyse the files' projects, report only in the files.

    pre-commit passes only the changed files; the rest of their project is read
    for context.  Takes the same options as ``ctxlint``.  Exit status 1 when the
    files have findings.
    """
    from .cli import build_parser
    from .report import json_report, text_report

    parser = build_parser()
    parser.prog = "ctxlint-pre-commit"
    parser.description = ("Analyse the projects of the given files (as pre-commit passes them) and report "
                          "context misuse in those files only.")
    args = parser.parse_args(argv)
    files = [p for p in args.paths if os.path.isfile(p)]
    for p in args.paths:
        if not os.path.isfile(p):
            print(f"ctxlint: {p}: no such file", file=sys.stderr)
    if not files:
        return 0
    options = Options(select=args.select, ignore=args.ignore, respect_gitignore=args.respect_gitignore)
    findings: list[Finding] = []
    for root, group in by_project(files).items():
        # the root first: files found by walking it get the import names the rest of the project uses
        result = analyse([root, *group], options, report_only=set(group))
        for err in result.errors:
            print(f"ctxlint: {err}", file=sys.stderr)
        findings.extend(result.findings)
    findings.sort(key=Finding.sort_key)
    if args.format == "json":
        sys.stdout.write(json_report(findings))
    else:
        sys.stdout.write(text_report(findings, len(files)))
    sys.stdout.flush()
    return 1 if findings and not args.exit_zero else 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(pre_commit_main())
