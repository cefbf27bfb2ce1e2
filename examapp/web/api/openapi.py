"""The API's description (OpenAPI 3.1), served at /api/v1/openapi.json. One test keeps it in step with the
routes, another sends generated requests to every operation and checks each answer against it."""

_JSON = "application/json"
ID = {"type": "integer", "minimum": 1}
TIME = {"type": "string", "description": "UTC, ISO 8601 (2026-03-15T02:00:00Z)"}
RATE = {"type": ["number", "null"], "minimum": 0, "maximum": 1, "description": "a fraction; null where nobody is counted"}

# every error is JSON with at least `error`; 400s from a service name the `field`
ERROR = {"type": "object", "required": ["error"], "properties": {
    "error": {"type": "string"}, "message": {"type": "string"}, "field": {"type": "string"}}}


def _obj(required: list[str], **properties) -> dict:
    return {"type": "object", "required": required, "properties": properties}


def _ok(schema: dict, description: str = "OK") -> dict:
    return {"description": description, "content": {_JSON: {"schema": schema}}}


def _err(description: str, schema: dict = ERROR) -> dict:
    return {"description": description, "content": {_JSON: {"schema": schema}}}


def _path_ids(*names: str) -> list[dict]:
    return [{"name": n, "in": "path", "required": True, "schema": ID} for n in names]


NOT_LOGGED_IN = _err("not logged in")
FORBIDDEN = _err("the account may not use this operation (its roles)")
BAD_WRITE = _err("no or a wrong X-CSRFToken header, or a malformed body")
TOO_LARGE = _err("the body is over the server's size limit")

QUESTION = _obj(["id", "slot", "type", "stem", "points", "options"],
                id=ID, slot={"type": "integer", "minimum": 0}, type={"type": "string"}, stem={"type": "string"},
                points={"type": "number"}, options={"type": "array", "items": {"type": "string"}},
                items={"type": "array", "items": _obj(["type", "stem", "options"], type={"type": "string"},
                                                      stem={"type": "string"},
                                                      options={"type": "array", "items": {"type": "string"}})})
ATTEMPT = _obj(["id", "exam_id", "status", "started_at", "deadline", "server_time"],
               id=ID, exam_id=ID, status={"enum": ["running", "submitted"]}, started_at=TIME, deadline=TIME,
               server_time=TIME, questions={"type": "array", "items": QUESTION},
               score={"type": ["number", "null"],
                      "description": "null until the exam's policy shows results and hand grading is done"},
               passed={"type": ["boolean", "null"]}, grading_pending={"type": "boolean"})
EXAM = _obj(["id", "title", "kind", "opens_at", "closes_at", "status", "can_start", "attempts_left"],
            id=ID, title={"type": "string"}, kind={"type": "string"}, opens_at=TIME, closes_at=TIME,
            status={"enum": ["upcoming", "open", "makeup", "done", "closed"]}, can_start={"type": "boolean"},
            attempts_left={"type": "integer", "minimum": 0})
USER = _obj(["id", "username", "name", "unit", "roles"], id=ID, username={"type": "string"},
            name={"type": "string"}, unit={"type": "string"}, roles={"type": "array", "items": {"type": "string"}})
COUNTS = {"expected": {"type": "integer", "minimum": 0}, "sat": {"type": "integer", "minimum": 0},
          "passed": {"type": "integer", "minimum": 0}}
RATES = {"participation_rate": RATE, "pass_rate": RATE, "pass_rate_of_expected": RATE}
RESULTS = _obj(
    ["exam", "expected", "sat", "passed", "absent", "rates", "bands", "units", "people", "page", "per_page", "total"],
    exam=_obj(["id", "title", "kind", "year", "status", "opens_at", "closes_at", "pass_mark", "total_points"],
              id=ID, title={"type": "string"}, kind={"type": "string"}, year={"type": "integer"},
              status={"type": "string"}, opens_at=TIME, closes_at=TIME, pass_mark={"type": "number"},
              total_points={"type": "number"}),
    **COUNTS, absent={"type": "integer", "minimum": 0},
    rates=_obj(list(RATES), **RATES),
    bands={"type": "array", "items": _obj(["band", "count"], band={"type": "string"},
                                          count={"type": "integer", "minimum": 0})},
    units={"type": "array", "description": "one row per unit of the audience (within the caller's scope)",
           "items": _obj(["unit", *COUNTS, *RATES], unit={"type": "string"}, **COUNTS, **RATES)},
    people={"type": "array", "description": "this page of the audience, by unit and username",
            "items": _obj(["username", "name", "unit", "attempts", "score", "band", "passed", "status"],
                          username={"type": "string"}, name={"type": "string"}, unit={"type": "string"},
                          attempts={"type": "integer", "minimum": 0},
                          score={"type": ["number", "null"], "description": "the counted score; null if none"},
                          band={"type": ["string", "null"]}, passed={"type": "boolean"},
                          status={"enum": ["absent", "running", "submitted", "exempt"]})},
    page={"type": "integer", "minimum": 1}, per_page={"type": "integer", "minimum": 1},
    total={"type": "integer", "minimum": 0, "description": "people in the audience (within the caller's scope)"})
