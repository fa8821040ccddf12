"""``[tool.ctxlint]``: where it is, what it may hold, and how the command line overrides it.

The configuration is the ``[tool.ctxlint]`` table of the nearest ``pyproject.toml``
at or above the paths given (one without the table is passed over), or the file
named by ``--config`` (a ``pyproject.toml``, or a TOML file whose top level is the
table).  Patterns in it (``exclude``, ``per-file-ignores``) are relative to the
directory that holds it; patterns given on the command line are relative to the
current directory.

Every mistake is a :class:`ConfigError` naming the file and the key; the command
line turns it into exit status 2.
"""

from __future__ import annotations

import difflib
import fnmatch
import os
import re
import sys
from dataclasses import dataclass, field
from typing import Any

import pathspec

from .findings import Finding
from .knowledge import Knowledge
from .rules import RULES, known_code, selected

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib


class ConfigError(Exception):
    """A configuration mistake; the message names the file and the key."""


# Configuration keys that extend the knowledge base, and the keyword of ``Knowledge.extend`` each one feeds.
KNOWLEDGE_KEYS: dict[str, str] = {
    "request-bound": "request",  # names that need a request context ("myapp.auth:current_tenant")
    "app-bound": "app",  # names that need an application context
    "request-roots": "request_roots",  # decorators/registrations whose functions run in a request context
    "app-roots": "app_roots",  # ... in an application context only
    "no-context-roots": "job_roots",  # ... with no context at all (custom task decorators)
    "thread-spawners": "thread_spawners",  # calls that run their first argument in another thread
    "request-context-wrappers": "wrappers_request",  # wrappers that run the wrapped function in a request context
    "app-context-wrappers": "wrappers_app",  # ... in an application context
    "request-signals": "request_signals",  # another library's signals whose receivers run during a request
    "app-signals": "app_signals",  # ... with only an application context
    "signal-classes": "signal_classes",  # classes whose instances are signals (``send(sender, ...)``)
    "app-extensions": "app_extensions",  # extension classes whose constructor sets them up for the app given
    "babel-modules": "babel_modules",  # packages with Flask-Babel's API (Flask-BabelEx)
}

_CODE_KEYS = ("select", "extend-select", "ignore", "extend-ignore")
_PATTERN_KEYS = ("exclude", "extend-exclude")
KEYS = (*_CODE_KEYS, "per-file-ignores", *_PATTERN_KEYS, "respect-gitignore", "parse-timeout", *KNOWLEDGE_KEYS)

_IDENT = r"[A-Za-z_][A-Za-z0-9_]*"
# "package.module:attr", "package.module.attr", "pkg.Class().method", "?.method" (a method of any object)
_NAME = re.compile(rf"(?:\?|{_IDENT}(?:\.{_IDENT})*(?::{_IDENT})?)(?:(?:\(\))?\.{_IDENT})*(?:\(\))?")


@dataclass
class Config:
    """What one configuration file says; ``None`` where it says nothing."""

    path: str | None = None  # the file, as shown in messages
    base: str = "."  # the directory its patterns are relative to (absolute)
    select: list[str] | None = None
    extend_select: list[str] = field(default_factory=list)
    ignore: list[str] | None = None
    extend_ignore: list[str] = field(default_factory=list)
    per_file_ignores: dict[str, list[str]] | None = None
    exclude: list[str] | None = None
    extend_exclude: list[str] = field(default_factory=list)
    respect_gitignore: bool | None = None
    parse_timeout: float | None = None
    knowledge: dict[str, list[str]] = field(default_factory=dict)  # Knowledge.extend keyword -> names


# ---- finding and reading ----------------------------------------------------------------------

def _display(path: str) -> str:
    try:
        rel = os.path.relpath(path)
    except ValueError:  # pragma: no cover - another drive on Windows
        return path
    return path if rel.startswith(".." + os.sep + "..") else rel


def _read_toml(path: str) -> dict[str, Any]:
    shown = _display(path)
    try:
        with open(path, "rb") as fh:
            return tomllib.load(fh)
    except FileNotFoundError:
        raise ConfigError(f"{shown}: no such file") from None
    except IsADirectoryError:
        raise ConfigError(f"{shown}: is a directory, not a configuration file") from None
    except OSError as exc:
        raise ConfigError(f"{shown}: {exc.strerror or exc}") from None
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{shown}: invalid TOML: {exc}") from None


