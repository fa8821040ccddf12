"""The standard library's calls that run, wrap or return what they are given."""

from __future__ import annotations

from .base import Follower, Library

LIBRARY = Library(
    name="python",
    packages=("builtins", "functools", "os", "sys", "atexit", "signal"),
    followers={
        "builtins.map": Follower(0, None),
        "builtins.filter": Follower(0, None),
        "builtins.sorted": Follower(None, "key"),
        "builtins.min": Follower(None, "key"),
        "builtins.max": Follower(None, "key"),
        "functools.reduce": Follower(0, None),
        "functools.partial": Follower(None, None),  # a target, not a call: see partials
    },
    # Calls that make a new callable from their first argument (for spawn targets).
    partials=("functools.partial",),
    # Calls that return one of their arguments unchanged: (position, keyword) of that argument.
    # ``sxng_request = typing.cast(SXNG_Request, flask.request)`` is still the request proxy.
    identity_calls={
        "typing.cast": (1, "val"),
        "typing_extensions.cast": (1, "val"),
    },
    # Calls that read the object they are given (a proxy passed to them is used, not only named);
    # ``bool(proxy)`` is not among them: an unbound proxy is falsy, which is how guards test it.
    reading_calls={f"builtins.{name}": 0 for name in ("getattr", "hasattr", "setattr", "delattr", "vars", "dir",
                                                       "len", "iter", "list", "dict", "str", "repr")},
    # Plugin registries: the entry points of a group the project declares
    entry_point_calls={
        "importlib.metadata.entry_points": (None, "group"),
        "importlib_metadata.entry_points": (None, "group"),
        "importlib.metadata.entry_points().select": (None, "group"),
        "importlib_metadata.entry_points().select": (None, "group"),
        "pkg_resources.iter_entry_points": (0, "group"),
    },
    # Calls that import a module by name at run time (plugin loaders).
    dynamic_imports=("importlib.import_module", "__import__", "builtins.__import__"),
    # ``importlib.import_module("pkg.mod")`` is that module (``__import__("pkg.mod")`` is ``pkg``: not here)
    module_calls={"importlib.import_module": 0},
    # ``except RuntimeError:`` around a use means the author handles the missing context.
    guard_exceptions=("RuntimeError", "builtins.RuntimeError"),
    property_decorators=("builtins.property", "cached_property"),
    context_manager_decorators=("contextlib.contextmanager", "contextlib.asynccontextmanager"),
)

# Libraries of other web frameworks: their decorators are never Flask's by method name alone.
OTHER_FRAMEWORKS = Library(
    name="other web frameworks",
    packages=("fastapi", "bottle", "sanic", "django", "starlette", "aiohttp", "tornado", "falcon"),
)