_N = {"type": "integer", "minimum": 0}
REPORT_COUNTS = {k: _N for k in ("expected", "exempt", "study_completed", "sat", "passed", "excellent",
                                 "enforcement_staff", "valid_certificates")}
REPORT_RATES = {k: RATE for k in ("study_completion_rate", "participation_rate", "pass_rate", "pass_rate_of_expected",
                                  "excellence_rate", "certificate_rate")}
REPORT_TOTAL = _obj([*REPORT_COUNTS, *REPORT_RATES], **REPORT_COUNTS, **REPORT_RATES)
RATES_REPORT = _obj(
    ["year", "unit", "as_of", "rows", "total", "digest"],
    year={"type": "integer"}, unit={"type": "string", "description": "the report's unit code"},
    as_of={"type": "string", "description": "the report date, YYYY-MM-DD"},
    rows={"type": "array", "description": "one per child unit (its subtree), plus one for the unit's own staff",
          "items": _obj(["unit", "name", "own_staff", *REPORT_COUNTS, *REPORT_RATES], unit={"type": "string"},
                        name={"type": "string"}, own_staff={"type": "boolean"}, **REPORT_COUNTS, **REPORT_RATES)},
    total=REPORT_TOTAL,
    digest={"type": "string", "description": "SHA-256 hex of the canonical JSON of rows and total"})
SAVE_CONFLICT = {**ERROR, "properties": {**ERROR["properties"], "saved": {"const": False}, "deadline": TIME,
                                         "server_time": TIME, "status": {"enum": ["running", "submitted"]}}}

WRITE = [{"session": [], "csrf": []}]
READ = [{"session": []}]

