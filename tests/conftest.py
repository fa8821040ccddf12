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
