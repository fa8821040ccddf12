"""``python -m ctxlint`` and the ``ctxlint`` command."""

import sys


def run() -> int:
    try:
        from .cli import main
    except KeyboardInterrupt:  # Ctrl-C while ctxlint is still starting up
        sys.stderr.write("ctxlint: interrupted\n")
        return 130
    return main()


if __name__ == "__main__":
    sys.exit(run())
