"""動作環境 (R-8.6): what works in which browser, rendered from the one matrix in compat/."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from compat.matrix import ENGINES, RULES, available, proven
from server.templating import render


async def environment_page(request: Request) -> Response:
    features = [rule.feature for rule in RULES]
    rows = [(engine, available(engine.capabilities)) for engine in ENGINES]
    return render(request, "environment.html", features=features, rows=rows, proven=proven())


routes = [Route("/environment", environment_page, methods=["GET"])]
