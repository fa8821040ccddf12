"""The shapes of knowledge: what a library entry can say, and the object that holds them all.

Names are canonical dotted paths of what they denote once imports are resolved;
``X()`` stands for "an instance of X", and ``?.`` for an object of unknown type
(a parameter, say), used only for method names distinctive enough to recognise on
their own.
"""

from __future__ import annotations

from dataclasses import InitVar, dataclass, field, fields
from typing import Any, Callable, Sequence

# Context bits.  A request context always comes with an application context.
NONE = 0
APP = 1
REQUEST = 3
CTX_NAMES = {NONE: "no context", APP: "an application context", REQUEST: "a request context"}

# What a context-bound name needs.  "url" is url_for: a request, or only an
# application context when the project configures SERVER_NAME.
NEEDS_REQUEST = "request"
NEEDS_APP = "app"
NEEDS_URL = "url"

Slot = tuple[int | None, str | None]  # (position, keyword) of a callable argument

# The keywords that carry a target's arguments packed (``Thread(args=..., kwargs=...)``,
# ``apply_async``, ``enqueue_call``, ``add_job``): a spawner with ``passes="args"`` uses them.
ARGS_KW = "args"
KWARGS_KW = "kwargs"


@dataclass(frozen=True)
class Local:
    """A context-bound name."""

    needs: str
    proxy: bool  # an object that can be handed to another thread (CTX203)
    function: bool = False  # only calling it needs the context, not naming it
    decorates_lazily: bool = False  # used as a decorator it needs no context until the function is called
    outside: str = ""  # what happens instead of Flask's RuntimeError outside the context, when that differs


@dataclass(frozen=True)
class Root:
    """A decorator or registration call that makes Flask (or a job runner) run a function."""

    kind: str  # "request", "app", "job", "click"
    label: str  # how messages name such a function
    arg: int | None = 0  # position of the function when registered by a call
    kw: str | None = None
    view: bool = False  # its return value is the response (a returned generator streams)
    # further callables the same registration call runs (``Babel(app, locale_selector=f)``)
    more: tuple[Slot, ...] = ()
    decorator: bool = True  # works as ``@X`` / ``@X(...)``
    call: bool = True  # works as ``X(f)`` / ``X(..., kw=f)``

    @property
    def slots(self) -> tuple[Slot, ...]:
        return ((self.arg, self.kw), *self.more)


@dataclass(frozen=True)
class Spawner:
    """A call that runs a function somewhere the caller's context does not follow."""

    family: str  # "thread" (CTX2xx at the call) or "job" (CTX3xx at the def)
    label: str
    arg: int | None = 0
    kw: str | None = None
    process: bool = False  # another process: copy_current_request_context cannot help
    # how the target's arguments are passed: after the target ("rest"), as ``args=``/``kwargs=``
    # ("args"), or not at all ("none")
    passes: str = "rest"


@dataclass(frozen=True)
class Follower:
    """A call that runs a function in the caller's own context (it is an ordinary call edge)."""

    arg: int | None = 0
    kw: str | None = None


@dataclass(frozen=True)
class Constructor:
    """A library call that constructs a project class with the arguments it is given."""

    cls_arg: int | None = None  # position of the class (None: the receiver, ``Cls.as_view(...)``)
    args_kw: str | None = None  # keyword holding the positional arguments
    kwargs_kw: str | None = None  # keyword holding the keyword arguments (packed like ARGS_KW/KWARGS_KW)
    rest_from: int | None = None  # positional arguments from here (and every keyword) are passed on


@dataclass(frozen=True)
class ThreadClass:
    """A class whose subclasses run ``run`` elsewhere once ``start`` is called."""

    spawner: Spawner
    start: str = "start"
    run: str = "run"


@dataclass(frozen=True)
class RootClass:
    """A base class whose methods Flask calls to handle a request or an event."""

    label: str
    methods: tuple[str, ...]  # names; "on_*" is a prefix
    kind: str = "request"
    views: tuple[str, ...] = ()  # methods whose return value is the response


