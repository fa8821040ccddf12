"""Text edits and lossless file writing for ``--fix`` / ``--diff``.

A source file is held as its bytes, the codec they were decoded with (the PEP 263
cookie or a BOM decides), the decoded text and its newline.  Edits are spans of
that text in the engine's coordinates: 1-based lines, 0-based character columns.
Nothing is written unless the new text parses and compiles, encodes in the file's
own codec, and the file on disk still holds exactly the bytes the fix was computed
from; the write goes to a temporary file in the same directory that then replaces
the original.
"""

from __future__ import annotations

import bisect
import difflib
import hashlib
import io
import os
import re
import stat
import tempfile
import tokenize
import warnings
from dataclasses import dataclass, field
from typing import Any, Iterable, Sequence

from .findings import Finding

_NEWLINE = re.compile(r"\r\n|\r|\n")


class FixError(Exception):
    """A file that cannot be fixed: unreadable, undecodable, changed on disk, or a result that does not parse."""


@dataclass(frozen=True)
class Edit:
    path: str  # as the finding names it
    start: tuple[int, int]  # (line 1-based, column 0-based)
    end: tuple[int, int]
    replacement: str

    def as_json(self) -> dict[str, object]:
        return {"path": self.path,
                "start": {"line": self.start[0], "column": self.start[1] + 1},
                "end": {"line": self.end[0], "column": self.end[1] + 1},
                "replacement": self.replacement}


# ---- fixes: what a rule's fix maker gives ------------------------------------------------------

# ``safe``: what the user surely wants (--fix applies it); ``unsafe``: changes behaviour the user should
# review (--unsafe-fixes); ``suggestion``: no edit, a message naming what to change and where.
SAFE = "safe"
UNSAFE = "unsafe"
SUGGESTION = "suggestion"

@dataclass
class Fix:
    applicability: str
    message: str
    edits: list[Edit] = field(default_factory=list)
    # why the fix maker's edits were dropped (they overlap, or the result would not compile): the fix is then
    # a suggestion, and ``--fix`` / ``--diff`` say which fix could not be applied
    error: str = ""

    def as_json(self) -> dict[str, Any]:
        return {"applicability": self.applicability, "message": self.message,
                "edits": [e.as_json() for e in self.edits]}


class NoFix(Exception):
    """No edit is right here; the message is the suggestion."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def target_name(f: Finding) -> str:
    if f.target is None:
        return ""
    return f.target[2].split(":", 1)[-1].split(".")[-1]


def worker_label(f: Finding) -> str:
    head = f.message.split(";")[0]
    m = re.match(r"(.*?) \S+\(\) reaches", head)
    return m.group(1) if m else "worker"


def uses_text(f: Finding) -> str:
    seen: list[str] = []
    for path, line, *_rest in f.uses:
        text = _rest[3]
        item = f"`{text}` ({path}:{line})"
        if item not in seen:
            seen.append(item)
    if not seen:
        return "the context locals it uses"
    return ", ".join(seen[:3]) + (f" and {len(seen) - 3} more" if len(seen) > 3 else "")


def digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def source_bytes(text: str) -> bytes:
    """An editor's or flake8's text as the file's bytes: in the codec its coding cookie names (UTF-8
    otherwise), so that they decode back to the same text (characters the codec lacks become ``?``)."""
    try:
        data = text.encode("utf-8", errors="surrogateescape")
    except UnicodeEncodeError:  # a lone surrogate from an editor's buffer
        data = text.encode("utf-8", errors="surrogatepass")
    try:
        encoding, _ = tokenize.detect_encoding(io.BytesIO(data).readline)
    except SyntaxError:
        return data
    if encoding in ("utf-8", "utf-8-sig"):
        return data
    try:
        return text.encode(encoding, errors="replace")
    except LookupError:
        return data


@dataclass
class SourceText:
    abspath: str
    data: bytes
    encoding: str
    text: str
    newline: str

    @classmethod
    def from_bytes(cls, abspath: str, data: bytes) -> SourceText:
        try:
            encoding, _ = tokenize.detect_encoding(io.BytesIO(data).readline)
            text = data.decode(encoding)
        except (SyntaxError, LookupError, UnicodeDecodeError) as exc:
            raise FixError(f"{abspath}: cannot decode: {exc}") from exc
        m = _NEWLINE.search(text)
        return cls(abspath, data, encoding, text, m.group() if m else "\n")

    @classmethod
    def read(cls, abspath: str) -> SourceText:
        try:
            with open(abspath, "rb") as fh:
                return cls.from_bytes(abspath, fh.read())
        except OSError as exc:
            raise FixError(f"{abspath}: {exc.strerror or exc}") from exc

    @property
    def digest(self) -> str:
        return digest(self.data)

    def encode(self, text: str) -> bytes:
        try:
            return text.encode(self.encoding)
        except UnicodeEncodeError as exc:
            raise FixError(f"{self.abspath}: the fixed text cannot be encoded as {self.encoding}") from exc

    def with_text(self, text: str) -> SourceText:
        return SourceText(self.abspath, self.encode(text), self.encoding, text, self.newline)


def split_lines(text: str) -> list[str]:
    """Lines with their ends, split where Python's tokenizer splits (not at form feeds or U+2028)."""
    return _LINE.findall(text)


