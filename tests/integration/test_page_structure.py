"""Every page is well-formed HTML: each element closed in order (a lost </section> once hid the
room inside the document library), ids unique, and the room present where it should be."""

from __future__ import annotations

from collections import Counter
from html.parser import HTMLParser

import httpx

from tests.support.clients import Rep, issue_number
from tests.support.server import MendanServer

VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}


class _Structure(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.stack: list[tuple[str, str]] = []
        self.problems: list[str] = []
        self.ids: Counter[str] = Counter()
        self.parents_of_room: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        if found.get("id"):
            self.ids[found["id"] or ""] += 1
        if found.get("id") == "room":
            self.parents_of_room = [name for _, name in self.stack if name]
        if tag not in VOID:
            self.stack.append((tag, found.get("id") or ""))

    def handle_endtag(self, tag: str) -> None:
        if not self.stack or self.stack[-1][0] != tag:
            self.problems.append(f"</{tag}> closes {self.stack[-1] if self.stack else 'nothing'}")
            return
        self.stack.pop()


def _check(html: str) -> _Structure:
    parser = _Structure()
    parser.feed(html)
    parser.close()
    assert parser.problems == [], parser.problems
    assert parser.stack == [], f"never closed: {parser.stack}"
    assert [name for name, count in parser.ids.items() if count > 1] == []
    return parser


def test_every_page_is_well_formed(server: MendanServer) -> None:
    server.create_account("tanaka", name="田中 太郎", company="株式会社サンプル")
    rep = Rep(server, "tanaka")
    pages = {path: httpx.get(server.url + path).text for path in ("/", "/login", "/environment", "/invite/x")}
    pages["/rep"] = rep.http.get("/rep").text
    pages["/portal"] = rep.http.get("/portal").text
    for path, html in pages.items():
        structure = _check(html)
        if path in ("/", "/rep", "/invite/x"):
            # The room sits directly in the page, never inside a panel that hides in the meeting.
            assert structure.parents_of_room == [], (path, structure.parents_of_room)
    issue_number(server)
    rep.close()
