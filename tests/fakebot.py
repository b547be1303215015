"""A fake Telegram Bot API, in process (a `BaseRequest`) or over HTTP on 127.0.0.1.

It records every call, answers like Telegram does (message objects with increasing ids), serves
queued updates to `getUpdates`, and can be told to fail a method with a given error.
"""

from __future__ import annotations

import json
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl

from telegram.request import BaseRequest, RequestData

BOT_ID = 777000111
BOT_USERNAME = "s3_cluster_test_bot"
MESSAGE_METHODS = {"sendMessage", "editMessageText", "sendPhoto", "sendDocument"}


@dataclass
class Call:
    method: str
    params: dict[str, Any]

    @property
    def text(self) -> str:
        return str(self.params.get("text", ""))

    @property
    def buttons(self) -> list[tuple[str, str]]:
        """(label, callback_data or url) of every inline button, row by row."""
        markup = self.params.get("reply_markup") or {}
        if isinstance(markup, str):
            markup = json.loads(markup)
        return [
            (b["text"], b.get("callback_data") or b.get("url") or "")
            for row in markup.get("inline_keyboard", [])
            for b in row
        ]


@dataclass
class FakeBotAPI:
    calls: list[Call] = field(default_factory=list)
    updates: list[dict[str, Any]] = field(default_factory=list)
    failures: dict[str, list[tuple[int, str, dict[str, Any] | None]]] = field(default_factory=dict)
    _next_message_id: int = 1000
    _next_update_id: int = 1
    _cond: threading.Condition = field(default_factory=threading.Condition)

    # ---- what tests use -------------------------------------------------------------------
    def fail_next(self, method: str, status: int, description: str,
                  parameters: dict[str, Any] | None = None) -> None:
        self.failures.setdefault(method, []).append((status, description, parameters))

    def push_update(self, update: dict[str, Any]) -> None:
        with self._cond:
            update = {**update, "update_id": self._next_update_id}
            self._next_update_id += 1
            self.updates.append(update)
            self._cond.notify_all()

    def sent(self, method: str | None = None) -> list[Call]:
        methods = {method} if method else MESSAGE_METHODS
        return [c for c in self.calls if c.method in methods]

    def wait_for(self, predicate, timeout: float = 10.0) -> list[Call]:  # type: ignore[no-untyped-def]
        """Block until `predicate(calls)` is true (for the HTTP server used by a subprocess)."""
        deadline = time.monotonic() + timeout
        with self._cond:
            while not predicate(self.calls):
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise TimeoutError(f"condition not met; calls: {[c.method for c in self.calls]}")
                self._cond.wait(remaining)
            return list(self.calls)

    # ---- the API ---------------------------------------------------------------------------
    def handle(self, method: str, params: dict[str, Any], poll_timeout: float = 0) -> tuple[int, dict]:
        if method == "getUpdates":
            return 200, {"ok": True, "result": self._get_updates(params, poll_timeout)}
        with self._cond:
            self.calls.append(Call(method, params))
            self._cond.notify_all()
            queued = self.failures.get(method)
            if queued:
                status, description, parameters = queued.pop(0)
                body: dict[str, Any] = {"ok": False, "error_code": status,
                                        "description": description}
                if parameters:
                    body["parameters"] = parameters
                return status, body
            return 200, {"ok": True, "result": self._result(method, params)}

    def _get_updates(self, params: dict[str, Any], poll_timeout: float) -> list[dict]:
        offset = int(params.get("offset") or 0)
        deadline = time.monotonic() + min(float(params.get("timeout") or 0), poll_timeout)
        with self._cond:
            while True:
                pending = [u for u in self.updates if u["update_id"] >= offset]
                remaining = deadline - time.monotonic()
                if pending or remaining <= 0:
                    return pending
                self._cond.wait(remaining)

    def _result(self, method: str, params: dict[str, Any]) -> Any:
        if method == "getMe":
            return {"id": BOT_ID, "is_bot": True, "first_name": "S3 Assistant",
                    "username": BOT_USERNAME, "can_join_groups": True,
                    "can_read_all_group_messages": False, "supports_inline_queries": True}
        if method in MESSAGE_METHODS:
            chat_id = int(params.get("chat_id") or 0)
            message_id = params.get("message_id")
            if message_id is None:
                self._next_message_id += 1
                message_id = self._next_message_id
            message = {
                "message_id": int(message_id),
                "date": int(time.time()),
                "chat": {"id": chat_id, "type": "private" if chat_id > 0 else "group"},
                "from": {"id": BOT_ID, "is_bot": True, "first_name": "S3 Assistant"},
            }
            if "text" in params:
                message["text"] = params["text"]
            if params.get("reply_markup"):
                markup = params["reply_markup"]
                message["reply_markup"] = json.loads(markup) if isinstance(markup, str) else markup
            return message
        return True


class FakeRequest(BaseRequest):
    """In-process transport for `Application`: every Bot API call goes to a FakeBotAPI."""

    def __init__(self, api: FakeBotAPI) -> None:
        self.api = api

    @property
    def read_timeout(self) -> float | None:
        return 1.0

    async def initialize(self) -> None:
        return None

    async def shutdown(self) -> None:
        return None

    async def do_request(self, url: str, method: str, request_data: RequestData | None = None,
                         read_timeout=None, write_timeout=None, connect_timeout=None,  # type: ignore[no-untyped-def]
                         pool_timeout=None) -> tuple[int, bytes]:
        api_method = url.rsplit("/", 1)[-1]
        params = dict(request_data.parameters) if request_data else {}
        if request_data is not None and request_data.contains_files:
            params["_files"] = {name: (f[0], f[1]) for name, f in request_data.multipart_data.items()}
        status, body = self.api.handle(api_method, params)
        return status, json.dumps(body).encode()


def _decode_form(raw: dict[str, str]) -> dict[str, Any]:
    params: dict[str, Any] = {}
    for key, value in raw.items():
        if value[:1] in "{[" or value in ("true", "false"):
            try:
                params[key] = json.loads(value)
                continue
            except ValueError:
                pass
        params[key] = value
    return params


class FakeBotServer:
    """The same fake API over HTTP on 127.0.0.1, for a bot running as a separate process."""

    def __init__(self, api: FakeBotAPI) -> None:
        self.api = api
        fake = api

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length).decode()
                ctype = self.headers.get("Content-Type", "")
                if "json" in ctype:
                    params = json.loads(body or "{}")
                else:
                    params = _decode_form(dict(parse_qsl(body, keep_blank_values=True)))
                method = self.path.rsplit("/", 1)[-1]
                status, payload = fake.handle(method, params, poll_timeout=2.0)
                data = json.dumps(payload).encode()
                try:
                    self.send_response(status)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(data)))
                    self.end_headers()
                    self.wfile.write(data)
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the bot process stopped while long-polling

            do_GET = do_POST

            def log_message(self, *args: Any) -> None:
                return None

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    @property
    def base_url(self) -> str:
        host, port = self.httpd.server_address[:2]
        return f"http://{host}:{port}/bot"

    def __enter__(self) -> FakeBotServer:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()
