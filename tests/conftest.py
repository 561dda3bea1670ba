"""Fixtures: real server processes, a real Chromium, one browser context per simulated person."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import psycopg
import pytest
from playwright.sync_api import Browser, Page, Playwright, sync_playwright

from tests.support.backends import EMBEDDED, PostgresServer, RedisServer
from tests.support.browser import launch_options
from tests.support.engines import NO_DISPLAY_CAPTURE_SCRIPT, NO_WEBRTC_SCRIPT, PHONE, firefox_options
from tests.support.proof import Proof
from tests.support.server import MendanServer

ServerFactory = Callable[..., MendanServer]

TEMPLATE_DATABASE = "mendan_template"


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption("--lane", default="", help="the tox lane running (unit: Python only, see tox.ini)")


def _outside_the_unit_lane(config: pytest.Config, what: str) -> None:
    """The unit lane (tox.ini) runs on Python alone; a test there that reaches for more fails."""
    if config.getoption("lane") == "unit":
        pytest.fail(f"the unit lane has no {what}: the test belongs in tests/integration or tests/e2e")


@pytest.fixture(scope="session")
def postgres(pytestconfig: pytest.Config) -> Iterator[PostgresServer]:
    """One PostgreSQL cluster per session, with a migrated template that each test's database copies."""
    _outside_the_unit_lane(pytestconfig, "PostgreSQL")
    cluster = PostgresServer().start()
    try:
        url = cluster.url(TEMPLATE_DATABASE)
        with psycopg.connect(cluster.url(), autocommit=True) as connection:
            connection.execute(f"CREATE DATABASE {TEMPLATE_DATABASE}")  # type: ignore[arg-type]
        upgraded = subprocess.run(
            [sys.executable, "-m", "server.cli", "db", "upgrade"],
            env={**os.environ, "MENDAN_DATABASE_URL": url},
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert upgraded.returncode == 0, upgraded.stderr
        yield cluster
    finally:
        cluster.stop()


@pytest.fixture(scope="session")
def redis(pytestconfig: pytest.Config) -> Iterator[RedisServer]:
    _outside_the_unit_lane(pytestconfig, "Redis")
    server = RedisServer().start()
    yield server
    server.stop()


@pytest.fixture
def backend() -> str:
    """Which storage and bus the servers of a test use; tests/integration runs every one."""
    return EMBEDDED


@pytest.fixture
def backend_env(backend: str, request: pytest.FixtureRequest) -> Callable[[], dict[str, str]]:
    """backend_env() -> the environment that points one new deployment at its own fresh backends."""

    def make() -> dict[str, str]:
        if backend == EMBEDDED:
            return {}
        cluster: PostgresServer = request.getfixturevalue("postgres")
        redis_server: RedisServer = request.getfixturevalue("redis")
        return {
            "MENDAN_DATABASE_URL": cluster.create_database(template=TEMPLATE_DATABASE),
            "MENDAN_REDIS_URL": redis_server.url,
        }

    return make


@pytest.fixture
def server_factory(
    tmp_path: Path, request: pytest.FixtureRequest, backend_env: Callable[[], dict[str, str]]
) -> Iterator[ServerFactory]:
    """server_factory(env, data_dir, instance_of=None): a started server; ``instance_of`` another
    server makes a second instance of that deployment (same database and bus, its own data folder)."""
    _outside_the_unit_lane(request.config, "server process")
    started: list[MendanServer] = []

    def make(
        env: dict[str, str] | None = None,
        data_dir: Path | None = None,
        instance_of: MendanServer | None = None,
    ) -> MendanServer:
        shared = instance_of.backend_env if instance_of is not None else backend_env()
        server = MendanServer(data_dir or tmp_path / f"data{len(started)}", {**shared, **(env or {})})
        server.backend_env = shared
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


LANE_SECONDS: dict[str, float] = {}


def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    """Time per lane (the folder under tests/), so the suite's cost stays visible in every run."""
    parts = report.nodeid.split("/")
    lane = parts[1] if len(parts) > 2 and parts[0] == "tests" else "other"
    LANE_SECONDS[lane] = LANE_SECONDS.get(lane, 0.0) + report.duration


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    if LANE_SECONDS:
        lanes = sorted(LANE_SECONDS.items(), key=lambda item: -item[1])
        shown = ", ".join(f"{lane} {seconds:.0f} s" for lane, seconds in lanes)
        terminalreporter.write_line(f"time per lane: {shown}")


@pytest.fixture(scope="session")
def proof() -> Proof:
    return Proof()


@pytest.fixture(scope="session")
def playwright_instance(pytestconfig: pytest.Config) -> Iterator[Playwright]:
    _outside_the_unit_lane(pytestconfig, "browser")
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
            if engine == "phone":
                context.add_init_script(NO_DISPLAY_CAPTURE_SCRIPT)
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
