"""The API's description (OpenAPI 3.1), served at /api/v1/openapi.json; a test keeps it in step with the routes."""

_ERROR = {"type": "object", "properties": {"error": {"type": "string"}}}
_JSON = "application/json"


def _ok(schema: dict, description: str = "OK") -> dict:
    return {"description": description, "content": {_JSON: {"schema": schema}}}


def _err(description: str) -> dict:
    return {"description": description, "content": {_JSON: {"schema": _ERROR}}}


QUESTION = {"type": "object", "properties": {
    "id": {"type": "integer"}, "slot": {"type": "integer"}, "type": {"type": "string"},
    "stem": {"type": "string"}, "points": {"type": "number"},
    "options": {"type": "array", "items": {"type": "string"}}}}
ATTEMPT = {"type": "object", "properties": {
    "id": {"type": "integer"}, "exam_id": {"type": "integer"}, "status": {"type": "string"},
    "started_at": {"type": "string"}, "deadline": {"type": "string"}, "server_time": {"type": "string"},
    "questions": {"type": "array", "items": QUESTION}}}
CSRF = [{"session": [], "csrf": []}]

SPEC = {
    "openapi": "3.1.0",
    "info": {"title": "examapp API", "version": "1",
             "description": "The exam-taking flow. Log in first; every later write sends the X-CSRFToken header "
                            "with the token the login returned."},
    "components": {"securitySchemes": {
        "session": {"type": "apiKey", "in": "cookie", "name": "session"},
        "csrf": {"type": "apiKey", "in": "header", "name": "X-CSRFToken"}}},
    "paths": {
        "/api/v1/auth/login": {"post": {
            "summary": "Log in", "security": [],
            "requestBody": {"required": True, "content": {_JSON: {"schema": {
                "type": "object", "required": ["username", "password"],
                "properties": {"username": {"type": "string"}, "password": {"type": "string"}}}}}},
            "responses": {"200": _ok({"type": "object", "properties": {"user": {"type": "object"},
                                                                       "csrf_token": {"type": "string"}}}),
                          "400": _err("malformed request"), "401": _err("wrong username or password"),
                          "429": _err("too many failures for this account in the last hour")}}},
        "/api/v1/exams": {"get": {
            "summary": "My exams", "security": [{"session": []}],
            "responses": {"200": _ok({"type": "object", "properties": {"exams": {"type": "array", "items": {
                "type": "object", "properties": {k: {"type": t} for k, t in (
                    ("id", "integer"), ("title", "string"), ("kind", "string"), ("opens_at", "string"),
                    ("closes_at", "string"), ("status", "string"), ("can_start", "boolean"),
                    ("attempts_left", "integer"))}}}}}),
                          "401": _err("not logged in")}}},
        "/api/v1/exams/{exam_id}/attempts": {"post": {
            "summary": "Start an attempt (or get the running one)", "security": CSRF,
            "parameters": [{"name": "exam_id", "in": "path", "required": True, "schema": {"type": "integer"}}],
            "responses": {"201": _ok({"type": "object", "properties": {"attempt": ATTEMPT}}, "started"),
                          "200": _ok({"type": "object", "properties": {"attempt": ATTEMPT}}, "already running"),
                          "404": _err("no such exam for you"), "409": _err("not open, or no attempts left")}}},
        "/api/v1/attempts/{attempt_id}": {"get": {
            "summary": "An attempt's status", "security": [{"session": []}],
            "parameters": [{"name": "attempt_id", "in": "path", "required": True, "schema": {"type": "integer"}}],
            "responses": {"200": _ok(ATTEMPT), "404": _err("not yours, or no such attempt")}}},
        "/api/v1/attempts/{attempt_id}/answers/{question_id}": {"put": {
            "summary": "Save an answer", "security": CSRF,
            "parameters": [{"name": n, "in": "path", "required": True, "schema": {"type": "integer"}}
                           for n in ("attempt_id", "question_id")],
            "requestBody": {"required": True, "content": {_JSON: {"schema": {
                "type": "object", "required": ["seq"],
                "properties": {"response": {}, "seq": {"type": "integer", "minimum": 1},
                               "flagged": {"type": "boolean"}}}}}},
            "responses": {"200": _ok({"type": "object", "properties": {"saved": {"type": "boolean"},
                                                                       "seq": {"type": "integer"},
                                                                       "deadline": {"type": "string"},
                                                                       "server_time": {"type": "string"}}}),
                          "400": _err("malformed request"), "404": _err("not yours"),
                          "409": _err("seq not higher than the stored one, the deadline passed, or submitted")}}},
        "/api/v1/attempts/{attempt_id}/submit": {"post": {
            "summary": "Submit (idempotent)", "security": CSRF,
            "parameters": [{"name": "attempt_id", "in": "path", "required": True, "schema": {"type": "integer"}}],
            "responses": {"200": _ok({"type": "object", "properties": {"status": {"type": "string"},
                                                                       "score": {"type": ["number", "null"]},
                                                                       "passed": {"type": ["boolean", "null"]}}}),
                          "404": _err("not yours")}}},
        "/api/v1/attempts/{attempt_id}/events": {"post": {
            "summary": "Record a tab switch (hidden/visible)", "security": CSRF,
            "parameters": [{"name": "attempt_id", "in": "path", "required": True, "schema": {"type": "integer"}}],
            "requestBody": {"required": True, "content": {_JSON: {"schema": {
                "type": "object", "properties": {"kind": {"enum": ["hidden", "visible"]}}}}}},
            "responses": {"200": _ok({"type": "object"}), "400": _err("unknown event"), "404": _err("not yours")}}},
    },
}
