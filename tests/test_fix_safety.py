"""Fix safety: ``--fix`` interrupted at any point leaves every file old or new, never partial, and the
edits of a fix are computed as the few changed places they are, also in a 100,000-line file."""

from __future__ import annotations

import io
import os
import shutil
import signal
import subprocess
import sys
import time

import pytest
from conftest import FIXTURES, ROOT
from hypothesis import given, settings
from hypothesis import strategies as st

from ctxlint import fixing
from ctxlint.autofix import run_fixes
from ctxlint.engine import Options
from ctxlint.fixing import check_parses, edits_between, line_opcodes

OPTS = Options(use_cache=False, jobs=1)


def snapshot(root: str) -> dict[str, bytes]:
    out = {}
    for dirpath, _, files in os.walk(root):
        for f in files:
            with open(os.path.join(dirpath, f), "rb") as fh:
                out[os.path.relpath(os.path.join(dirpath, f), root)] = fh.read()
    return out


# two fixture projects whose fixes rewrite seven files
PROJECTS = ("threads", "extensions")


def copy(root) -> None:  # type: ignore[no-untyped-def]
    for name in PROJECTS:
        shutil.copytree(os.path.join(FIXTURES, name), root / name)


def fixed_state(tmp_path) -> tuple[dict[str, bytes], dict[str, bytes]]:
    """The projects before and after an uninterrupted ``--fix --unsafe-fixes``."""
    done = tmp_path / "done"
    copy(done)
    before = snapshot(str(done))
    run_fixes([str(done)], OPTS, unsafe=True, out=io.StringIO(), err=io.StringIO())
    after = snapshot(str(done))
    assert sum(before[p] != after[p] for p in before) >= 5  # several files are written
    return before, after


def assert_old_or_new(root: str, before: dict[str, bytes], after: dict[str, bytes]) -> int:
    """Every file holds its old or its new bytes, and nothing else is left behind; returns how many are new."""
    now = snapshot(root)
    assert sorted(now) == sorted(before), "files appeared or vanished"
    for p, data in now.items():
        assert data in (before[p], after[p]), f"{p} is neither the old nor the new text"
    return sum(now[p] != before[p] for p in now)


class Interrupted(BaseException):
    pass


class Halting:
    """A stand-in for a module seen by ``ctxlint.fixing``: its function ``name`` is interrupted from
    its ``k``-th call on (a ``write`` is interrupted after writing half its data)."""

    def __init__(self, real, name: str, k: int) -> None:  # type: ignore[no-untyped-def]
        self.real, self.name, self.k, self.calls = real, name, k, 0

    def __getattr__(self, attr: str):  # type: ignore[no-untyped-def]
        value = getattr(self.real, attr)
        if attr != self.name:
            return value

        def step(*args, **kwargs):  # type: ignore[no-untyped-def]
            self.calls += 1
            if self.calls <= self.k:
                return value(*args, **kwargs)
            if attr == "fdopen":
                return HalfWriter(value(*args, **kwargs))
            raise Interrupted()
        return step