def _add_tables(mine: Any, theirs: Any) -> None:
    """Merge one table of knowledge into another of the same kind: dicts updated, tuples extended."""
    for f in fields(mine):
        here, there = getattr(mine, f.name), getattr(theirs, f.name)
        if isinstance(here, dict):
            here.update(there)
        else:
            setattr(mine, f.name, here + tuple(there))


@dataclass
class Orm:
    """What an ORM's calls return (see knowledge.orm)."""

    model_bases: dict[str, str] = field(default_factory=dict)  # base class -> its query attribute ("" none)
    chain: tuple[str, ...] = ()
    one: tuple[str, ...] = ()
    many: tuple[str, ...] = ()
    instance_calls: dict[str, int] = field(default_factory=dict)
    query_calls: dict[str, int] = field(default_factory=dict)
    through_calls: dict[str, int] = field(default_factory=dict)
    first_calls: dict[str, int] = field(default_factory=dict)
    # query calls whose query keeps the session it was made with: running it later (``.all()`` in a
    # streamed generator or a thread) needs what that context-bound name needs
    bound_queries: dict[str, str] = field(default_factory=dict)

    def add(self, other: Orm) -> None:
        _add_tables(self, other)


@dataclass(frozen=True)
class TemplateRender:
    """A call that renders a template: where it names the template (or gives its source)."""

    arg: int | None = 0
    kw: str | None = None
    source: bool = False  # the argument is the template's source, not its name
    macro: Slot | None = None  # it fetches this macro of the template (``get_template_attribute``)
    processors: bool = True  # it runs the context processors (``get_template_attribute`` does not)


@dataclass(frozen=True)
class TemplateFolder:
    """A constructor whose object has a template folder next to the module named by its import name."""

    import_arg: int = 0  # (position, keyword) of the import name (``__name__``)
    import_kw: str = "import_name"
    default: str | None = "templates"  # the folder when ``template_folder=`` is not given


@dataclass(frozen=True)
class TemplateHelper:
    """A registration of a project function as a template global, filter or test."""

    kind: str  # "global" (``{{ f() }}``), "filter" (``{{ x|f }}``) or "test" (``{% if x is f %}``)
    decorator: bool  # ``@app.template_global(name)``; else ``app.add_template_global(f, name)``


@dataclass
class Templates:
    """What rendering a template does (see knowledge.flask)."""

    renders: dict[str, TemplateRender] = field(default_factory=dict)
    # names every template can read -> the context-bound name they are (``request`` -> ``flask.request``)
    globals: dict[str, str] = field(default_factory=dict)
    folders: dict[str, TemplateFolder] = field(default_factory=dict)
    # registrations of a function that every render calls (app-wide context processors)
    processors: tuple[str, ...] = ()
    helpers: dict[str, TemplateHelper] = field(default_factory=dict)
    # names a template can read that are false, and so is every attribute of them, outside a request:
    # ``{% if current_user.is_authenticated %}`` guards like ``{% if request %}`` (name -> that proxy)
    truthy_in: dict[str, str] = field(default_factory=dict)
    # the Jinja environment's tables a project function can be stored in (``app.jinja_env.globals["f"] = f``,
    # ``app.jinja_env.filters.update(f=f)``) -> the kind of helper it then is
    env_tables: dict[str, str] = field(default_factory=dict)

    def add(self, other: Templates) -> None:
        _add_tables(self, other)


@dataclass(frozen=True)
class AppArgument:
    """A constructor (or call) that uses the application it is given at once: a Flask extension whose
    ``__init__`` calls ``init_app(app)`` when it is given one (``Cache(app)``, ``Limiter(app=app)``).
    Given the ``current_app`` proxy where there is no application context (at import time), it raises,
    or tests the falsy unbound proxy and silently does nothing."""

    arg: int | None = 0
    kw: str | None = "app"
    outside: str = ""  # what happens instead of Flask's RuntimeError, when that differs


