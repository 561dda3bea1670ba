"""Mendan at a real host name (mendan.test, mapped to 127.0.0.1 inside Chromium only): over HTTPS from
`mendan serve --tls-*` the whole meeting works; over plain http:// the pages say the site needs HTTPS."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, Playwright, expect

from tests.e2e.document_steps import choose, library_pdf, show_and_turn
from tests.e2e.meeting_steps import (
    connect,
    invite_url,
    issue_number,
    log_in,
    tid,
    wait_for_advancing_video,
)
from tests.e2e.recording_steps import start_recorded_meeting, wait_for_finished_recording
from tests.support.browser import launch_options
from tests.support.nginx import PROXY_ADDRESS, NginxProxy
from tests.support.server import MendanServer
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


def _whole_meeting(site: MendanServer, server: MendanServer, person, title: str = "Quote 見積書") -> Page:  # type: ignore[no-untyped-def]
    """A recorded call with video both ways, a document shown, turned and given, the recording in the
    history; ``site`` is what the browsers open, ``server`` the process. Returns the rep's page."""
    data = library_pdf(server, title, pages=2, shareable=True)
    customer, rep = person("customer"), person("rep")
    start_recorded_meeting(customer, rep, site, "tanaka")
    wait_for_advancing_video(customer)
    assert customer.evaluate("[location.origin, window.isSecureContext]") == [site.url, True]

    show_and_turn(rep, customer, "見積書")
    choose(rep, "見積書", "doc-give").click()
    with customer.expect_download() as given:
        tid(customer, "doc-receive").click()
    assert Path(given.value.path()).read_bytes() == data

    rep.wait_for_function("() => Mendan.debug.recording()?.chunks >= 2", timeout=40000)
    rep.wait_for_function("() => Mendan.debug.recording().pending === 0", timeout=30000)
    tid(rep, "leave-button").click()
    wait_for_finished_recording(rep, site)
    return rep


def test_a_whole_meeting_over_https_from_mendan_serve(server_factory, person, certificate) -> None:  # type: ignore[no-untyped-def]
    tls = {"MENDAN_TLS_CERT": str(certificate.cert), "MENDAN_TLS_KEY": str(certificate.key)}
    server = server_factory(tls)
    server.create_account("tanaka", name="田中 太郎", company="株式会社サンプル")
    site = server.reached_at(f"https://{HOST_NAME}:{server.port}")
    _whole_meeting(site, server, person)


def test_the_same_meeting_through_nginx_with_tls_in_front_of_plain_mendan_serve(  # type: ignore[no-untyped-def]
    server_factory, person, certificate, tmp_path: Path
) -> None:
    server = server_factory({"MENDAN_TRUSTED_PROXIES": PROXY_ADDRESS})
    assert server.url.startswith("http://")
    server.create_account("tanaka", name="田中 太郎", company="株式会社サンプル")
    proxy = NginxProxy(tmp_path / "nginx", server, certificate, HOST_NAME).start()
    try:
        site = server.reached_at(proxy.url)
        rep = _whole_meeting(site, server, person)
        answer = rep.goto(site.url + "/rep")
        assert answer is not None and answer.headers["strict-transport-security"] == "max-age=31536000"
        cookies = {cookie["name"]: cookie["secure"] for cookie in rep.context.cookies()}
        assert cookies["mendan_session"] is True and cookies["mendan_csrf"] is True
    finally:
        proxy.stop()
    # Mendan's peer was nginx (127.0.0.3); what it counted and logged is the browser's 127.0.0.1.
    assert [entry["address"] for entry in server.logged("number issued")] == ["127.0.0.1"]


def test_plain_http_at_a_host_name_says_the_site_needs_https_not_a_bridge(server, person) -> None:  # type: ignore[no-untyped-def]
    server.create_account("tanaka", name="田中 太郎", company="株式会社サンプル")
    site = server.reached_at(server.url.replace("127.0.0.1", HOST_NAME))
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
    guest = person("guest")  # an invite link opened at the host name, by someone reading English
    guest.context.add_cookies([{"name": "mendan_lang", "value": "en", "url": site.url}])
    guest.goto(invite_url(rep).replace(server.url, site.url))
    expect(tid(guest, "secure-context-notice")).to_contain_text("unencrypted connection (http://)")
    guest.screenshot(path=str(ARTIFACTS / "deployment-guest-on-http-en.png"))
    for page in (customer, rep_on_http, guest):
        shown = page.inner_text("body")  # only what is rendered: hidden hints do not count
        assert not any(advice in shown for advice in ("ブリッジ", "bridge", "Google Chrome")), shown