_LINE = re.compile(r"[^\r\n]*(?:\r\n|\r|\n)|[^\r\n]+\Z")


def line_starts(text: str) -> list[int]:
    return [0] + [m.end() for m in _NEWLINE.finditer(text)]


def offset(starts: list[int], pos: tuple[int, int]) -> int:
    return starts[pos[0] - 1] + pos[1]


def position(starts: list[int], off: int) -> tuple[int, int]:
    i = bisect.bisect_right(starts, off) - 1
    return i + 1, off - starts[i]


def edits_between(path: str, old: str, new: str) -> list[Edit]:
    """Minimal edits turning ``old`` into ``new``: changed line blocks, trimmed to the characters that differ."""
    if old == new:
        return []
    a = split_lines(old)
    b = split_lines(new)
    starts = line_starts(old)
    a_off = [0]
    for line in a:
        a_off.append(a_off[-1] + len(line))
    b_off = [0]
    for line in b:
        b_off.append(b_off[-1] + len(line))
    out: list[Edit] = []
    for tag, i1, i2, j1, j2 in line_opcodes(a, b):
        if tag == "equal":
            continue
        for k1, k2, l1, l2, paired in _pair_lines(a, b, i1, i2, j1, j2):
            s, e = a_off[k1], a_off[k2]
            rs, re_ = b_off[l1], b_off[l2]
            if not paired:  # whole lines in or out
                out.append(Edit(path, position(starts, s), position(starts, e), new[rs:re_]))
                continue
            for cs, ce, crs, cre in _char_blocks(old[s:e], new[rs:re_]):
                out.append(Edit(path, position(starts, s + cs), position(starts, s + ce), new[rs + crs:rs + cre]))
    merged: list[Edit] = []
    for ed in out:  # edits that touch are one edit (two insertions at one point would be ambiguous)
        if merged and merged[-1].end == ed.start:
            merged[-1] = Edit(path, merged[-1].start, ed.end, merged[-1].replacement + ed.replacement)
        else:
            merged.append(ed)
    if _apply(old, merged) != new:  # never edits that do not give ``new``: one edit of the span that differs
        head = len(os.path.commonprefix([old, new]))
        tail = len(os.path.commonprefix([old[head:][::-1], new[head:][::-1]]))
        return [Edit(path, position(starts, head), position(starts, len(old) - tail), new[head:len(new) - tail])]
    return merged


def _apply(text: str, edits: list[Edit]) -> str | None:
    try:
        return apply_edits(text, edits)
    except FixError:
        return None


def line_opcodes(a: list[str], b: list[str]) -> list[tuple[str, int, int, int, int]]:
    """``SequenceMatcher.get_opcodes()`` for two lists of lines, in about linear time on the texts a fix
    produces (a few changed places in a file that may be 100,000 lines long): the common head and tail
    are matched first, lines that occur once on each side anchor the rest (as in patience diff), and
    only the stretches between anchors go to ``difflib``, which is quadratic on repeated lines."""
    blocks: list[tuple[int, int, int]] = []
    _match_lines(a, b, 0, len(a), 0, len(b), blocks)
    ops: list[tuple[str, int, int, int, int]] = []
    i = j = 0
    for bi, bj, n in [*blocks, (len(a), len(b), 0)]:
        if i < bi or j < bj:
            ops.append(("replace" if i < bi and j < bj else "delete" if i < bi else "insert", i, bi, j, bj))
        if n:
            if ops and ops[-1][0] == "equal" and ops[-1][2] == bi and ops[-1][4] == bj:
                ops[-1] = ("equal", ops[-1][1], bi + n, ops[-1][3], bj + n)
            else:
                ops.append(("equal", bi, bi + n, bj, bj + n))
        i, j = bi + n, bj + n
    return ops


