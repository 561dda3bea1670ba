"""/bridge: per OS, the host download and the extension, with steps for a person and for IT;
/bridge/download/NAME serves one of the files found at start (downloads.py)."""

from __future__ import annotations

from xml.sax.saxutils import escape

from starlette.requests import Request
from starlette.responses import FileResponse, Response
from starlette.routing import Route

from protocol.signaling import ErrorCode
from server.bridge.downloads import BY_NAME
from server.errors import MendanError
from server.services import services
from server.templating import render

HOST_PLATFORMS = ("windows", "macos", "linux")
EXTENSION_PLATFORMS = ("chromium", "firefox")


def _origin(request: Request) -> str:
    public = services(request).settings.public_url
    return public or str(request.base_url).rstrip("/")


async def bridge_page(request: Request) -> Response:
    downloads = services(request).bridge_downloads
    offered = {
        platform: downloads.for_platform(platform) for platform in HOST_PLATFORMS + EXTENSION_PLATFORMS
    }
    return render(
        request,
        "bridge.html",
        origin=_origin(request),
        host_platforms=HOST_PLATFORMS,
        extension_platforms=EXTENSION_PLATFORMS,
        offered=offered,
        packed=downloads.packed,
    )


async def download(request: Request) -> Response:
    name = request.path_params["name"]
    path = services(request).bridge_downloads.path(name)
    if path is None or not path.is_file():  # unknown, not built, or removed since the start
        raise MendanError(ErrorCode.NOT_FOUND, f"bridge file {name!r} is not offered")
    return FileResponse(path, media_type=BY_NAME[name].media_type, filename=name)


UPDATE_MANIFEST = """<?xml version="1.0" encoding="UTF-8"?>
<gupdate xmlns="http://www.google.com/update2/response" protocol="2.0">
  <app appid="{id}">
    <updatecheck codebase="{origin}/bridge/download/mendan-bridge.crx" version="{version}"/>
  </app>
</gupdate>
"""


async def update_manifest(request: Request) -> Response:
    """Where Chromium (ExtensionInstallForcelist ``id;<origin>/bridge/updates.xml``) finds the CRX."""
    packed = services(request).bridge_downloads.packed
    if packed is None:
        raise MendanError(ErrorCode.NOT_FOUND, "no packed extension (mendan-bridge.crx) is offered")
    body = UPDATE_MANIFEST.format(id=packed.id, version=packed.version, origin=escape(_origin(request)))
    return Response(body, media_type="application/xml")


routes = [
    Route("/bridge", bridge_page, methods=["GET"]),
    Route("/bridge/download/{name}", download, methods=["GET"]),
    Route("/bridge/updates.xml", update_manifest, methods=["GET"]),
]