class HalfWriter:
    def __init__(self, fh) -> None:  # type: ignore[no-untyped-def]
        self.fh = fh

    def __enter__(self) -> HalfWriter:
        return self

    def __exit__(self, *exc: object) -> None:
        self.fh.close()

    def write(self, data: bytes) -> int:
        self.fh.write(data[:len(data) // 2])
        self.fh.flush()
        raise Interrupted()


# the steps of writing one file: create the temporary file, write it, flush it to disk, set its mode,
# rename it over the original
STEPS = [("tempfile", "mkstemp"), ("os", "fdopen"), ("os", "fsync"), ("os", "chmod"), ("os", "replace")]


# one whole --fix per interruption point: about 20 s a step, so slow, and one test per step so that
# parallel test processes share them out
@pytest.mark.slow
@pytest.mark.parametrize(("module", "name"), STEPS)
def test_fix_interrupted_at_every_step_of_every_write(tmp_path, monkeypatch, module: str, name: str) -> None:
    before, after = fixed_state(tmp_path)
    changed = sum(before[p] != after[p] for p in before)
    k = 0
    seen_new: set[int] = set()
    while True:
        root = tmp_path / f"{name}{k}"
        copy(root)
        halting = Halting(getattr(fixing, module), name, k)
        monkeypatch.setattr(fixing, module, halting)
        try:
            run_fixes([str(root)], OPTS, unsafe=True, out=io.StringIO(), err=io.StringIO())
            interrupted = False
        except Interrupted:
            interrupted = True
        finally:
            monkeypatch.undo()
        seen_new.add(assert_old_or_new(str(root), before, after))
        shutil.rmtree(root)
        if not interrupted:
            break
        k += 1
    # interrupted before the first write, between every two writes, and not at all
    assert seen_new == set(range(changed + 1)), (name, seen_new)


@pytest.mark.slow  # nine real --fix runs one after the other (about 30 s)
def test_fix_killed_at_random_moments_leaves_files_old_or_new(tmp_path) -> None:
    before, after = fixed_state(tmp_path)
    env = dict(os.environ, PYTHONPATH=ROOT)
    cmd = [sys.executable, "-m", "ctxlint", "--no-cache", "--fix", "--unsafe-fixes", "--jobs", "1", "."]
    timing = tmp_path / "timing"
    copy(timing)
    start = time.monotonic()
    subprocess.run(cmd, cwd=timing, env=env, capture_output=True, timeout=300)
    whole = time.monotonic() - start
    for n in range(8):
        root = tmp_path / f"run{n}"
        copy(root)
        proc = subprocess.Popen(cmd, cwd=root, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        time.sleep(whole * (0.35 + 0.09 * n))  # the writes come after the analysis and the planning
        proc.send_signal(signal.SIGINT if n % 2 else signal.SIGKILL)
        _, err = proc.communicate(timeout=60)
        assert b"Traceback" not in err
        for leftover in [p for p in snapshot(str(root)) if p.endswith(".ctxlint-tmp")]:
            assert n % 2 == 0, f"Ctrl-C left {leftover} behind"  # only a SIGKILL may leave one
            os.unlink(root / leftover)
        assert_old_or_new(str(root), before, after)


@settings(max_examples=300, deadline=None, derandomize=True)
@given(st.lists(st.sampled_from(["a\n", "b\n", "\n", "    return None\n"] + [f"u{i}\n" for i in range(30)]),
                max_size=80),
       st.lists(st.tuples(st.integers(0, 80), st.integers(0, 3), st.sampled_from(["x\n", "a\n", "u3\n", "\n"])),
                max_size=6))
def test_line_opcodes_turn_the_old_lines_into_the_new(old: list[str], changes: list[tuple[int, int, str]]) -> None:
    new = list(old)
    for at, cut, line in changes:
        at = min(at, len(new))
        new[at:at + cut] = [line]
    for small in (fixing._SMALL, 0):  # 0: the anchored path for every stretch
        fixing_small, fixing._SMALL = fixing._SMALL, small
        try:
            ops = line_opcodes(old, new)
        finally:
            fixing._SMALL = fixing_small
        i = j = 0
        rebuilt: list[str] = []
        for tag, i1, i2, j1, j2 in ops:
            assert (i1, j1) == (i, j)
            if tag == "equal":
                assert old[i1:i2] == new[j1:j2]
            rebuilt += new[j1:j2]
            i, j = i2, j2
        assert (i, j) == (len(old), len(new)) and rebuilt == new


def test_edits_in_a_100k_line_file_are_only_the_changed_places() -> None:
    body = "".join(f"def helper_{i}(x):\n    y = x + 1\n    return None\n\n\n" for i in range(20_000))
    new = "import flask\n" + body.replace("def helper_12345(x):\n", "def helper_12345(x, data):\n")
    edits = edits_between("big.py", body, new)
    assert [(e.start, e.end, e.replacement) for e in edits] == [
        ((1, 0), (1, 0), "import flask\n"),
        ((12345 * 5 + 1, 18), (12345 * 5 + 1, 18), ", data"),
    ]


def test_checking_the_fixed_text_prints_none_of_the_files_own_warnings() -> None:
    import warnings

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        check_parses('PATTERN = "\\d+"\nassert (1, "x")\n', "app.py")  # invalid escape, assert on a tuple
    assert caught == []