SPEC = {
    "openapi": "3.1.0",
    "info": {"title": "examapp API", "version": "1",
             "description": "The exam-taking flow, and exam results for admins. Log in first; every later write "
                            "sends the X-CSRFToken header with the token the login returned. Errors are JSON "
                            "with an `error` message."},
    "components": {"securitySchemes": {
        "session": {"type": "apiKey", "in": "cookie", "name": "session"},
        "csrf": {"type": "apiKey", "in": "header", "name": "X-CSRFToken"}}},
    "paths": {
        "/api/v1/auth/login": {"post": {
            "summary": "Log in", "security": [],
            "requestBody": {"required": True, "content": {_JSON: {"schema": _obj(
                ["username", "password"], username={"type": "string"}, password={"type": "string"})}}},
            "responses": {"200": _ok(_obj(["user", "csrf_token"], user=USER, csrf_token={"type": "string"})),
                          "400": _err("malformed request"), "401": _err("wrong username or password"),
                          "413": TOO_LARGE, "429": _err("too many failures for this account in the last hour"),
                          "503": _err("too many logins at once: retry after the Retry-After seconds")}}},
        "/api/v1/exams": {"get": {
            "summary": "My exams", "security": READ,
            "responses": {"200": _ok(_obj(["exams"], exams={"type": "array", "items": EXAM})),
                          "401": NOT_LOGGED_IN, "403": FORBIDDEN}}},
        "/api/v1/exams/{exam_id}/attempts": {"post": {
            "summary": "Start an attempt (or get the running one)", "security": WRITE,
            "parameters": _path_ids("exam_id"),
            "responses": {"201": _ok(_obj(["attempt"], attempt=ATTEMPT), "started"),
                          "200": _ok(_obj(["attempt"], attempt=ATTEMPT), "already running"),
                          "400": BAD_WRITE, "401": NOT_LOGGED_IN, "403": FORBIDDEN,
                          "404": _err("no such exam for you"), "409": _err("not open, or no attempts left")}}},
        "/api/v1/exams/{exam_id}/results": {"get": {
            "summary": "An exam's results (admins; unit admins and auditors see their subtrees)", "security": READ,
            "parameters": _path_ids("exam_id") + [
                {"name": "page", "in": "query", "required": False,
                 "schema": {"type": "integer", "minimum": 1, "maximum": 1000000, "default": 1}},
                {"name": "per_page", "in": "query", "required": False,
                 "schema": {"type": "integer", "minimum": 1, "maximum": 500, "default": 50}}],
            "responses": {"200": _ok(RESULTS), "400": _err("page or per_page is not a whole number in range"),
                          "401": NOT_LOGGED_IN, "403": FORBIDDEN,
                          "404": _err("no such exam, or nobody of the caller's units in its audience")}}},
        "/api/v1/reports/rates": {"get": {
            "summary": "The yearly rates report (DESIGN §4): frozen figures for a closed year, else live",
            "security": READ,
            "parameters": [
                {"name": "year", "in": "query", "required": True,
                 "schema": {"type": "integer", "minimum": 2000, "maximum": 2100}},
                {"name": "unit", "in": "query", "required": False, "schema": {"type": "string", "maxLength": 40}}],
            "responses": {"200": _ok(RATES_REPORT), "400": _err("year missing or out of range"),
                          "401": NOT_LOGGED_IN, "403": FORBIDDEN,
                          "404": _err("no such unit in the caller's scope")}}},
        "/api/v1/attempts/{attempt_id}": {"get": {
            "summary": "An attempt's status", "security": READ,
            "parameters": _path_ids("attempt_id"),
            "responses": {"200": _ok(ATTEMPT), "401": NOT_LOGGED_IN, "403": FORBIDDEN,
                          "404": _err("not yours, or no such attempt")}}},
        "/api/v1/attempts/{attempt_id}/answers/{question_id}": {"put": {
            "summary": "Save an answer", "security": WRITE,
            "parameters": _path_ids("attempt_id", "question_id"),
            "requestBody": {"required": True, "content": {_JSON: {"schema": _obj(
                ["seq"], response={"description": "a letter, letters, true/false, a list of strings or a text"},
                seq={"type": "integer", "minimum": 1, "maximum": 2**31 - 1}, flagged={"type": "boolean"})}}},
            "responses": {"200": _ok(_obj(["saved", "seq", "deadline", "server_time"], saved={"const": True},
                                          seq={"type": "integer"}, deadline=TIME, server_time=TIME)),
                          "400": BAD_WRITE, "401": NOT_LOGGED_IN, "403": FORBIDDEN,
                          "404": _err("not yours, or the question is not on this paper"),
                          "409": _err("seq not higher than the stored one, the deadline passed, or submitted",
                                      SAVE_CONFLICT), "413": TOO_LARGE}}},
        "/api/v1/attempts/{attempt_id}/submit": {"post": {
            "summary": "Submit (idempotent)", "security": WRITE,
            "parameters": _path_ids("attempt_id"),
            "responses": {"200": _ok(_obj(["status", "score", "passed"], status={"const": "submitted"},
                                          score={"type": ["number", "null"]}, passed={"type": ["boolean", "null"]})),
                          "400": BAD_WRITE, "401": NOT_LOGGED_IN, "403": FORBIDDEN, "404": _err("not yours")}}},
        "/api/v1/attempts/{attempt_id}/events": {"post": {
            "summary": "Record a tab switch (hidden/visible); past the exam's threshold with auto-submit on, "
                       "the attempt is submitted at once (status submitted, submitted_by integrity)",
            "security": WRITE,
            "parameters": _path_ids("attempt_id"),
            "requestBody": {"required": True, "content": {_JSON: {"schema": _obj(
                ["kind"], kind={"enum": ["hidden", "visible"]})}}},
            "responses": {"200": _ok(_obj(["recorded", "status"], recorded={"type": "boolean"},
                                          status={"enum": ["running", "submitted"]},
                                          submitted_by={"type": ["string", "null"]})),
                          "400": BAD_WRITE, "401": NOT_LOGGED_IN, "403": FORBIDDEN, "404": _err("not yours"),
                          "413": TOO_LARGE}}},
    },
}