@dataclass
class Library:
    """What ctxlint knows of one library (or family of libraries)."""

    name: str
    # top-level package names whose decorators are known by full name (a decorator of any other
    # package may still be a root by its method name alone, like ``?.route``)
    packages: tuple[str, ...] = ()
    module_aliases: dict[str, str] = field(default_factory=dict)  # module path -> public name
    module_prefixes: dict[str, str] = field(default_factory=dict)  # a module path's start -> what replaces it
    name_aliases: dict[str, str] = field(default_factory=dict)  # whole name -> the same thing
    locals: dict[str, Local] = field(default_factory=dict)
    roots: dict[str, Root] = field(default_factory=dict)
    root_classes: dict[str, RootClass] = field(default_factory=dict)
    spawners: dict[str, Spawner] = field(default_factory=dict)
    thread_classes: dict[str, ThreadClass] = field(default_factory=dict)
    followers: dict[str, Follower] = field(default_factory=dict)
    partials: tuple[str, ...] = ()  # calls that make a new callable from their first argument
    constructors: dict[str, Constructor] = field(default_factory=dict)
    wrappers: dict[str, int] = field(default_factory=dict)  # run the wrapped function inside a context
    request_decorators: dict[str, str] = field(default_factory=dict)  # wrapper reads the request
    push_methods: dict[str, int] = field(default_factory=dict)  # ``with x.<method>():`` pushes
    guard_calls: dict[str, int] = field(default_factory=dict)  # ``if <call>():`` guards
    guard_exceptions: tuple[str, ...] = ()  # ``except X:`` around a use handles a missing context
    identity_calls: dict[str, tuple[int, str]] = field(default_factory=dict)  # return an argument
    reading_calls: dict[str, int] = field(default_factory=dict)  # evaluate the object at that position
    # calls that give the entry points of a plugin group: (position, keyword) of the group name
    entry_point_calls: dict[str, tuple[int | None, str | None]] = field(default_factory=dict)
    dynamic_imports: tuple[str, ...] = ()  # import a module by a computed name
    module_calls: dict[str, int] = field(default_factory=dict)  # give the module named by the string at that position
    response_bodies: tuple[str, ...] = ()  # first argument becomes a response body
    lazy_constructors: tuple[str, ...] = ()  # fnmatch patterns of bases whose construction runs nothing
    local_proxy_classes: tuple[str, ...] = ()  # ``X(factory)`` is a context-local proxy
    enqueue_methods: tuple[str, ...] = ()  # methods of a job function that enqueue it
    job_calls: dict[str, str] = field(default_factory=dict)  # such a method -> how it passes arguments
    property_decorators: tuple[str, ...] = ()  # names (or last attribute) of property-like decorators
    app_classes: tuple[str, ...] = ()  # the application class (``Flask(__name__)`` makes an app)
    entry_imports: tuple[tuple[str, str], ...] = ()  # a script importing one is run in an app context
    entry_files: tuple[tuple[str, str], ...] = ()  # (trailing path pattern, marker) run in an app context
    # decorators that make a generator function a context manager (its body up to the ``yield`` is
    # ``__enter__``: a context pushed around the ``yield`` is pushed for the ``with`` block)
    context_manager_decorators: tuple[str, ...] = ()
    # classes whose objects push their context when a ``with`` enters them (a parameter annotated so)
    context_classes: dict[str, int] = field(default_factory=dict)
    # command dispatch through a parsed namespace: calls (fnmatch patterns) whose keywords store
    # functions on it (``sub.set_defaults(func=f)``), and what parsing returns (``args.func(args)``
    # calls every function stored under ``func``)
    namespace_stores: tuple[str, ...] = ()
    namespaces: tuple[str, ...] = ()
    orm: Orm = field(default_factory=Orm)
    templates: Templates = field(default_factory=Templates)
    # hooks: procedures a table cannot say, by the name the analysis calls them; "config:<keyword>" adds
    # the names of a [tool.ctxlint] key to a Knowledge (``Knowledge.extend(keyword=[...])``)
    hooks: dict[str, Callable[..., Any]] = field(default_factory=dict)
    # calls that send a signal -> position of the sender (``blinker.Signal().send``)
    signal_sends: dict[str, int] = field(default_factory=dict)
    # extension constructors that use the app they are given at once
    app_arguments: dict[str, AppArgument] = field(default_factory=dict)
    # a request decorator's text -> what its wrapper does without a request, when that is not a RuntimeError
    decorator_notes: dict[str, str] = field(default_factory=dict)


