"""The server never exits on bad input or an odd request, and survives a panic in a handler.
Malformed frames cannot be sent through a real client, so these tests speak raw JSON-RPC
(bench/lsp/rawclient.py)."""

import json
import os

from conftest import PROV
from rawclient import RawClient

HOVER = "textDocument/hover"


def hover_params(uri, line=0, character=0):
    return {"textDocument": {"uri": uri}, "position": {"line": line, "character": character}}


def test_malformed_messages_are_answered_and_the_server_goes_on(ws):
    c = RawClient([PROV, "lsp"])
    # Before initialize: an error, not an exit.
    r = c.request(HOVER, hover_params("file:///x.toml"))
    assert r["error"]["code"] == -32002
    c.initialize(ws.as_uri())
    body = b"{this is not json"
    c.send_bytes(b"Content-Length: %d\r\n\r\n" % len(body) + body)
    assert c.wait_response(None)["error"]["code"] == -32700
    # JSON that is no message, with an id: an invalid request, answered with that id.
    c.send({"jsonrpc": "2.0", "id": 99, "params": {}})
    assert c.wait_response(99)["error"]["code"] == -32600
    # A header without a length is skipped; the next message is read.
    c.send_bytes(b"Content-Type: application/json\r\n\r\n")
    r = c.request("textDocument/unknownThing", {})
    assert r["error"]["code"] == -32601
    # Parameters of the wrong shape: an error response.
    r = c.request(HOVER, {"textDocument": 7})
    assert r["error"]["code"] == -32602
    # A document that was never opened; positions far out of range.
    assert c.request(HOVER, hover_params((ws / "claims" / "facts.toml").as_uri(), 10**6, 10**6))["result"] is None
    facts = ws / "claims" / "facts.toml"
    c.notify("textDocument/didOpen", {"textDocument": {"uri": facts.as_uri(), "languageId": "toml", "version": 1, "text": facts.read_text(encoding="utf-8")}})
    # A change with a range past the end, a change to a closed document, a bad notification.
    c.notify("textDocument/didChange", {"textDocument": {"uri": facts.as_uri(), "version": 2}, "contentChanges": [{"range": {"start": {"line": 999, "character": 5}, "end": {"line": 0, "character": 0}}, "text": "# tail\n"}]})
    c.notify("textDocument/didChange", {"textDocument": {"uri": "file:///nowhere.toml", "version": 2}, "contentChanges": [{"text": "x"}]})
    c.notify("textDocument/didOpen", {"nonsense": True})
    r = c.request(HOVER, hover_params(facts.as_uri(), 10**6, 10**6))
    assert "result" in r
    r = c.request("textDocument/completion", hover_params(facts.as_uri(), 3, 999))
    assert "result" in r
    assert c.close() == 0


def test_a_panic_in_a_request_is_an_error_response_and_the_server_goes_on(ws):
    env = dict(os.environ, PROV_FAILPOINT="lsp-panic:textDocument/documentSymbol")
    c = RawClient([PROV, "lsp"], env=env)
    c.initialize(ws.as_uri())
    facts = ws / "claims" / "facts.toml"
    c.notify("textDocument/didOpen", {"textDocument": {"uri": facts.as_uri(), "languageId": "toml", "version": 1, "text": facts.read_text(encoding="utf-8")}})
    r = c.request("textDocument/documentSymbol", {"textDocument": {"uri": facts.as_uri()}})
    assert r["error"]["code"] == -32603
    assert "failpoint" in r["error"]["message"]
    # The next request is served.
    r = c.request(HOVER, hover_params(facts.as_uri(), 8, 12))
    assert r["result"]["contents"]["value"]
    assert c.close() == 0


def test_a_panic_in_a_check_is_logged_and_the_server_goes_on(ws):
    env = dict(os.environ, PROV_FAILPOINT="lsp-panic:check")
    c = RawClient([PROV, "lsp"], env=env)
    c.initialize(ws.as_uri())
    facts = ws / "claims" / "facts.toml"
    c.notify("textDocument/didOpen", {"textDocument": {"uri": facts.as_uri(), "languageId": "toml", "version": 1, "text": facts.read_text(encoding="utf-8")}})
    _, log = c.wait_notification(lambda m: m["method"] == "window/logMessage" and "internal error" in m["params"]["message"])
    assert log["params"]["type"] == 1
    # Requests are still answered (with nothing, as no check came in).
    r = c.request(HOVER, hover_params(facts.as_uri(), 8, 12))
    assert r["result"] is None
    assert c.close() == 0


def test_exit_without_shutdown_is_status_1_and_closing_the_input_ends_it(ws):
    c = RawClient([PROV, "lsp"])
    c.initialize(ws.as_uri())
    c.notify("exit", None)
    assert c.proc.wait(timeout=10) == 1
    c = RawClient([PROV, "lsp"])
    c.initialize(ws.as_uri())
    c.proc.stdin.close()
    assert c.proc.wait(timeout=10) == 1


def test_requests_after_shutdown_are_refused(ws):
    c = RawClient([PROV, "lsp"])
    c.initialize(ws.as_uri())
    assert c.request("shutdown", None)["result"] is None
    assert c.request(HOVER, hover_params("file:///x"))["error"]["code"] == -32600
    c.notify("exit", None)
    assert c.proc.wait(timeout=10) == 0


def test_the_server_writes_only_the_protocol_to_stdout(ws):
    c = RawClient([PROV, "lsp"])
    c.initialize(ws.as_uri())
    facts = ws / "claims" / "facts.toml"
    text = facts.read_text(encoding="utf-8")
    c.notify("textDocument/didOpen", {"textDocument": {"uri": facts.as_uri(), "languageId": "toml", "version": 1, "text": text + "\n[[claim\n"}})
    c.wait_notification(lambda m: m["method"] == "textDocument/publishDiagnostics" and m["params"]["uri"] == facts.as_uri())
    assert c.close() == 0
    # The reader thread parsed every frame of stdout as JSON-RPC; nothing else was there.
    json.dumps(c.responses)
