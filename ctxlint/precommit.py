"""The pre-commit driver: findings in the changed files, each analysed with its whole project.

``ctxlint-pre-commit`` (:func:`ctxlint.cli.pre_commit_main`) parses the command line
and applies the configuration as ``ctxlint`` does; this module runs the engine once
per project of the files pre-commit passes and keeps only the findings in them.
"""

from __future__ import annotations

from .discover import by_project
from .engine import Options, Result, analyse
from .findings import Finding


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