# The libraries ``Knowledge()`` knows, in order (filled in by :mod:`ctxlint.knowledge`).
DEFAULT_LIBRARIES: list[Library] = []


@dataclass
class Knowledge:
    """Every library's tables merged, plus a user's additions: the one object the analysis reads.

    ``Knowledge()`` knows every library ctxlint ships; ``Knowledge(libraries=[...])`` only those.
    """

    libraries: InitVar[Sequence[Library] | None] = None
    packages: frozenset[str] = frozenset()
    module_aliases: dict[str, str] = field(default_factory=dict)
    module_prefixes: dict[str, str] = field(default_factory=dict)
    name_aliases: dict[str, str] = field(default_factory=dict)
    locals: dict[str, Local] = field(default_factory=dict)
    roots: dict[str, Root] = field(default_factory=dict)
    root_classes: dict[str, RootClass] = field(default_factory=dict)
    spawners: dict[str, Spawner] = field(default_factory=dict)
    thread_classes: dict[str, ThreadClass] = field(default_factory=dict)
    followers: dict[str, Follower] = field(default_factory=dict)
    partials: tuple[str, ...] = ()
    constructors: dict[str, Constructor] = field(default_factory=dict)
    wrappers: dict[str, int] = field(default_factory=dict)
    request_decorators: dict[str, str] = field(default_factory=dict)
    push_methods: dict[str, int] = field(default_factory=dict)
    guard_calls: dict[str, int] = field(default_factory=dict)
    guard_exceptions: tuple[str, ...] = ()
    identity_calls: dict[str, tuple[int, str]] = field(default_factory=dict)
    reading_calls: dict[str, int] = field(default_factory=dict)
    entry_point_calls: dict[str, tuple[int | None, str | None]] = field(default_factory=dict)
    dynamic_imports: tuple[str, ...] = ()
    module_calls: dict[str, int] = field(default_factory=dict)
    response_bodies: tuple[str, ...] = ()
    lazy_constructors: tuple[str, ...] = ()
    local_proxy_classes: tuple[str, ...] = ()
    enqueue_methods: tuple[str, ...] = ()
    job_calls: dict[str, str] = field(default_factory=dict)
    property_decorators: tuple[str, ...] = ()
    app_classes: tuple[str, ...] = ()
    entry_imports: tuple[tuple[str, str], ...] = ()
    entry_files: tuple[tuple[str, str], ...] = ()
    context_manager_decorators: tuple[str, ...] = ()
    context_classes: dict[str, int] = field(default_factory=dict)
    namespace_stores: tuple[str, ...] = ()
    namespaces: tuple[str, ...] = ()
    orm: Orm = field(default_factory=Orm)
    templates: Templates = field(default_factory=Templates)
    hooks: dict[str, list[Callable[..., Any]]] = field(default_factory=dict)
    signal_sends: dict[str, int] = field(default_factory=dict)
    app_arguments: dict[str, AppArgument] = field(default_factory=dict)
    decorator_notes: dict[str, str] = field(default_factory=dict)
    _canonical_cache: dict[str, str] = field(default_factory=dict, init=False, repr=False, compare=False)
    # what ``extend`` was given, in order: the configuration's part of the findings cache key (a library's
    # ``config:`` hook may change any table)
    extended: list[tuple[str, tuple[str, ...]]] = field(default_factory=list, init=False, compare=False)

    def __post_init__(self, libraries: Sequence[Library] | None) -> None:
        for lib in DEFAULT_LIBRARIES if libraries is None else libraries:
            self.add(lib)

    def add(self, lib: Library) -> None:
        """Merge one library's tables (later entries win)."""
        self._canonical_cache.clear()
        for f in fields(Library):
            if f.name == "name":
                continue
            value = getattr(lib, f.name)
            if f.name == "packages":
                self.packages = self.packages | frozenset(value)
            elif f.name == "orm":
                self.orm.add(value)
            elif f.name == "templates":
                self.templates.add(value)
            elif f.name == "hooks":
                for hook, fn in value.items():
                    self.hooks.setdefault(hook, []).append(fn)
            elif isinstance(value, dict):
                getattr(self, f.name).update(value)
            else:
                setattr(self, f.name, getattr(self, f.name) + tuple(value))

    def hook(self, name: str) -> list[Callable[..., Any]]:
        return self.hooks.get(name, [])

    def canonical(self, dotted: str) -> str:
        """The canonical spelling of an external dotted name."""
        found = self._canonical_cache.get(dotted)
        if found is None:
            found = self._canonical_cache[dotted] = self._canonical(dotted)
        return found

    def _canonical(self, dotted: str) -> str:
        aliases = self.name_aliases
        if dotted in aliases:
            return aliases[dotted]
        head, _, tail = dotted.partition("(")
        for prefix, replacement in self.module_prefixes.items():
            if head.startswith(prefix):
                head = replacement + head[len(prefix):]
                break
        parts = head.split(".")
        for cut in range(len(parts) - 1, 0, -1):
            prefix = ".".join(parts[:cut])
            if prefix in self.module_aliases:
                head = ".".join([self.module_aliases[prefix], *parts[cut:]])
                break
        name = head + ("(" + tail if tail else "")
        # canonicalise the class part of "pkg.Class().attr"
        if "()" in name:
            cls, _, rest = name.partition("()")
            cls = aliases.get(cls, cls)
            name = cls + "()" + rest
        return aliases.get(name, name)

    def spawner(self, name: str) -> Spawner | None:
        """The spawner an external call is: by full name, or by method name on an unknown object."""
        return self.spawners.get(name) or self.spawners.get("?." + name.rsplit(".", 1)[-1])

    def is_response_body(self, name: str) -> bool:
        return name in self.response_bodies or ("?." + name.rsplit(".", 1)[-1]) in self.response_bodies

    def extend(self, *, request: list[str] = (), app: list[str] = (),  # type: ignore[assignment]
               request_roots: list[str] = (), app_roots: list[str] = (),  # type: ignore[assignment]
               job_roots: list[str] = (), thread_spawners: list[str] = (),  # type: ignore[assignment]
               wrappers_request: list[str] = (), wrappers_app: list[str] = (),  # type: ignore[assignment]
               **more: list[str]) -> None:
        """Add names from configuration (``module:attr`` or dotted); a keyword not named here goes to the
        libraries' ``config:<keyword>`` hooks."""

        def dotted(name: str) -> str:
            return name.replace(":", ".")

        given = dict(request=request, app=app, request_roots=request_roots, app_roots=app_roots, job_roots=job_roots,
                     thread_spawners=thread_spawners, wrappers_request=wrappers_request, wrappers_app=wrappers_app,
                     **more)
        self.extended.extend((k, tuple(v)) for k, v in given.items() if v)

        for n in request:
            self.locals[dotted(n)] = Local(NEEDS_REQUEST, True)
        for n in app:
            self.locals[dotted(n)] = Local(NEEDS_APP, True)
        for n in request_roots:
            self.roots[dotted(n)] = Root("request", "request handler")
        for n in app_roots:
            self.roots[dotted(n)] = Root("app", "app-context function")
        for n in job_roots:
            self.roots[dotted(n)] = Root("job", "background job")
        for n in thread_spawners:
            self.spawners[dotted(n)] = Spawner("thread", "thread target", 0, None)
        for n in wrappers_request:
            self.wrappers[dotted(n)] = REQUEST
        for n in wrappers_app:
            self.wrappers[dotted(n)] = APP
        for keyword, names in more.items():
            hooks = self.hook("config:" + keyword)
            if not hooks:
                raise TypeError(f"Knowledge.extend() got an unexpected keyword argument {keyword!r}")
            for hook in hooks:
                hook(self, [dotted(n) for n in names])