def _start_directory(paths: list[str]) -> str:
    """The deepest directory that holds every path given."""
    dirs = []
    for p in paths:
        a = os.path.abspath(p)
        dirs.append(a if os.path.isdir(a) else os.path.dirname(a))
    try:
        return os.path.commonpath(dirs) if dirs else os.getcwd()
    except ValueError:  # pragma: no cover - paths on several drives
        return dirs[0]


def find_config(paths: list[str]) -> str | None:
    """The nearest ``pyproject.toml`` with a ``[tool.ctxlint]`` table at or above ``paths``."""
    d = _start_directory(paths)
    while True:
        candidate = os.path.join(d, "pyproject.toml")
        if os.path.isfile(candidate):
            data = _read_toml(candidate)
            tool = data.get("tool")
            if isinstance(tool, dict) and "ctxlint" in tool:
                return candidate
        parent = os.path.dirname(d)
        if parent == d:
            return None
        d = parent


def load_config(path: str) -> Config:
    """Read and check the configuration in ``path``.

    A ``pyproject.toml`` (or any file with a ``[tool]`` table) holds it in
    ``[tool.ctxlint]``; any other TOML file holds it at the top level.
    """
    data = _read_toml(path)
    shown = _display(path)
    tool = data.get("tool")
    if os.path.basename(path) == "pyproject.toml" or "tool" in data:
        if not isinstance(tool, dict) or "ctxlint" not in tool:
            raise ConfigError(f"{shown}: no [tool.ctxlint] table")
        table = tool["ctxlint"]
        where = "[tool.ctxlint] "
        if not isinstance(table, dict):
            raise ConfigError(f"{shown}: [tool.ctxlint] must be a table, not {_kind(table)}")
    else:
        table, where = data, ""
    return parse(table, shown, os.path.dirname(os.path.abspath(path)), where)


# ---- checking ---------------------------------------------------------------------------------

def _kind(value: Any) -> str:
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int):
        return "an integer"
    if isinstance(value, float):
        return "a float"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, list):
        return "an array"
    if isinstance(value, dict):
        return "a table"
    return "a date or time"


def parse(table: dict[str, Any], shown: str, base: str, where: str = "[tool.ctxlint] ") -> Config:
    """Check ``table`` (the configuration of file ``shown``) and turn it into a :class:`Config`."""
    cfg = Config(path=shown, base=base)

    def fail(key: str, problem: str) -> ConfigError:
        return ConfigError(f"{shown}: {where}{key}: {problem}")

    def strings(key: str, value: Any) -> list[str]:
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            got = _kind(value) if not isinstance(value, list) else "an array holding " + next(
                _kind(v) for v in value if not isinstance(v, str))
            raise fail(key, f"expected an array of strings, got {got}")
        return list(value)

    def codes(key: str, value: Any) -> list[str]:
        out = [c.strip().upper() for c in strings(key, value)]
        for c in out:
            if not known_code(c):
                raise fail(key, f"unknown rule code or prefix {c!r} (codes are {', '.join(RULES)})")
        return out

    def patterns(key: str, value: Any) -> list[str]:
        out = strings(key, value)
        for p in out:
            try:
                pathspec.GitIgnoreSpec.from_lines([p])
            except Exception as exc:  # pathspec raises several kinds for a malformed pattern
                raise fail(key, f"invalid pattern {p!r}: {exc}") from None
        return out

    for key, value in table.items():
        if key not in KEYS:
            close = difflib.get_close_matches(key.replace("_", "-"), KEYS, n=1)
            hint = f" (did you mean {close[0]!r}?)" if close else f" (known keys: {', '.join(KEYS)})"
            raise fail(key, f"unknown key{hint}")
        if key in _CODE_KEYS:  # select, extend-select, ignore, extend-ignore
            setattr(cfg, key.replace("-", "_"), codes(key, value))
        elif key in _PATTERN_KEYS:  # exclude, extend-exclude
            setattr(cfg, key.replace("-", "_"), patterns(key, value))
        elif key == "respect-gitignore":
            if not isinstance(value, bool):
                raise fail(key, f"expected a boolean (true or false), got {_kind(value)}")
            cfg.respect_gitignore = value
        elif key == "parse-timeout":
            if isinstance(value, bool) or not isinstance(value, (int, float)):
                raise fail(key, f"expected a number of seconds, got {_kind(value)}")
            if not value > 0:
                raise fail(key, f"expected a number of seconds above 0, got {value}")
            cfg.parse_timeout = float(value)
        elif key == "per-file-ignores":
            if not isinstance(value, dict):
                raise fail(key, f"expected a table of pattern = [codes], got {_kind(value)}")
            cfg.per_file_ignores = {}
            for pattern, pcodes in value.items():
                patterns(f"{key}.{pattern!r}", [pattern])
                cfg.per_file_ignores[pattern] = codes(f"{key}.{pattern!r}", pcodes)
        else:
            names = strings(key, value)
            for n in names:
                if not _NAME.fullmatch(n) or ("." not in n and ":" not in n):
                    raise fail(key, f"{n!r} is not a name like 'package.module:name' "
                                    "(or 'package.module:Class().method')")
            cfg.knowledge[KNOWLEDGE_KEYS[key]] = names
    return cfg


