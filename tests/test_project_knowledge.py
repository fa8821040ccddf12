"""Knowledge from configuration that names the project's own functions."""

from __future__ import annotations

import textwrap

from ctxlint.engine import Options, analyse
from ctxlint.knowledge import Knowledge


def write(path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(textwrap.dedent(text))


def test_project_thread_helper_and_job_decorator_from_configuration(tmp_path) -> None:
    write(tmp_path / "myapp" / "__init__.py", "")
    write(tmp_path / "myapp" / "util.py", """\
        import threading

        def run_in_background(fn, *args):
            threading.Thread(target=fn, args=args).start()

        def nightly(fn):
            return fn
        """)
    write(tmp_path / "myapp" / "views.py", """\
        from flask import Blueprint, request

        from .util import nightly, run_in_background

        bp = Blueprint("v", __name__)

        def audit():
            print(request.remote_addr)

        @nightly
        def cleanup():
            print(request.path)

        @bp.route("/")
        def index():
            run_in_background(audit)
            return ""
        """)
    plain = analyse([str(tmp_path)], Options(use_cache=False))
    # without configuration the helper that hands its parameter to Thread is followed from its callers,
    # but nothing says that @nightly runs the function as a job: that is not guessed
    assert sorted((f.path.rsplit("/", 1)[-1], f.line, f.code) for f in plain.findings) == [("views.py", 16, "CTX201")]
    kb = Knowledge()
    kb.extend(thread_spawners=["myapp.util:run_in_background"], job_roots=["myapp.util:nightly"])
    result = analyse([str(tmp_path)], Options(use_cache=False, knowledge=kb))
    got = sorted((f.path.rsplit("/", 1)[-1], f.line, f.code) for f in result.findings)
    assert got == [("views.py", 11, "CTX301"), ("views.py", 16, "CTX201")]
