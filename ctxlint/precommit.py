"""The pre-commit driver: findings in the changed files, each analysed with its whole project.

``ctxlint-pre-commit`` (:func:`ctxlint.cli.pre_commit_main`) parses the command line
and applies the configuration as ``ctxlint`` does; this module runs the engine once
per project of the files pre-commit passes and keeps only the findings in them.
"""

from __future__ import annotations

from .engine import Options, Result
from .targets import analyse_targets


def analyse_files(files: list[str], options: Options) -> Result:
    """Findings in ``files`` only, each analysed with the rest of its project for context (pre-commit
    passes only the changed files): what ``ctxlint FILE...`` reports."""
    return analyse_targets(files, options)
