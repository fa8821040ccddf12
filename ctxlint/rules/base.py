"""What every rule module is made of: the page class, and the words its messages share.

A rule is a :class:`Rule` subclass in the module of its family
(``ctxlint/rules/<family>.py``): its documentation page (what it finds, why it
breaks, an example and the example fixed), its hint, how its message names the
place the code runs, and its fix maker.  :mod:`ctxlint.rules` collects them.
"""

from __future__ import annotations

import textwrap
from typing import TYPE_CHECKING, ClassVar

from ..analysis.actions import Use
from ..analysis.roots import Root
from ..analysis.values import short_name
from ..findings import Finding, Step

if TYPE_CHECKING:
    from ..fixing import Fix
    from ..propagate import Outcome
    from ..rewrite import FixContext


class Rule:
    """One rule's documentation page, written once.

    ``ctxlint rule CODE`` prints :meth:`doc`, the README's rule table is
    :func:`ctxlint.rules.rules_table`, and SARIF's help text is :meth:`doc` and :meth:`markdown`.
    The example and the fixed example are tests too (``tests/test_rule_examples.py``): the example
    gives the rule's code, the fixed example nothing, and a safe fix turns one into the other.
    """

    code = ""
    name = ""
    summary = ""  # what it finds: one sentence, the README table's "finding" column
    reported_at = ""  # where the finding points
    why = ""  # why it breaks at runtime
    errors: tuple[str, ...] = ()  # the exceptions Flask raises, verbatim
    silent = False  # the bug raises nothing: the code silently does something else (no ``errors``)
    example = ""  # code that has the problem
    fixed = ""  # the same code fixed
    # what the example and the fixed example assume (imports, the app, a pool): not on the page, put
    # above them when they run as tests
    assumes = ""
    hint = ""  # the fix, as the end of every message
    supersedes: ClassVar[tuple[str, ...]] = ()  # codes this rule's finding replaces for the same root
    suffix = ""  # said after what is reached, before the hint

    @classmethod
    def hint_for(cls, root: Root, use: Use) -> str:
        """The hint of a finding whose root is ``root`` and whose first use is ``use``."""
        return cls.hint

    @staticmethod
    def fix(f: Finding, ctx: FixContext) -> Fix | None:
        """The fix of a finding: edits with their applicability, or a suggestion (raising NoFix with
        its words); None: the hint is the suggestion.  ``ctxlint.fixes.fix_for`` calls it."""
        return None

    @classmethod
    def subject(cls, root: Root, entry: str, reached: str) -> str:
        """The start of the message, for roots whose kind has no :class:`Boundary` words of its own."""
        return f"{root.label} {entry} runs with no context but reaches {reached}"

    @classmethod
    def why_heading(cls) -> str:
        return "Why it breaks at runtime" if cls.errors else "Why it matters"

    @classmethod
    def doc(cls) -> str:
        """The rule's page as plain text."""
        out = [f"{cls.code} {cls.name}", "", _fill(_sentence(cls.summary), ""),
               _fill(f"Reported at: {cls.reported_at}.", ""), "", cls.why_heading(), _fill(cls.why, "  ")]
        for err in cls.errors:
            out += ["", _indent(err, "      ")]
        out += ["", "Example", "", _indent(cls.example, "      "), "", "Fix", _fill(_sentence(cls.hint), "  "),
                "", _indent(cls.fixed, "      ")]
        return "\n".join(out) + "\n"

    @classmethod
    def markdown(cls) -> str:
        """The rule's page as Markdown (SARIF ``help.markdown``)."""
        out = [f"## {cls.code} {cls.name}", "", f"**What it finds.** {_sentence(cls.summary)} "
               f"Reported at: {cls.reported_at}.", "", f"**{cls.why_heading()}.** {cls.why}"]
        for err in cls.errors:
            out += ["", "```", err, "```"]
        out += ["", "**Example**", "", "```python", cls.example, "```", "",
                f"**Fix.** {_sentence(cls.hint)}", "", "```python", cls.fixed, "```"]
        return "\n".join(out) + "\n"


def _sentence(text: str) -> str:
    return _capital(text) if text.endswith(".") else _capital(text) + "."


def _capital(text: str) -> str:
    return text[:1].upper() + text[1:]


def _fill(text: str, indent: str) -> str:
    return textwrap.fill(text, width=92, initial_indent=indent, subsequent_indent=indent,
                         break_long_words=False, break_on_hyphens=False)


def _indent(text: str, prefix: str) -> str:
    return "\n".join(prefix + line if line else "" for line in text.splitlines())


# What Flask raises, verbatim (``str(exc)`` of the RuntimeError, prefixed as a traceback shows it).
REQUEST_ERROR = "RuntimeError: Working outside of request context."
APP_ERROR = "RuntimeError: Working outside of application context."
REQUEST_ERROR_TEXT = (REQUEST_ERROR + "\n\n"
                      "This typically means that you attempted to use functionality that needed\n"
                      "an active HTTP request. Consult the documentation on testing for\n"
                      "information about how to avoid this problem.")
APP_ERROR_TEXT = (APP_ERROR + "\n\n"
                  "This typically means that you attempted to use functionality that needed\n"
                  "the current application. To solve this, set up an application context\n"
                  "with app.app_context(). See the documentation for more information.")


def url_for_hint(hint: str, use: Use) -> str:
    """``hint``, with a note on ``SERVER_NAME`` when the use is ``url_for``."""
    if use.text.startswith("url_for"):
        return (hint + "; url_for can also build URLs with only an application context once "
                "SERVER_NAME is configured")
    return hint


# ---- where the code runs: the start of a message and the first step of its trace ----------------

class Boundary:
    """How messages describe roots of some kinds (where the code runs); the default for the rest."""

    kinds: ClassVar[tuple[str, ...]] = ()

    def step(self, root: Root, outcome: Outcome) -> Step:
        return Step(root.path, root.pos[0], short_name(root.func), f"{root.label} {short_name(root.func)}()")

    def subject(self, root: Root, rule: type[Rule], functions: list[str], reached: str) -> str:
        return rule.subject(root, entry_name(root), reached)

    def shown(self, root: Root, names: list[str]) -> list[str]:
        """The functions named after "via" (``names``: every function on the way but the first)."""
        return names


def entry_name(root: Root) -> str:
    return short_name(root.chain[-1][0]) + "()"


def article(label: str) -> str:
    return "an" if label[:1].lower() in "aeiou" else "a"


def handover_step(root: Root, outcome: Outcome) -> Step:
    """The first step of a root that code hands over (to a thread, a response)."""
    target = outcome.boundary_text or entry_name(root)
    return Step(root.path, root.pos[0], short_name(root.func), f"hands {target} to {article(root.label)} {root.label}")


def finding_at(code: str, root: Root, msg: str, hint: str, trace: list[Step]) -> Finding:
    """A finding reported at ``root``'s boundary."""
    line, col, end_line, end_col = root.pos
    if end_line != line:
        end_line, end_col = line, col + 1
    f = Finding(code, root.path, line, col + 1, end_line, end_col + 1, msg, hint, trace, short_name(root.func))
    f.kind = root.kind
    f.process = root.process
    return f
