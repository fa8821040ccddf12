"""ctxlint's own findings: CTX900 (a file that cannot be parsed) and CTX001 (an unused suppression)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..findings import Finding
from ..fixing import SUGGESTION, Fix
from .base import Rule

if TYPE_CHECKING:
    from ..model import Module
    from ..rewrite import FixContext


class ParseError(Rule):
    code = "CTX900"
    name = "cannot-parse"
    summary = ("a file could not be parsed (syntax error, bad encoding, NUL bytes, or past its parse deadline); "
               "the rest of the project is still analysed")
    reported_at = "the error's location"
    why = ("ctxlint reads source without importing it. A file it cannot parse adds no functions, calls or roots "
           "to the analysis, so context misuse in it, or reached through it, goes unreported. Python cannot "
           "import it either, unless it is not Python 3 source at all (a template, a Python 2 script): then "
           "exclude it. A file that takes libcst longer than the parse deadline (`--parse-timeout`, 30 s per MiB) "
           "is given up on, and reported here, so that one generated file cannot stall every run.")
    example = "print \"hello\""
    fixed = "print(\"hello\")"
    hint = "fix the syntax error or the encoding"

    @classmethod
    def finding(cls, module: Module) -> Finding:
        """The finding of a module whose summary holds a parse error."""
        assert module.error is not None
        msg, line, col = module.error
        return Finding(cls.code, module.path, max(line, 1), col + 1, max(line, 1), col + 1, f"cannot parse: {msg}",
                       cls.hint)

    @staticmethod
    def fix(f: Finding, ctx: FixContext) -> Fix:
        return Fix(SUGGESTION, f"fix the syntax or encoding error at {f.path}:{f.line}:{f.column}")


class UnusedSuppression(Rule):
    code = "CTX001"
    name = "unused-suppression"
    summary = ("a `# noqa: CTX…` code or a `# ctxlint: ignore` comment suppresses no finding (reported with "
               "`--report-unused-noqa`, or when CTX001 is selected by name)")
    reported_at = "the comment"
    why = ("A suppression outlives the code it was written for. Left in place, it silently hides the next "
           "finding on that line. A bare `# noqa` and other tools' codes are left alone: they may be "
           "another linter's.")
    example = "pool.submit(build_report, ids, agent)  # noqa: CTX201"
    fixed = "pool.submit(build_report, ids, agent)"
    assumes = ("from concurrent.futures import ThreadPoolExecutor\n\n"
               "pool = ThreadPoolExecutor()\n"
               "ids = agent = None\n\n\n"
               "def build_report(ids, agent):\n"
               "    return ids, agent")
    hint = "remove the comment, or the codes in it that match nothing"


    @classmethod
    def finding(cls, path: str, line: int, column: int, text: str, msg: str) -> Finding:
        """The finding of the suppression comment ``text`` at ``line``, ``column`` (1-based, of the ``#``)."""
        return Finding(cls.code, path, line, column, line, column + len(text), f"{msg}; {cls.hint}", cls.hint)


RULES = (ParseError, UnusedSuppression)
BOUNDARIES = ()
