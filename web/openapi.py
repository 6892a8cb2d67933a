"""The OpenAPI 3.1 document for the JSON API, served at /api.

Kept as data next to the views it describes; tests compare its field lists with what
the endpoints actually return, so the two cannot drift apart silently.
"""

from __future__ import annotations

from typing import Any

_TIME = {"type": "string", "format": "date-time", "description": "ISO 8601, UTC, ending in Z"}

KIND = {"type": "string", "enum": ["question", "discussion", "praise", "event", "idea", "news"]}
PERSON_REF: dict[str, Any] = {
    "type": "object",
    "required": ["email", "name"],
    "properties": {"email": {"type": "string"}, "name": {"type": ["string", "null"]}},
}
EVENT: dict[str, Any] = {
    "type": ["object", "null"],
    "description": "for event threads; null for every other kind",
    "required": ["starts", "ends", "place", "cancelled", "attendees"],
    "properties": {
        "starts": _TIME,
        "ends": _TIME,
        "place": {"type": "string"},
        "cancelled": {"type": "boolean"},
        "attendees": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["email", "name", "status"],
                "properties": {
                    "email": {"type": "string"},
                    "name": {"type": ["string", "null"]},
                    "status": {
                        "type": "string",
                        "enum": ["accepted", "declined", "tentative", "needs-action"],
                    },
                },
            },
        },
    },
}
_INVITED = {
    "type": "array",
    "items": {"$ref": "#/components/schemas/PersonRef"},
    "description": "everyone invited to the thread",
}

THREAD_SUMMARY: dict[str, Any] = {
    "type": "object",
    "required": [
        "id",
        "subject",
        "url",
        "kind",
        "posts",
        "created",
        "last_activity",
        "invited",
        "event",
    ],
    "properties": {
        "id": {"type": "integer"},
        "subject": {"type": "string"},
        "url": {"type": "string", "format": "uri"},
        "kind": KIND,
        "posts": {"type": "integer", "description": "number of posts"},
        "created": _TIME,
        "last_activity": _TIME,
        "invited": _INVITED,
        "event": {"$ref": "#/components/schemas/Event"},
    },
}

NEW_THREAD: dict[str, Any] = {
    "type": "object",
    "required": ["kind", "subject", "body"],
    "properties": {
        "kind": {"type": "string", "enum": ["question", "discussion", "praise", "event", "idea"]},
        "subject": {"type": "string", "maxLength": 300},
        "body": {"type": "string", "maxLength": 20000, "description": "Markdown"},
        "invite": {"type": "array", "items": {"type": "string", "format": "email"}},
        "invite_departments": {
            "type": "array",
            "items": {"type": "string"},
            "description": "invite everyone in these departments",
        },
        "praise": {
            "type": "array",
            "items": {"type": "string", "format": "email"},
            "description": "required for kind praise",
        },
        "badge": {
            "type": "string",
            "enum": [
                "helpful",
                "teamwork",
                "customer-hero",
                "problem-solver",
                "mentor",
                "above-and-beyond",
            ],
        },
        "mention": {"type": "array", "items": {"type": "string", "format": "email"}},
        "event": {
            "type": "object",
            "required": ["starts", "ends"],
            "description": "required for kind event; times ISO 8601, without an offset "
            "taken as UTC",
            "properties": {
                "starts": {"type": "string"},
                "ends": {"type": "string"},
                "place": {"type": "string"},
            },
        },
    },
}

PERSON: dict[str, Any] = {
    "type": "object",
    "required": [
        "email",
        "name",
        "department",
        "url",
        "praise_received",
        "praise_given",
        "invitations",
    ],
    "properties": {
        "email": {"type": "string"},
        "name": {"type": ["string", "null"]},
        "department": {"type": ["string", "null"]},
        "url": {"type": "string", "format": "uri"},
        "praise_received": {"type": "integer"},
        "praise_given": {"type": "integer"},
        "invitations": {"type": "integer"},
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
    "required": ["id", "subject", "url", "kind", "invited", "praised", "event", "posts"],
    "properties": {
        "id": {"type": "integer"},
        "subject": {"type": "string"},
        "url": {"type": "string", "format": "uri"},
        "kind": KIND,
        "invited": _INVITED,
        "praised": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["email", "name", "badge"],
                "properties": {
                    "email": {"type": "string"},
                    "name": {"type": ["string", "null"]},
                    "badge": {"type": ["string", "null"]},
                },
            },
        },
        "event": {"$ref": "#/components/schemas/Event"},
        "posts": {"type": "array", "items": {"$ref": "#/components/schemas/Post"}},
    },
}

_JSON_ERRORS = {
    "400": {
        "description": "bad input (message in the caller's language)",
        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}},
    },
    "401": {
        "description": "not signed in, or a wrong or revoked token",
        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}},
    },
    "403": {
        "description": "guests (open mode) cannot write",
        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}},
    },
}
_CREATED = {
    "application/json": {
        "schema": {
            "type": "object",
            "required": ["id", "url"],
            "properties": {"id": {"type": "integer"}, "url": {"type": "string", "format": "uri"}},
        }
    }
}
_ID = {"name": "id", "in": "path", "required": True, "schema": {"type": "integer"}}

