"""The OpenAPI 3.1 description of /api/v1, served at /api/docs; a test holds it to the real routes."""

from __future__ import annotations

from typing import Any

ERROR = {"$ref": "#/components/schemas/Error"}


def _answer(
    description: str, schema: dict[str, Any] | None = None, media: str = "application/json"
) -> dict[str, Any]:
    return {"description": description, **({"content": {media: {"schema": schema}}} if schema else {})}


def _errors(*codes: int) -> dict[str, Any]:
    text = {
        400: "bad parameter",
        401: "no token, an unknown one or a revoked one",
        403: "a read-only token tried to write",
        404: "not found, or not this ID's",
        413: "file too large",
        415: "file type not allowed",
    }
    return {str(code): _answer(text[code], ERROR) for code in codes}


def _path_id(name: str) -> dict[str, Any]:
    return {"name": name, "in": "path", "required": True, "schema": {"type": "string"}}


def _query(name: str, description: str, schema: dict[str, Any]) -> dict[str, Any]:
    return {"name": name, "in": "query", "required": False, "description": description, "schema": schema}


SCHEMAS: dict[str, Any] = {
    "Error": {
        "type": "object",
        "required": ["ok", "error"],
        "properties": {
            "ok": {"const": False},
            "error": {
                "type": "object",
                "properties": {"code": {"type": "string"}, "message": {"type": "string"}},
            },
        },
    },
    "Participant": {
        "type": "object",
        "properties": {
            "id": {"type": "string"},
            "role": {"enum": ["host", "customer", "invitee"]},
            "display_name": {"type": "string"},
            "company_name": {"type": "string"},
            "joined_at": {"type": "number", "description": "Unix seconds"},
            "left_at": {"type": ["number", "null"]},
            "talk_seconds": {"type": "number", "description": "speaking time measured in the rep's browser"},
        },
    },
    "Recording": {
        "type": "object",
        "properties": {
            "id": {"type": "string"},
            "meeting_id": {"type": "string"},
            "state": {"enum": ["recording", "finalising", "ready", "failed"]},
            "started_at": {"type": "number"},
            "duration_seconds": {"type": ["number", "null"]},
            "size": {"type": "integer"},
            "download_path": {"type": ["string", "null"]},
        },
    },
    "Meeting": {
        "type": "object",
        "properties": {
            "id": {"type": "string"},
            "number": {"type": "string", "description": "the 5-digit connection number"},
            "state": {"enum": ["waiting", "active", "ended"]},
            "started_at": {"type": "number"},
            "ended_at": {"type": ["number", "null"]},
            "end_reason": {"type": ["string", "null"]},
            "duration_seconds": {"type": ["number", "null"]},
            "participants": {"type": "array", "items": {"$ref": "#/components/schemas/Participant"}},
            "recordings": {"type": "array", "items": {"$ref": "#/components/schemas/Recording"}},
            "documents": {
                "type": "object",
                "description": "documents shown (見せる) and given (渡す) in the meeting",
                "properties": {"shown": {"type": "array"}, "given": {"type": "array"}},
            },
            "chat": {"type": "array", "description": "only in GET /api/v1/meetings/{meeting_id}"},
        },
    },
}


def describe() -> dict[str, Any]:
    meeting_list = {
        "type": "object",
        "properties": {
            "ok": {"const": True},
            "meetings": {"type": "array", "items": {"$ref": "#/components/schemas/Meeting"}},
            "page": {"type": "integer"},
            "per_page": {"type": "integer"},
            "total": {"type": "integer"},
        },
    }
    one_meeting = {
        "type": "object",
        "properties": {"ok": {"const": True}, "meeting": {"$ref": "#/components/schemas/Meeting"}},
    }
    documents = {"type": "object", "properties": {"ok": {"const": True}, "documents": {"type": "array"}}}
    upload = {
        "type": "object",
        "required": ["title", "file"],
        "properties": {
            "title": {"type": "string", "maxLength": 200},
            "memo": {"type": "string"},
            "shareable": {"type": "string", "description": "1/true/on: may be given (渡す) in meetings"},
            "file": {"type": "string", "format": "binary"},
        },
    }
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "Mendan REST API",
            "version": "1",
            "description": "A login ID's meeting history, recordings and documents. "
            "Create a token in the portal (契約マイポータル → 外部連携). See docs/integrations.md.",
        },
        "servers": [{"url": "/"}],
        "security": [{"token": []}],
        "components": {
            "securitySchemes": {"token": {"type": "http", "scheme": "bearer"}},
            "schemas": SCHEMAS,
        },
        "paths": {
            "/api/v1/meetings": {
                "get": {
                    "summary": "The ID's meetings, newest first",
                    "parameters": [
                        _query(
                            "from",
                            "started on or after this day (YYYY-MM-DD, server time zone)",
                            {"type": "string", "format": "date"},
                        ),
                        _query("to", "started on or before this day", {"type": "string", "format": "date"}),
                        _query("page", "1, 2, …", {"type": "integer", "minimum": 1}),
                        _query(
                            "per_page",
                            "meetings per page (50)",
                            {"type": "integer", "minimum": 1, "maximum": 100},
                        ),
                    ],
                    "responses": {"200": _answer("a page of meetings", meeting_list), **_errors(400, 401)},
                }
            },
            "/api/v1/meetings/{meeting_id}": {
                "get": {
                    "summary": "One meeting with its chat",
                    "parameters": [_path_id("meeting_id")],
                    "responses": {"200": _answer("the meeting", one_meeting), **_errors(401, 404)},
                }
            },
            "/api/v1/recordings/{recording_id}/file": {
                "get": {
                    "summary": "A finished recording (WebM); answers Range requests",
                    "parameters": [
                        _path_id("recording_id"),
                        {"name": "Range", "in": "header", "required": False, "schema": {"type": "string"}},
                    ],
                    "responses": {
                        "200": _answer(
                            "the whole file", {"type": "string", "format": "binary"}, "video/webm"
                        ),
                        "206": _answer(
                            "the asked bytes", {"type": "string", "format": "binary"}, "video/webm"
                        ),
                        **_errors(401, 404),
                    },
                }
            },
            "/api/v1/documents": {
                "get": {
                    "summary": "The ID's document library",
                    "responses": {"200": _answer("the documents", documents), **_errors(401)},
                },
                "post": {
                    "summary": "Upload a document (read-write token)",
                    "requestBody": {"required": True, "content": {"multipart/form-data": {"schema": upload}}},
                    "responses": {
                        "201": _answer("the stored document", documents),
                        **_errors(400, 401, 403, 413, 415),
                    },
                },
            },
        },
    }