_SMALL = 250_000  # a stretch of lines × lines that difflib matches quickly enough


def _match_lines(a: list[str], b: list[str], alo: int, ahi: int, blo: int, bhi: int,
                 out: list[tuple[int, int, int]]) -> None:
    """Append the matching blocks of ``a[alo:ahi]`` and ``b[blo:bhi]`` to ``out``, in order."""
    head = 0
    while alo + head < ahi and blo + head < bhi and a[alo + head] == b[blo + head]:
        head += 1
    if head:
        out.append((alo, blo, head))
        alo, blo = alo + head, blo + head
    tail = 0
    while ahi - tail > alo and bhi - tail > blo and a[ahi - tail - 1] == b[bhi - tail - 1]:
        tail += 1
    ahi, bhi = ahi - tail, bhi - tail
    if alo < ahi and blo < bhi:
        anchors = _anchors(a, b, alo, ahi, blo, bhi) if (ahi - alo) * (bhi - blo) > _SMALL else []
        if anchors:
            for i, j in anchors:
                _match_lines(a, b, alo, i, blo, j, out)
                out.append((i, j, 1))
                alo, blo = i + 1, j + 1
            _match_lines(a, b, alo, ahi, blo, bhi, out)
        else:
            big = (ahi - alo) * (bhi - blo) > _SMALL  # no anchor: let difflib skip popular lines
            sm = difflib.SequenceMatcher(None, a[alo:ahi], b[blo:bhi], autojunk=big)
            out.extend((alo + i, blo + j, n) for i, j, n in sm.get_matching_blocks() if n)
    if tail:
        out.append((ahi, bhi, tail))


def _anchors(a: list[str], b: list[str], alo: int, ahi: int, blo: int, bhi: int) -> list[tuple[int, int]]:
    """Pairs (i, j) of lines that occur once in each stretch, the longest run of them in the same order."""
    seen_a: dict[str, int] = {}
    for i in range(alo, ahi):
        seen_a[a[i]] = -1 if a[i] in seen_a else i
    seen_b: dict[str, int] = {}
    for j in range(blo, bhi):
        seen_b[b[j]] = -1 if b[j] in seen_b else j
    pairs = [(i, seen_b[line]) for line, i in seen_a.items() if i >= 0 and seen_b.get(line, -1) >= 0]
    pairs.sort()
    # longest increasing subsequence of j (patience sorting), O(n log n)
    tops: list[int] = []
    top_at: list[int] = []
    back: list[int] = [-1] * len(pairs)
    for k, (_, j) in enumerate(pairs):
        pos = bisect.bisect_left(tops, j)
        if pos == len(tops):
            tops.append(j)
            top_at.append(k)
        else:
            tops[pos] = j
            top_at[pos] = k
        back[k] = top_at[pos - 1] if pos else -1
    run: list[tuple[int, int]] = []
    k = top_at[-1] if top_at else -1
    while k >= 0:
        run.append(pairs[k])
        k = back[k]
    return run[::-1]


def _pair_lines(a: list[str], b: list[str], i1: int, i2: int, j1: int,
                j2: int) -> list[tuple[int, int, int, int, bool]]:
    """Split a changed block of lines into lines changed in place (paired with the most similar new line,
    as ``difflib.Differ`` does) and lines added or removed whole."""
    if i1 == i2 and j1 == j2:
        return []
    if i1 == i2 or j1 == j2:
        return [(i1, i2, j1, j2, False)]
    if (i2 - i1) * (j2 - j1) > 400:
        return [(i1, i2, j1, j2, True)]
    best, bi, bj = 0.0, -1, -1
    sm = difflib.SequenceMatcher(autojunk=False)
    for j in range(j1, j2):
        sm.set_seq2(b[j])
        for i in range(i1, i2):
            sm.set_seq1(a[i])
            if sm.real_quick_ratio() > best and sm.quick_ratio() > best:
                r = sm.ratio()
                if r > best:
                    best, bi, bj = r, i, j
    if best < 0.5:
        return [(i1, i2, j1, j2, i2 - i1 == j2 - j1)]
    return (_pair_lines(a, b, i1, bi, j1, bj) + [(bi, bi + 1, bj, bj + 1, True)]
            + _pair_lines(a, b, bi + 1, i2, bj + 1, j2))


