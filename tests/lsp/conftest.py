"""The end-to-end suite of `prov lsp`, driven by pytest-lsp (a client built on pygls and
lsprotocol): real LSP messages over the server's stdio, the example workspace copied into a
temporary directory for each test. PROV_BIN names the binary (default: target/release/prov,
else target/debug/prov). Run by .ci/run; locally:

    target/judges-venv/bin/pytest tests/lsp
"""

import asyncio
import os
import pathlib
import shutil
import sys

import pytest
import pytest_lsp
from lsprotocol import types
from pygls.protocol import default_converter
from pytest_lsp import ClientServerConfig, LanguageClient, client_capabilities
from pytest_lsp.client import DEFAULT_CLIENT_FEATURES, register_lsp_features

REPO = pathlib.Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO / "bench" / "lsp"))


def prov_bin():
    given = os.environ.get("PROV_BIN")
    if given:
        return str(pathlib.Path(given).resolve())
    for build in ("release", "debug"):
        p = REPO / "target" / build / "prov"
        if p.exists():
            return str(p)
    raise RuntimeError("no prov binary: run `cargo build --release` or set PROV_BIN")


PROV = prov_bin()


def make_client():
    """pytest-lsp's client, which also keeps every publishDiagnostics with its version."""
    client = LanguageClient(converter_factory=default_converter)
    client.published = []

    def publish(ls, params: types.PublishDiagnosticsParams):
        ls.diagnostics[params.uri] = params.diagnostics
        ls.published.append(params)

    def register(ls, params: types.RegistrationParams):
        ls.registrations = getattr(ls, "registrations", []) + list(params.registrations)

    features = dict(DEFAULT_CLIENT_FEATURES)
    features[types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS] = publish
    features[types.CLIENT_REGISTER_CAPABILITY] = register
    register_lsp_features(client, features)
    return client


def config(env=None):
    full_env = dict(os.environ)
    full_env.update(env or {})
    return ClientServerConfig(
        server_command=[PROV, "lsp"], client_factory=make_client, server_env=full_env
    )


@pytest.fixture
def ws(tmp_path):
    """A copy of the tiny workspace (tests/fixtures/tiny): two sources, two claim files."""
    dest = tmp_path / "ws"
    shutil.copytree(REPO / "tests" / "fixtures" / "tiny", dest)
    return dest


def capabilities(name="visual-studio-code", encodings=None):
    caps = client_capabilities(name)
    if encodings is not None:
        caps.general = types.GeneralClientCapabilities(position_encodings=encodings)
    return caps


async def start(client, ws, name="visual-studio-code", encodings=None):
    return await client.initialize_session(
        types.InitializeParams(
            capabilities=capabilities(name, encodings),
            root_uri=ws.as_uri(),
            workspace_folders=[types.WorkspaceFolder(uri=ws.as_uri(), name="ws")],
        )
    )


@pytest_lsp.fixture(config=config())
async def client(lsp_client: LanguageClient, ws):
    await start(lsp_client, ws)
    yield
    await lsp_client.shutdown_session()


@pytest_lsp.fixture(config=config())
async def bare(lsp_client: LanguageClient):
    """A client that has not initialized the server: each test does."""
    yield
    await lsp_client.shutdown_session()


def open_doc(client, path, text=None, version=1):
    text = path.read_text(encoding="utf-8") if text is None else text
    client.text_document_did_open(
        types.DidOpenTextDocumentParams(
            text_document=types.TextDocumentItem(
                uri=path.as_uri(), language_id="toml", version=version, text=text
            )
        )
    )
    return text


def change_doc(client, path, text, version):
    client.text_document_did_change(
        types.DidChangeTextDocumentParams(
            text_document=types.VersionedTextDocumentIdentifier(
                uri=path.as_uri(), version=version
            ),
            content_changes=[types.TextDocumentContentChangeWholeDocument(text=text)],
        )
    )


async def diagnostics(client, path, version=None, since=0, timeout=15):
    """The diagnostics of the first publication for `path` (at `version`, when given) among
    those received from index `since` on."""
    uri = path.as_uri()
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while True:
        for p in client.published[since:]:
            if p.uri == uri and (version is None or p.version == version):
                return p.diagnostics
        if loop.time() > deadline:
            raise TimeoutError(f"no diagnostics for {uri} at version {version}")
        await asyncio.sleep(0.01)


def codes(diags):
    return sorted(d.code for d in diags)


def line_of(text, needle):
    for i, line in enumerate(text.splitlines()):
        if needle in line:
            return i
    raise ValueError(needle)


def units(s, encoding):
    if encoding == "utf-8":
        return len(s.encode("utf-8"))
    if encoding == "utf-32":
        return len(s)
    return len(s.encode("utf-16-le")) // 2


def offset(text, pos, encoding="utf-16"):
    """The str index of an LSP position."""
    lines = text.splitlines(keepends=True)
    at = sum(len(l) for l in lines[: pos.line])
    line = lines[pos.line] if pos.line < len(lines) else ""
    n = 0
    for i, ch in enumerate(line.rstrip("\r\n")):
        if n >= pos.character:
            return at + i
        n += units(ch, encoding)
    return at + len(line.rstrip("\r\n"))


def apply_edits(text, edits, encoding="utf-16"):
    """Apply LSP TextEdits (non-overlapping) to a text."""
    spans = sorted(
        ((offset(text, e.range.start, encoding), offset(text, e.range.end, encoding), e.new_text) for e in edits),
        reverse=True,
    )
    for a, b, new in spans:
        text = text[:a] + new + text[b:]
    return text


def edits_of(action, uri):
    edit = action.edit
    if edit.document_changes:
        return [e for dc in edit.document_changes if dc.text_document.uri == uri for e in dc.edits]
    return edit.changes[uri]
