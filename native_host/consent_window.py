"""The consent window: ``python -m native_host.consent_window ORIGIN [LANGUAGE]``.

Shows the question in a pywebview window and prints one line ``{"answer": "allow"|"deny"|null}``
on stdout as soon as the user answers (the host reads it through a pipe and ends the process).
The page is built from the catalogue, so every visible string is translatable.
"""

from __future__ import annotations

import html
import json
import sys
from typing import Any

from native_host.catalogue import DEFAULT_LANGUAGE, text


def render_page(origin: str, language: str) -> str:
    """The window's HTML; the origin is escaped (it comes from a web page)."""

    def t(key: str) -> str:
        return html.escape(text(key, language, origin=origin))

    return f"""<!doctype html>
<html lang="{html.escape(language)}"><head><meta charset="utf-8"><title>{t("consent.title")}</title>
<style>
body {{ font-family: sans-serif; margin: 24px; }}
p.question {{ font-size: 18px; font-weight: bold; }}
button {{ font-size: 16px; padding: 8px 20px; margin-right: 12px; }}
</style></head>
<body>
<p class="question" id="question">{t("consent.question")}</p>
<p>{t("consent.detail")}</p>
<button id="allow" onclick="pywebview.api.answer('allow')">{t("consent.allow")}</button>
<button id="deny" onclick="pywebview.api.answer('deny')">{t("consent.deny")}</button>
</body></html>"""


class _Api:
    def __init__(self) -> None:
        self.answer_value: str | None = None
        self.window: Any = None

    def answer(self, value: str) -> None:
        if value in ("allow", "deny") and self.answer_value is None:
            self.answer_value = value
            # Said before the window closes: a toolkit that hangs while tearing down must not
            # keep the answer from the host.
            _say(value)
        if self.window is not None:
            self.window.destroy()


def _say(answer: str | None) -> None:
    print(json.dumps({"answer": answer}), flush=True)


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    origin = args[0]
    language = args[1] if len(args) > 1 else DEFAULT_LANGUAGE
    api = _Api()
    try:
        import webview

        api.window = webview.create_window(
            text("consent.title", language, origin=origin),
            html=render_page(origin, language),
            js_api=api,
            width=560,
            height=300,
            resizable=False,
            on_top=True,
        )
        webview.start()
    except Exception as exc:  # no GUI toolkit or no display: refuse this time, say why in the log
        print(f"consent window failed: {exc!r}", file=sys.stderr)
    if api.answer_value is None:
        _say(None)
    return 0


if __name__ == "__main__":
    sys.exit(main())