WRITE_PATHS: dict[str, Any] = {
    "/api/threads/{id}/posts": {
        "post": {
            "summary": "Reply in a thread (Markdown; @-mentions notify)",
            "parameters": [_ID],
            "requestBody": {
                "required": True,
                "content": {
                    "application/json": {
                        "schema": {
                            "type": "object",
                            "required": ["body"],
                            "properties": {"body": {"type": "string", "maxLength": 20000}},
                        }
                    }
                },
            },
            "responses": {
                "201": {"description": "the new post", "content": _CREATED},
                "404": {"description": "no such thread"},
                **_JSON_ERRORS,
            },
        }
    },
    "/api/posts/{id}/like": {
        "post": {
            "summary": "Like a post (idempotent)",
            "parameters": [_ID],
            "responses": {
                "201": {"description": "liked now"},
                "200": {"description": "was liked already"},
                "404": {"description": "no such post"},
                **_JSON_ERRORS,
            },
        }
    },
    "/api/people/{address}": {
        "get": {
            "summary": "One person: name, department, praise received and given",
            "parameters": [
                {
                    "name": "address",
                    "in": "path",
                    "required": True,
                    "schema": {"type": "string", "format": "email"},
                }
            ],
            "responses": {
                "200": {
                    "description": "the person",
                    "content": {
                        "application/json": {"schema": {"$ref": "#/components/schemas/Person"}}
                    },
                },
                "404": {"description": "no such person"},
                **_JSON_ERRORS,
            },
        }
    },
    "/api/people": {
        "get": {
            "summary": "Name type-ahead: people whose name or address starts with q",
            "parameters": [
                {"name": "q", "in": "query", "schema": {"type": "string"}},
                {
                    "name": "thread",
                    "in": "query",
                    "schema": {"type": "integer"},
                    "description": "people on this thread come first",
                },
            ],
            "responses": {"200": {"description": "up to 8 people"}},
        }
    },
}
START_THREAD: dict[str, Any] = {
    "summary": "Start a thread: a question, discussion, praise, event or idea",
    "description": "Invitees, praise recipients and mentions must be in the organisation's "
    "domains. Event invitees get an iCalendar invitation by mail.",
    "requestBody": {
        "required": True,
        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/NewThread"}}},
    },
    "responses": {"201": {"description": "the new thread", "content": _CREATED}, **_JSON_ERRORS},
}

_ERROR = {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}


def document(public_url: str) -> dict[str, Any]:
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "Mailfeed API",
            "version": "1",
            "description": "Threads that moved from mail to the feed, and what people start "
            "there. Same sign-in as the web pages (session cookie with the CSRF token in "
            "X-CSRF-Token for writes, or the SSO header behind a trusted proxy), or a "
            "personal token from `mailfeed token create ADDR` as `Authorization: Bearer "
            "<token>` (no CSRF token needed). A wrong or revoked token gets 401.",
        },
        "servers": [{"url": public_url}],
        "paths": {
            "/api/threads": {
                "get": {
                    "summary": "Threads, newest activity first",
                    "parameters": [
                        {
                            "name": "q",
                            "in": "query",
                            "schema": {"type": "string"},
                            "description": "full-text search",
                        },
                        {
                            "name": "limit",
                            "in": "query",
                            "schema": {
                                "type": "integer",
                                "minimum": 1,
                                "maximum": 1000,
                                "default": 50,
                            },
                        },
                        {
                            "name": "before",
                            "in": "query",
                            "schema": {"type": "string"},
                            "description": "opaque cursor: the `next` of the previous page",
                        },
                    ],
                    "responses": {
                        "200": {
                            "description": "a page of threads",
                            "content": {
                                "application/json": {
                                    "schema": {
                                        "type": "object",
                                        "required": ["threads", "next"],
                                        "properties": {
                                            "threads": {
                                                "type": "array",
                                                "items": {
                                                    "$ref": "#/components/schemas/ThreadSummary"
                                                },
                                            },
                                            "next": {"type": ["string", "null"]},
                                        },
                                    }
                                }
                            },
                        },
                        "400": {"description": "bad limit or cursor", "content": _ERROR},
                        "401": {"description": "sign-in required", "content": _ERROR},
                    },
                },
                "post": START_THREAD,
            },
            "/api/threads/{id}": {
                "get": {
                    "summary": "One thread with its posts, oldest first",
                    "parameters": [
                        {
                            "name": "id",
                            "in": "path",
                            "required": True,
                            "schema": {"type": "integer"},
                        }
                    ],
                    "responses": {
                        "200": {
                            "description": "the thread",
                            "content": {
                                "application/json": {
                                    "schema": {"$ref": "#/components/schemas/Thread"}
                                }
                            },
                        },
                        "401": {"description": "sign-in required", "content": _ERROR},
                        "404": {"description": "no such thread", "content": _ERROR},
                    },
                }
            },
            **WRITE_PATHS,
        },
        "security": [{"session": []}, {"bearer": []}],
        "components": {
            "securitySchemes": {
                "session": {"type": "apiKey", "in": "cookie", "name": "mailfeed_session"},
                "bearer": {
                    "type": "http",
                    "scheme": "bearer",
                    "description": "a personal token: `mailfeed token create ADDR`",
                },
            },
            "schemas": {
                "ThreadSummary": THREAD_SUMMARY,
                "Thread": THREAD,
                "Post": POST,
                "PersonRef": PERSON_REF,
                "Person": PERSON,
                "Event": EVENT,
                "NewThread": NEW_THREAD,
                "Error": {"type": "object", "properties": {"error": {"type": "string"}}},
            },
        },
    }