def _char_blocks(a: str, b: str) -> list[tuple[int, int, int, int]]:
    """The differing character spans of two changed line blocks.

    Two deletions or replacements a short stretch of one line apart are one edit
    (``request.args.get("k")`` → ``k``); an insertion or deletion that could sit at
    several places sits where it reads as whole tokens (``f(|g(|x))``, not ``f|(g|(x))``).
    """
    ops: Sequence[tuple[str, int, int, int, int]]
    if len(a) * len(b) > 250_000:  # a big rewrite: one edit
        ops = [("replace", 0, len(a), 0, len(b))]
    else:
        ops = difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes()
    blocks: list[list[int]] = []
    for tag, i1, i2, j1, j2 in ops:
        if tag == "equal":
            continue
        if blocks and tag != "insert" and blocks[-1][0] != blocks[-1][1] and i1 - blocks[-1][1] <= 12 \
                and not _NEWLINE.search(a, blocks[-1][1], i1):
            blocks[-1][1], blocks[-1][3] = i2, j2
        else:
            blocks.append([i1, i2, j1, j2])
    # widened to whole words and slid, two blocks can meet or overlap (``current_app.config.get(...)`` →
    # ``mail_suppress_send``): then the two blocks as the alignment gave them become one, placed again
    out: list[tuple[tuple[int, int, int, int], tuple[int, int, int, int]]] = []  # (as aligned, as placed)
    for i1, i2, j1, j2 in blocks:
        raw = (i1, i2, j1, j2)
        placed = _slide(a, b, *_whole_words(a, b, *raw))
        while out and (out[-1][1][1] >= placed[0] or out[-1][1][3] >= placed[2]):
            prev = out.pop()[0]
            raw = (prev[0], raw[1], prev[2], raw[3])
            placed = _slide(a, b, *_whole_words(a, b, *raw))
        out.append((raw, placed))
    return [placed for _, placed in out]


def _whole_words(a: str, b: str, i1: int, i2: int, j1: int, j2: int) -> tuple[int, int, int, int]:
    """Widen a replacement that starts or ends inside a word to the whole word (``re|q.get()|`` → ``|req.get()|``)."""
    if i1 == i2 or j1 == j2:
        return i1, i2, j1, j2
    while i1 > 0 and j1 > 0 and _word(a[i1 - 1]) and (_word(a[i1]) or _word(b[j1])) and a[i1 - 1] == b[j1 - 1]:
        i1, j1 = i1 - 1, j1 - 1
    while i2 < len(a) and j2 < len(b) and _word(a[i2]) and (_word(a[i2 - 1]) or _word(b[j2 - 1])) \
            and a[i2] == b[j2]:
        i2, j2 = i2 + 1, j2 + 1
    return i1, i2, j1, j2


def _word(c: str) -> bool:
    return c.isalnum() or c == "_"


def _slide(a: str, b: str, i1: int, i2: int, j1: int, j2: int) -> tuple[int, int, int, int]:
    """Move a pure insertion (or deletion) along the equal text around it to the best-reading place."""
    if i1 != i2 and j1 != j2:
        return i1, i2, j1, j2
    text, other = (b, a) if i1 == i2 else (a, b)  # the side holding the moved text
    s, e = (j1, j2) if i1 == i2 else (i1, i2)
    o = i1 if i1 == i2 else j1  # the point in the other side

    def score(s: int, e: int, o: int) -> int:
        moved = text[s:e]
        left = other[o - 1] if o > 0 else ""
        right = other[o] if o < len(other) else ""
        sc = 0
        sc += 2 if not (left and _word(left) and _word(moved[0])) else 0
        sc += 2 if not (right and _word(right) and _word(moved[-1])) else 0
        sc += 1 if moved[-1] in "([{" or moved[0] in ")]}," else 0
        sc += 1 if moved.strip() == moved or "\n" in moved else 0
        return sc

    best = (score(s, e, o), 0)
    cands = [(s, e, o)]
    # slide left while the last moved character equals the one before the point, right while the first does
    ls, le, lo = s, e, o
    while ls > 0 and lo > 0 and text[le - 1] == other[lo - 1] and text[ls - 1] == text[le - 1] and len(cands) < 200:
        ls, le, lo = ls - 1, le - 1, lo - 1
        cands.append((ls, le, lo))
    rs, re_, ro = s, e, o
    while re_ < len(text) and ro < len(other) and text[rs] == other[ro] and text[re_] == text[rs] \
            and len(cands) < 400:
        rs, re_, ro = rs + 1, re_ + 1, ro + 1
        cands.append((rs, re_, ro))
    for k, (cs, ce, co) in enumerate(cands):
        sc = (score(cs, ce, co), -k if k else 0)
        if sc > best:
            best = sc
            s, e, o = cs, ce, co
    return (o, o, s, e) if i1 == i2 else (s, e, o, o)


