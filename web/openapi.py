"""The OpenAPI 3.1 document for the JSON API, served at /api.

Kept as data next to the views it describes; tests compare its field lists with what
the endpoints actually return, so the two cannot drift apart silently.
"""

from __future__ import annotations

from typing import Any

_TIME = {"type": "string", "format": "date-time", "description": "ISO 8601, UTC, ending in Z"}

THREAD_SUMMARY: dict[str, Any] = {
    "type": "object",
    "required": ["id", "subject", "url", "posts", "created", "last_activity"],
    "properties": {
        "id": {"type": "integer"},
        "subject": {"type": "string"},
        "url": {"type": "string", "format": "uri"},
        "posts": {"type": "integer", "description": "number of posts"},
        "created": _TIME,
        "last_activity": _TIME,
    },
}

POST: dict[str, Any] = {
    "type": "object",
    "required": ["id", "author", "date", "body"],
    "properties": {
        "id": {"type": "integer"},
        "author": {
            "type": "object",
            "required": ["name", "email"],
            "properties": {
                "name": {"type": ["string", "null"]},
                "email": {"type": ["string", "null"]},
            },
        },
        "date": {
            "type": "string",
            "description": "as written in the mail (local time with its UTC offset), "
            "else ISO 8601 UTC with Z",
        },
        "body": {"type": "string", "description": "plain text (mail) or Markdown (web)"},
    },
}

THREAD: dict[str, Any] = {
    "type": "object",
    "required": ["id", "subject", "url", "posts"],
    "properties": {
        "id": {"type": "integer"},
        "subject": {"type": "string"},
        "url": {"type": "string", "format": "uri"},
        "posts": {"type": "array", "items": {"$ref": "#/components/schemas/Post"}},
    },
}

_ERROR = {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}


def document(public_url: str) -> dict[str, Any]:
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "Mailfeed API",
            "version": "1",
            "description": "Threads that moved from mail to the feed. Same sign-in as the "
            "web pages (session cookie, or the SSO header behind a trusted proxy).",
        },
        "servers": [{"url": public_url}],
        "paths": {
            "/api/threads": {
                "get": {
                    "summary": "Threads, newest activity first",
                    "parameters": [
                        {"name": "q", "in": "query", "schema": {"type": "string"},
                         "description": "full-text search"},
                        {"name": "limit", "in": "query",
                         "schema": {"type": "integer", "minimum": 1, "maximum": 1000,
                                    "default": 50}},
                        {"name": "before", "in": "query", "schema": {"type": "string"},
                         "description": "opaque cursor: the `next` of the previous page"},
                    ],
                    "responses": {
                        "200": {"description": "a page of threads", "content": {
                            "application/json": {"schema": {
                                "type": "object",
                                "required": ["threads", "next"],
                                "properties": {
                                    "threads": {"type": "array", "items": {
                                        "$ref": "#/components/schemas/ThreadSummary"}},
                                    "next": {"type": ["string", "null"]},
                                },
                            }}}},
                        "400": {"description": "bad limit or cursor", "content": _ERROR},
                        "401": {"description": "sign-in required", "content": _ERROR},
                    },
                }
            },
            "/api/threads/{id}": {
                "get": {
                    "summary": "One thread with its posts, oldest first",
                    "parameters": [{"name": "id", "in": "path", "required": True,
                                    "schema": {"type": "integer"}}],
                    "responses": {
                        "200": {"description": "the thread", "content": {"application/json": {
                            "schema": {"$ref": "#/components/schemas/Thread"}}}},
                        "401": {"description": "sign-in required", "content": _ERROR},
                        "404": {"description": "no such thread", "content": _ERROR},
                    },
                }
            },
        },
        "components": {
            "schemas": {
                "ThreadSummary": THREAD_SUMMARY,
                "Thread": THREAD,
                "Post": POST,
                "Error": {"type": "object", "properties": {"error": {"type": "string"}}},
            }
        },
    }
