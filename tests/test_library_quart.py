"""Quart and quart-trio, run for real: the serving hooks have only an application context, and the task
starters copy the caller's context (knowledge.quart)."""

from __future__ import annotations

import textwrap

import pytest

from ctxlint.engine import analyse
from ctxlint.knowledge.quart import LIBRARY, SERVING_HOOKS

pytest.importorskip("quart")


def _probe(seen: dict[str, tuple[bool, bool]], label: str) -> None:
    from quart import has_app_context, has_request_context

    seen[label] = (has_request_context(), has_app_context())


def test_serving_hooks_have_only_an_app_context_and_tasks_copy_the_callers_context() -> None:
    import asyncio

    from quart import Quart

    app = Quart(__name__)
    seen: dict[str, tuple[bool, bool]] = {}

    async def task(label: str) -> None:
        _probe(seen, label)

    for hook in SERVING_HOOKS:
        if hook == "while_serving":
            async def gen():  # noqa: ANN202
                _probe(seen, "while_serving")
                yield
            app.while_serving(gen)
        else:
            async def run(hook: str = hook) -> None:
                _probe(seen, hook)
            getattr(app, hook)(run)

    @app.before_serving
    async def start() -> None:
        app.add_background_task(task, "background task from before_serving")

    @app.get("/")
    async def index() -> str:
        app.add_background_task(task, "background task from a request")
        asyncio.create_task(task("create_task from a request"))
        asyncio.ensure_future(task("ensure_future from a request"))
        return "ok"

    async def main() -> None:
        async with app.test_app():
            await app.test_client().get("/")
            await asyncio.sleep(0.05)

    asyncio.run(main())
    for hook in SERVING_HOOKS:
        assert seen[hook] == (False, True), hook
    assert seen["background task from before_serving"] == (False, True)
    for label in ("background task from a request", "create_task from a request", "ensure_future from a request"):
        assert seen[label] == (True, True), label
    assert "flask.Flask().add_background_task" in LIBRARY.followers


def test_quart_trio_nursery_tasks_copy_the_callers_context() -> None:
    pytest.importorskip("quart_trio")
    import trio
    from quart_trio import QuartTrio

    app = QuartTrio(__name__)
    seen: dict[str, tuple[bool, bool]] = {}

    async def task(label: str) -> None:
        _probe(seen, label)

    @app.before_serving
    async def start() -> None:
        app.nursery.start_soon(task, "from before_serving")

    @app.get("/")
    async def index() -> str:
        app.nursery.start_soon(task, "from a request")
        return "ok"

    async def main() -> None:
        async with app.test_app():
            await app.test_client().get("/")
            await trio.sleep(0.05)

    trio.run(main)
    assert seen == {"from before_serving": (False, True), "from a request": (True, True)}
    assert "flask.Flask().nursery.start_soon" in LIBRARY.followers


PROJECT = """
from quart import Quart, request

app = Quart(__name__)


async def audit():
    print(request.path)


@app.get("/")
async def index():
    app.add_background_task(audit)
    return ""


@app.before_serving
async def boot():
    app.add_background_task(audit)
"""


def test_only_the_task_started_without_a_request_is_reported(tmp_path) -> None:  # noqa: ANN001
    (tmp_path / "app.py").write_text(textwrap.dedent(PROJECT), encoding="utf-8")
    findings = analyse([str(tmp_path)]).findings
    assert [(f.code, f.function) for f in findings] == [("CTX501", "boot")]
    assert "before_serving hook boot()" in findings[0].message and "via audit()" in findings[0].message