def apply_edits(text: str, edits: Iterable[Edit]) -> str:
    """``text`` with ``edits`` applied; identical edits count once, overlapping ones are an error."""
    starts = line_starts(text)
    spans = sorted(dict.fromkeys((offset(starts, e.start), offset(starts, e.end), e.replacement) for e in edits),
                   key=lambda sp: (sp[0], sp[1]))
    out: list[str] = []
    at = 0
    for s, e, rep in spans:
        if e < s or e > len(text):
            raise FixError(f"an edit ends outside the text or before it starts (at {_where(starts, s)})")
        if s < at:
            raise FixError(f"two edits overlap (at {_where(starts, s)}–{_where(starts, at)})")
        out.append(text[at:s])
        out.append(rep)
        at = e
    out.append(text[at:])
    return "".join(out)


def _where(starts: list[int], off: int) -> str:
    line, col = position(starts, off)
    return f"line {line}, column {col + 1}"


def overlaps(a: Edit, b: Edit) -> bool:
    if a == b:
        return False
    if a.start == a.end or b.start == b.end:  # insertions conflict with anything at or around their point
        return a.start <= b.end and b.start <= a.end
    return a.start < b.end and b.start < a.end


def check_compiles(text: str, path: str) -> None:
    """Raise FixError unless ``text`` compiles (quicker than :func:`check_parses`, which libcst's parse adds)."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            compile(text, path, "exec", dont_inherit=True)
    except (SyntaxError, ValueError) as exc:
        raise FixError(f"{path}: the fixed text would not compile: {exc}") from exc


def check_parses(text: str, path: str) -> None:
    """Raise FixError unless ``text`` parses with libcst and compiles."""
    import libcst as cst

    try:
        cst.parse_module(text)
        with warnings.catch_warnings():  # the file's own SyntaxWarnings are not ours to print
            warnings.simplefilter("ignore")
            compile(text, path, "exec", dont_inherit=True)
    except (cst.ParserSyntaxError, SyntaxError, ValueError) as exc:
        raise FixError(f"{path}: the fixed text would not parse: {exc}") from exc


def write_fixed(source: SourceText, new_text: str) -> None:
    """Replace the file with ``new_text``, encoded as it was, if the disk still holds ``source.data``."""
    check_parses(new_text, source.abspath)
    data = source.encode(new_text)
    if data.decode(source.encoding) != new_text:
        raise FixError(f"{source.abspath}: the fixed text does not round-trip through {source.encoding}")
    real = os.path.realpath(source.abspath)
    try:
        with open(real, "rb") as fh:
            on_disk = fh.read()
        mode = stat.S_IMODE(os.stat(real).st_mode)
    except OSError as exc:
        raise FixError(f"{source.abspath}: {exc.strerror or exc}") from exc
    if digest(on_disk) != source.digest:
        raise FixError(f"{source.abspath}: changed on disk since it was read; not fixed")
    atomic_write(real, data, mode)


def atomic_write(path: str, data: bytes, mode: int | None = None, durable: bool = True) -> None:
    """Write ``data`` to a temporary file beside ``path`` and rename it over ``path``: a reader (or a
    run killed halfway) sees the old content or the new, never part of it."""
    directory, name = os.path.split(path)
    fd, tmp = tempfile.mkstemp(dir=directory or ".", prefix=f".{name}.", suffix=".ctxlint-tmp")
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            if durable:
                fh.flush()
                os.fsync(fh.fileno())
        if mode is not None:
            os.chmod(tmp, mode)
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise


def unified_diff(rel: str, old: str, new: str) -> str:
    """A ``git diff``-style unified diff of one file."""
    a = split_lines(old)
    b = split_lines(new)
    out: list[str] = []
    for line in difflib.unified_diff(a, b, fromfile=f"a/{rel}", tofile=f"b/{rel}"):
        if line.endswith(("\n", "\r")):
            out.append(line)
        else:
            out.append(line + "\n\\ No newline at end of file\n")
    return "".join(out)
