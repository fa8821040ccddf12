"""ctxlint's own findings: CTX900 (a file that cannot be parsed) and CTX001 (an unused suppression)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

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


class TemplateParseError(Rule):
    code = "CTX901"
    name = "template-cannot-parse"
    summary = ("a template the project renders could not be parsed by jinja2; what it reads and calls is not "
               "analysed")
    reported_at = "the error's line in the template (for `render_template_string`, in the Python file)"
    why = ("ctxlint follows a render call into its template, parsed with jinja2 (never rendered), to find the "
           "`request`, `session` and `url_for` it reaches. Rendering a template Jinja cannot parse raises "
           "`TemplateSyntaxError`, and ctxlint cannot see what it reads. The tags of Jinja extensions it does "
           "not load (`{% cache %}`, `{% assets %}`) are no error: their arguments are skipped and their body "
           "read. A file in a template folder that no render call reaches is not parsed.")
    example = ("@app.cli.command()\n"
               "def notify():\n"
               "    print(render_template_string(\"{% if user %}Hello {{ user }}\", user=\"admin\"))")
    fixed = ("@app.cli.command()\n"
             "def notify():\n"
             "    print(render_template_string(\"{% if user %}Hello {{ user }}{% endif %}\", user=\"admin\"))")
    assumes = ("from flask import Flask, render_template_string\n\n"
               "app = Flask(__name__)")
    # what rendering the example raises (tests/test_template_errors.py renders it)
    errors = ("jinja2.exceptions.TemplateSyntaxError: Unexpected end of template. Jinja was looking for the "
              "following tags: 'elif' or 'else' or 'endif'. The innermost block that needs to be closed is 'if'.",)
    hint = "fix the template's syntax"

    @staticmethod
    def fix(f: Finding, ctx: FixContext) -> Fix:
        return Fix(SUGGESTION, f"fix the template syntax at {f.path}:{f.line}")


def template_parse_findings(graph: Any) -> list[Finding]:
    """CTX901 for each template the project renders that does not parse."""
    rule = TemplateParseError
    return [Finding(rule.code, path, max(line, 1), 1, max(line, 1), 1, f"cannot parse template: {msg}", rule.hint)
            for path, line, msg in graph.templates.parse_errors()]


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


RULES = (ParseError, TemplateParseError, UnusedSuppression)
BOUNDARIES = ()
