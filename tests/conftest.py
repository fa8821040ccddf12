import os
import sys

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
FIXTURES = os.path.join(ROOT, "fixtures")
sys.path.insert(0, ROOT)


@pytest.fixture
def cli(capsys):
    """Run the command line in this process: (exit status, stdout, stderr)."""
    from ctxlint.cli import main

    def run(*args: str) -> tuple[int, str, str]:
        code = main([*args, "--no-cache"])
        out, err = capsys.readouterr()
        return code, out, err
    return run


def thread_errors(run):  # noqa: ANN001, ANN201
    """What the threads started while ``run()`` runs raised (each joined before returning)."""
    import threading
    from unittest import mock

    errors: list[BaseException] = []
    started: list[threading.Thread] = []
    real_start = threading.Thread.start

    def start(self: threading.Thread) -> None:
        started.append(self)
        real_start(self)

    hook = threading.excepthook
    threading.excepthook = lambda args: errors.append(args.exc_value)
    try:
        with mock.patch.object(threading.Thread, "start", start):
            run()
            for t in started:
                t.join(5)
    finally:
        threading.excepthook = hook
    return errors