def parse_per_file_ignore(value: str) -> tuple[str, list[str]]:
    """``PATTERN:CODES`` from the command line."""
    pattern, sep, codes = value.rpartition(":")
    if not sep or not pattern:
        raise ValueError(f"expected PATTERN:CODES, got {value!r}")
    out = [c.strip().upper() for c in codes.split(",") if c.strip()]
    if not out:
        raise ValueError(f"no codes after the ':' in {value!r}")
    for c in out:
        if not known_code(c):
            raise ValueError(f"unknown rule code or prefix: {c}")
    return pattern, out


# ---- excludes -----------------------------------------------------------------------------------

def _posix(path: str) -> str:
    return path.replace(os.sep, "/")


def translate_pattern(pattern: str, base: str, top: str) -> str | None:
    """A gitignore-style pattern written relative to ``base``, rewritten relative to ``top``.

    The engine matches excludes against paths relative to each directory it
    walks; configuration patterns are relative to the configuration's directory.
    Returns ``None`` when the pattern cannot match anything under ``top``.
    """
    neg = pattern.startswith("!")
    body = pattern[1:] if neg else pattern
    if not body.strip() or body.startswith("#"):
        return None
    bang = "!" if neg else ""
    anchored = "/" in body.rstrip("/")
    rel_top = _posix(os.path.relpath(top, base))
    if rel_top == ".":
        return pattern
    if rel_top == ".." or rel_top.startswith("../"):
        # ``top`` is above ``base`` (or beside it): prefix the way from ``top`` down to ``base``
        rel_base = _posix(os.path.relpath(base, top))
        if rel_base == ".." or rel_base.startswith("../"):
            return None
        body = body.lstrip("/")
        return f"{bang}/{rel_base}/{body}" if anchored else f"{bang}/{rel_base}/**/{body}"
    if not anchored:
        return pattern  # matches at any depth below base, so at any depth below top
    parts = body.lstrip("/").split("/")
    segs = rel_top.split("/")
    for i, seg in enumerate(segs):
        if i < len(parts) and parts[i] == "**":
            return bang + "/" + "/".join(parts[i:])  # "**" also matches the way down to top
        if i >= len(parts) - 1 or not fnmatch.fnmatchcase(seg, parts[i]):
            return None  # the pattern names top itself, something above it, or somewhere else
    rest = parts[len(segs):]
    if rest == [""]:
        return None
    return bang + "/" + "/".join(rest)


def excludes_for(patterns: list[tuple[str, str]], tops: list[str]) -> tuple[str, ...]:
    """The engine's exclude patterns for ``(pattern, base)`` pairs and the directories walked.

    With several directories the patterns of all of them apply to each one (the
    engine takes one list): a pattern anchored under one directory can also
    exclude the same relative path under another.
    """
    out: list[str] = []
    for pattern, base in patterns:
        for top in tops or [base]:
            t = translate_pattern(pattern, base, os.path.abspath(top))
            if t is not None and t not in out:
                out.append(t)
    return tuple(out)


