"""What a command line names: directories analysed as they are, files each analysed with its whole project.

``ctxlint app/routes.py`` must not say "All clear" where ``flake8 app/routes.py`` and the pre-commit hook
report a finding that crosses into ``app/helpers.py``: a named file is analysed together with the rest of
its project (:func:`ctxlint.discover.find_project_root`) and only its own findings are reported.  A
directory is the project to analyse (``ctxlint .``, ``ctxlint services/billing``).

Standard input (``ctxlint - --stdin-filename app/routes.py``) is the text of the named file: it replaces
the file on disk, or stands for a file not yet saved.
"""

from __future__ import annotations

import os

from .discover import by_project
from .findings import Finding
from .options import Options, Result

STDIN = "-"


def is_named_file(path: str, overrides: dict[str, bytes] | None = None) -> bool:
    """Whether ``path`` names one file (rather than a directory to walk): a file on disk, or text in
    ``overrides`` (standard input) for a path that is not a directory."""
    if os.path.isdir(path):
        return False
    return os.path.isfile(path) or os.path.abspath(path) in (overrides or {})


PYTHON_SUFFIXES = (".py", ".pyw", ".pyi")


def looks_like_python(path: str) -> bool:
    """Whether a named file is Python: a ``.py``/``.pyw``/``.pyi`` name, or a ``#!`` line that runs python (a
    script such as ``manage``).  A file that cannot be read counts (the engine reports why)."""
    if path.endswith(PYTHON_SUFFIXES):
        return True
    try:
        with open(path, "rb") as fh:
            first = fh.read(256).split(b"\n", 1)[0]
    except OSError:
        return True
    return first.startswith(b"#!") and b"python" in first


def analyse_targets(paths: list[str], options: Options, overrides: dict[str, bytes] | None = None) -> Result:
    """The findings the command line reports for ``paths``: in the directories given (each run analyses
    them together as one project), and in each named file analysed with its project.  ``overrides``
    maps absolute paths to text used instead of the file on disk."""
    from .engine import analyse

    files, directories = _split(paths, overrides)
    merged = Result([], [], 0)
    keys: list[str | None] = []
    if directories:
        result = analyse(directories, options, overrides=overrides)
        keys.append(result.key)
        merged.findings.extend(result.findings)
        merged.errors.extend(result.errors)
        merged.files += result.files
    for group, project in _projects(files):
        result = analyse(project, options, overrides=overrides, report_only=set(group))
        keys.append(result.key)
        merged.findings.extend(result.findings)
        merged.errors.extend(e for e in result.errors if e not in merged.errors)
    merged.files += len({os.path.realpath(p) for p in files})
    seen: set[tuple[str, int, int, str]] = set()
    unique: list[Finding] = []
    for f in merged.findings:
        key = (os.path.abspath(f.path), f.line, f.column, f.code)
        if key not in seen:
            seen.add(key)
            unique.append(f)
    merged.findings = sorted(unique, key=Finding.sort_key)
    if keys and all(keys):
        merged.key = "+".join(k for k in keys if k)
    return merged


def fix_paths(paths: list[str], overrides: dict[str, bytes] | None = None) -> tuple[list[str], set[str], list[str]]:
    """For ``--fix`` and ``--diff``: the paths to analyse as one (the directories given, and each named file's
    project with the file), the absolute paths of the named files, and the absolute directories given
    (findings elsewhere are not reported nor fixed)."""
    files, directories = _split(paths, overrides)
    expanded = list(directories)
    for _, project in _projects(files):
        expanded += project
    return expanded, {os.path.abspath(p) for p in files}, [os.path.abspath(d) for d in directories]


def _split(paths: list[str], overrides: dict[str, bytes] | None) -> tuple[list[str], list[str]]:
    """The named files of ``paths`` and the rest (the directories)."""
    files = [p for p in paths if is_named_file(p, overrides)]
    named = set(files)
    return files, [p for p in paths if p not in named]


def _projects(files: list[str]) -> list[tuple[list[str], list[str]]]:
    """Named files grouped by project: each group, and the paths to analyse it with (its project)."""
    # the root first: files found by walking it get the import names the rest of the project uses
    # (a file from standard input may name a folder not on disk: then it has no project to walk)
    return [(group, [root, *group] if os.path.isdir(root) else group) for root, group in by_project(files).items()]


def under(path: str, files: set[str], directories: list[str]) -> bool:
    """Whether the finding path ``path`` is one of ``files`` or inside one of ``directories``."""
    full = os.path.abspath(path)
    if full in files:
        return True
    return any(full == d or full.startswith(d.rstrip(os.sep) + os.sep) for d in directories)
