"""Fixtures: real server processes, a real Chromium, one browser context per simulated person."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, Playwright, sync_playwright

from tests.support.browser import launch_options
from tests.support.engines import NO_WEBRTC_SCRIPT, PHONE, firefox_options
from tests.support.proof import Proof
from tests.support.server import MendanServer

ServerFactory = Callable[..., MendanServer]


@pytest.fixture
def server_factory(tmp_path: Path, request: pytest.FixtureRequest) -> Iterator[ServerFactory]:
    started: list[MendanServer] = []

    def make(env: dict[str, str] | None = None, data_dir: Path | None = None) -> MendanServer:
        server = MendanServer(data_dir or tmp_path / f"data{len(started)}", env)
        started.append(server)
        return server.start()

    yield make
    for server in started:
        server.stop()
    report = getattr(request.node, "rep_call", None)
    if report is not None and report.failed:
        for server in started:
            print(f"---- server log ({server.url}) ----\n{server.log()}")


@pytest.fixture
def server(server_factory: ServerFactory) -> MendanServer:
    return server_factory()


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Iterator[None]:
    report = yield
    setattr(item, f"rep_{report.when}", report)
    return report


@pytest.fixture(scope="session")
def proof() -> Proof:
    return Proof()


@pytest.fixture(scope="session")
def playwright_instance() -> Iterator[Playwright]:
    with sync_playwright() as playwright:
        yield playwright


@pytest.fixture(scope="session")
def browser(playwright_instance: Playwright, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Browser]:
    home = tmp_path_factory.mktemp("chromium-home")
    browser = playwright_instance.chromium.launch(**launch_options(home))  # type: ignore[arg-type]
    yield browser
    browser.close()


class Firefoxes:
    """Firefox ESR launched on first use, with and without WebRTC (one browser each per session)."""

    def __init__(self, playwright: Playwright, home: Path) -> None:
        self.playwright = playwright
        self.home = home
        self.launched: dict[bool, Browser] = {}

    def get(self, webrtc: bool) -> Browser:
        if webrtc not in self.launched:
            self.launched[webrtc] = self.playwright.firefox.launch(**firefox_options(webrtc, self.home))
        return self.launched[webrtc]


@pytest.fixture(scope="session")
def firefoxes(
    playwright_instance: Playwright, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Firefoxes]:
    engines = Firefoxes(playwright_instance, tmp_path_factory.mktemp("firefox-home"))
    yield engines
    for browser in engines.launched.values():
        browser.close()


@pytest.fixture
def person(
    browser: Browser, firefoxes: Firefoxes, request: pytest.FixtureRequest
) -> Iterator[Callable[..., Page]]:
    """person(name, engine="chromium") -> a page in its own browser context with fake camera and mic.

    Engines are those of tests/support/engines.py.
    """
    contexts = []
    pages: dict[str, Page] = {}
    artifacts = Path(__file__).resolve().parent.parent / "test-artifacts"

    def make(name: str = "person", engine: str = "chromium", **context_options: object) -> Page:
        if engine.startswith("firefox"):
            context = firefoxes.get(webrtc=engine == "firefox").new_context(**context_options)  # type: ignore[arg-type]
        else:
            options = {**PHONE, **context_options} if engine == "phone" else context_options
            context = browser.new_context(permissions=["camera", "microphone"], **options)  # type: ignore[arg-type]
            if engine == "chromium-nowebrtc":
                context.add_init_script(NO_WEBRTC_SCRIPT)
        context.set_default_timeout(15000)
        contexts.append(context)
        page = context.new_page()
        page.on("console", lambda message: print(f"[{name} console] {message.type}: {message.text}"))
        page.on("pageerror", lambda error: print(f"[{name} pageerror] {error}"))
        pages[name] = page
        return page

    yield make
    report = getattr(request.node, "rep_call", None)
    if report is not None and report.failed:
        artifacts.mkdir(exist_ok=True)
        for name, page in pages.items():
            try:
                page.screenshot(path=str(artifacts / f"{request.node.name}-{name}.png"))
            except Exception as exc:  # a crashed page cannot be photographed; say so and go on
                print(f"no screenshot of {name}: {exc}")
    for context in contexts:
        context.close()
