"""Mendan at a real host name (mendan.test, mapped to 127.0.0.1 inside Chromium only): over HTTPS from
`mendan serve --tls-*` the whole meeting works; over plain http:// the pages say the site needs HTTPS."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Playwright, expect

from tests.e2e.meeting_steps import connect, issue_number, log_in, tid
from tests.support.browser import launch_options
from tests.support.tls import HOST_NAME, Certificate, make_certificate

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"


@pytest.fixture
def certificate(tmp_path: Path) -> Certificate:
    return make_certificate(tmp_path / "tls")


@pytest.fixture
def browser(playwright_instance: Playwright, tmp_path: Path, certificate: Certificate) -> Iterator[Browser]:
    """This module's Chromium: resolves mendan.test and trusts this test's certificate (person uses it)."""
    options = launch_options(tmp_path / "home", host_name=HOST_NAME, trusted_spki=certificate.spki_sha256)
    launched = playwright_instance.chromium.launch(**options)  # type: ignore[arg-type]
    yield launched
    launched.close()


def test_plain_http_at_a_host_name_says_the_site_needs_https_not_a_bridge(server, person) -> None:  # type: ignore[no-untyped-def]
    server.create_account("tanaka", name="田中 太郎", company="株式会社サンプル")
    site = server.reached_as(HOST_NAME)
    customer = person("customer")
    number = issue_number(customer, site)  # numbers still issue: they need no camera
    assert customer.evaluate("window.isSecureContext") is False
    notice = tid(customer, "secure-context-notice")
    expect(notice).to_be_visible()
    expect(notice).to_contain_text("https://")
    expect(tid(customer, "compat-banner")).to_be_hidden()

    rep_on_http = person("rep-on-http")
    log_in(rep_on_http, site, "tanaka")
    expect(tid(rep_on_http, "secure-context-notice")).to_contain_text("https://")
    expect(tid(rep_on_http, "connect-button")).to_be_disabled()
    ARTIFACTS.mkdir(exist_ok=True)
    rep_on_http.screenshot(path=str(ARTIFACTS / "deployment-rep-on-http.png"), full_page=True)

    rep = person("rep")  # the rep on the server itself (localhost is a secure context) connects
    log_in(rep, server, "tanaka")
    connect(rep, number)
    expect(customer.get_by_text("株式会社サンプル 田中 太郎 さん")).to_be_visible()
    expect(tid(customer, "start-media")).to_be_disabled()
    expect(customer.locator("#consent-unsupported")).to_contain_text("https://")
    customer.screenshot(path=str(ARTIFACTS / "deployment-customer-on-http.png"), full_page=True)
    for page in (customer, rep_on_http):
        shown = page.inner_text("body")  # only what is rendered: hidden hints do not count
        assert "ブリッジ" not in shown and "Google Chrome" not in shown, shown