# ---- the merged settings ----------------------------------------------------------------------

@dataclass
class Settings:
    """The configuration file and the command line, merged."""

    select: list[str] | None = None
    ignore: list[str] = field(default_factory=list)
    per_file_ignores: list[tuple[str, str, list[str]]] = field(default_factory=list)  # (base, pattern, codes)
    exclude: tuple[str, ...] = ()
    respect_gitignore: bool = True
    parse_timeout: float | None = None  # None: the engine's default
    knowledge: Knowledge = field(default_factory=Knowledge)
    config_path: str | None = None
    _specs: dict[tuple[str, str], pathspec.PathSpec] = field(default_factory=dict, repr=False)

    def selected(self, code: str) -> bool:
        return selected(code, self.select, self.ignore)

    def per_file_ignored(self, f: Finding) -> bool:
        if not self.per_file_ignores:
            return False
        full = os.path.abspath(f.path)
        for base, pattern, codes in self.per_file_ignores:
            if not any(f.code.startswith(c) for c in codes):
                continue
            rel = _posix(os.path.relpath(full, base))
            if rel.startswith("../"):
                continue
            spec = self._specs.get((base, pattern))
            if spec is None:
                spec = self._specs[(base, pattern)] = pathspec.GitIgnoreSpec.from_lines([pattern])
            if spec.match_file(rel):
                return True
        return False


def resolve(cfg: Config | None, *, paths: list[str], select: list[str] | None = None,
            extend_select: list[str] | None = None, ignore: list[str] | None = None,
            extend_ignore: list[str] | None = None, per_file_ignores: list[tuple[str, list[str]]] | None = None,
            exclude: list[str] | None = None, extend_exclude: list[str] | None = None,
            respect_gitignore: bool | None = None, parse_timeout: float | None = None) -> Settings:
    """Merge the configuration file with the command line; the command line wins.

    ``--select`` replaces the file's whole selection (``select``, ``extend-select``,
    ``ignore``, ``extend-ignore``), as ruff's does; ``--ignore`` replaces its ``ignore``
    and ``extend-ignore``, ``--per-file-ignores`` its table and ``--exclude`` its
    ``exclude``; the ``--extend-*`` options add to what is left.
    """
    cfg = cfg or Config(base=os.getcwd())
    cwd = os.getcwd()
    out = Settings(config_path=cfg.path)

    if select is not None:  # the command line's selection starts afresh, as ruff's does
        sel: list[str] | None = select
        ext_sel = list(extend_select or [])
        ign = list(ignore or []) + list(extend_ignore or [])
    else:
        sel = cfg.select
        ext_sel = cfg.extend_select + list(extend_select or [])
        ign = (list(ignore) if ignore is not None else (cfg.ignore or []) + cfg.extend_ignore) \
            + list(extend_ignore or [])
    out.select = None if sel is None and not ext_sel else list(sel if sel is not None else ["CTX"]) + ext_sel
    out.ignore = ign

    if per_file_ignores is not None:
        out.per_file_ignores = [(cwd, p, c) for p, c in per_file_ignores]
    elif cfg.per_file_ignores:
        out.per_file_ignores = [(cfg.base, p, c) for p, c in cfg.per_file_ignores.items()]

    pats: list[tuple[str, str]] = []
    if exclude is not None:
        pats += [(p, cwd) for p in exclude]
    else:
        pats += [(p, cfg.base) for p in cfg.exclude or []]
    pats += [(p, cfg.base) for p in cfg.extend_exclude]
    pats += [(p, cwd) for p in extend_exclude or []]
    tops = [p for p in paths if os.path.isdir(p)]
    out.exclude = excludes_for(pats, tops) if tops else ()

    if respect_gitignore is not None:
        out.respect_gitignore = respect_gitignore
    elif cfg.respect_gitignore is not None:
        out.respect_gitignore = cfg.respect_gitignore

    out.parse_timeout = parse_timeout if parse_timeout is not None else cfg.parse_timeout
    if cfg.knowledge:
        out.knowledge.extend(**cfg.knowledge)
    return out
