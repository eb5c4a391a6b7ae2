"""Diagnostics as you type: the unsaved buffer is checked, with prov check's codes, severities
and messages, at the right ranges; pending captures and watched files; bad input."""

import json
import subprocess

from lsprotocol import types

from conftest import PROV, change_doc, codes, diagnostics, line_of, open_doc


async def test_opening_a_claim_file_publishes_what_prov_check_finds(client, ws):
    facts = ws / "claims" / "facts.toml"
    open_doc(client, facts)
    got = await diagnostics(client, facts, version=1)
    out = subprocess.run(
        [PROV, "check", "--format", "json"], cwd=ws, capture_output=True, text=True
    )
    want = [d for d in json.loads(out.stdout)["diagnostics"] if d["file"] == "claims/facts.toml"]
    assert want, "the tiny workspace has fact flags in facts.toml"
    severity = {"error": 1, "warning": 2, "note": 3}
    assert sorted(
        (d.range.start.line + 1, d.code, d.severity.value, d.message.splitlines()[0]) for d in got
    ) == sorted((d["line"], d["code"], severity[d["severity"]], d["message"]) for d in want)
    for d in got:
        assert d.source == "prov"
    # The file that is not open gets its findings too (a whole-workspace check).
    other = await diagnostics(client, ws / "claims" / "embassy.toml")
    assert "attributed-only" in codes(other)


async def test_an_unsaved_edit_is_checked_and_nothing_is_written(client, ws):
    facts = ws / "claims" / "facts.toml"
    before = facts.read_bytes()
    text = open_doc(client, facts)
    await diagnostics(client, facts, version=1)
    edited = text.replace("avait 66 ans", "avait 65 ans")
    change_doc(client, facts, edited, 2)
    got = await diagnostics(client, facts, version=2)
    changed = [d for d in got if d.code == "changed"]
    assert len(changed) == 1
    d = changed[0]
    assert d.severity == types.DiagnosticSeverity.Error
    assert d.message.startswith("the quote differs from what `wire-fr` says at [116, 140]")
    assert "quote → source: La victime avait [-65-]{+66+} ans." in d.message
    line = line_of(edited, "avait 65 ans")
    # The range is the quote's string, quotes included: `quote = ` is 8 units.
    assert (d.range.start.line, d.range.start.character) == (line, 8)
    assert (d.range.end.line, d.range.end.character) == (line, len(edited.splitlines()[line]))
    # A claim whose only citation broke is unsupported, as prov check says.
    assert "unsupported" in codes(got)
    assert facts.read_bytes() == before


async def test_keystrokes_are_debounced_into_checks_of_the_latest_text(client, ws):
    facts = ws / "claims" / "facts.toml"
    text = open_doc(client, facts)
    await diagnostics(client, facts, version=1)
    since = len(client.published)
    typed = text
    for v, digit in enumerate("12345", start=2):
        typed = text.replace("avait 66 ans", f"avait 6{digit} ans")
        change_doc(client, facts, typed, v)
    got = await diagnostics(client, facts, version=6, since=since)
    assert "changed" in codes(got)
    ours = [p for p in client.published[since:] if p.uri == facts.as_uri()]
    assert len(ours) <= 5


async def test_a_claim_file_that_does_not_parse_keeps_the_others_diagnostics(client, ws):
    facts, embassy = ws / "claims" / "facts.toml", ws / "claims" / "embassy.toml"
    text = open_doc(client, facts)
    open_doc(client, embassy)
    await diagnostics(client, facts, version=1)
    before = codes(await diagnostics(client, embassy, version=1))
    since = len(client.published)
    change_doc(client, facts, text + '\n[[claim]]\nid = "x\n', 2)
    got = await diagnostics(client, facts, version=2, since=since)
    assert codes(got) == ["toml-syntax"]
    assert got[0].range.start.line == len(text.splitlines()) + 2
    # The other file is still checked, and keeps its findings.
    assert codes(client.diagnostics[embassy.as_uri()]) == before
    since = len(client.published)
    edited = embassy.read_text(encoding="utf-8").replace("within 24 hours.", "within 48 hours.")
    change_doc(client, embassy, edited, 2)
    assert "changed" in codes(await diagnostics(client, embassy, version=2, since=since))


async def test_a_duplicate_id_in_one_file_leaves_the_other_checked(client, ws):
    facts, embassy = ws / "claims" / "facts.toml", ws / "claims" / "embassy.toml"
    open_doc(client, embassy)
    text = open_doc(client, facts)
    await diagnostics(client, facts, version=1)
    since = len(client.published)
    change_doc(client, facts, text.replace('id = "victim-age"', 'id = "embassy-closed"'), 2)
    got = await diagnostics(client, facts, version=2, since=since)
    assert "duplicate-id" in codes(got)
    assert "single-origin" in codes(client.diagnostics[embassy.as_uri()])


async def test_a_file_outside_any_workspace_gets_one_clear_message(client, tmp_path):
    stray = tmp_path / "elsewhere" / "notes.toml"
    stray.parent.mkdir()
    stray.write_text('x = "1"\n')
    open_doc(client, stray)
    got = await diagnostics(client, stray)
    assert len(got) == 1
    assert "not in a prov workspace" in got[0].message
    assert got[0].severity == types.DiagnosticSeverity.Information


async def test_a_pending_capture_is_reported_and_a_citation_it_breaks(client, ws):
    facts = ws / "claims" / "facts.toml"
    open_doc(client, facts)
    await diagnostics(client, facts, version=1)
    snap = (ws / "snapshots" / "wire-fr.txt").read_text(encoding="utf-8")
    (ws / "snapshots" / "wire-fr.new.txt").write_text(
        snap.replace("66 ans", "65 ans"), encoding="utf-8"
    )
    since = len(client.published)
    client.workspace_did_change_watched_files(
        types.DidChangeWatchedFilesParams(
            changes=[
                types.FileEvent(
                    uri=(ws / "snapshots" / "wire-fr.new.txt").as_uri(),
                    type=types.FileChangeType.Created,
                )
            ]
        )
    )
    sources = await diagnostics(client, ws / "sources.toml", since=since)
    assert "capture-pending" in codes(sources)
    got = await diagnostics(client, facts, since=since)
    pending = [d for d in got if d.code == "changed"]
    assert len(pending) == 1
    assert pending[0].message.startswith("the pending capture of `wire-fr` edits the cited passage")


async def test_a_snapshot_changed_on_disk_is_reported_when_the_watcher_says_so(client, ws):
    facts = ws / "claims" / "facts.toml"
    open_doc(client, facts)
    await diagnostics(client, facts, version=1)
    snap = ws / "snapshots" / "blog-en.txt"
    snap.write_bytes(snap.read_bytes() + b"x")
    since = len(client.published)
    client.workspace_did_change_watched_files(
        types.DidChangeWatchedFilesParams(
            changes=[types.FileEvent(uri=snap.as_uri(), type=types.FileChangeType.Changed)]
        )
    )
    got = await diagnostics(client, ws / "sources.toml", since=since)
    assert "snapshot-modified" in codes(got)


async def test_saving_rechecks_the_workspace(client, ws):
    facts, embassy = ws / "claims" / "facts.toml", ws / "claims" / "embassy.toml"
    open_doc(client, facts)
    await diagnostics(client, facts, version=1)
    # Another claim file changes on disk, then a save triggers a whole check.
    embassy.write_text(
        embassy.read_text(encoding="utf-8").replace("within 24 hours.", "within 48 hours."),
        encoding="utf-8",
    )
    since = len(client.published)
    client.text_document_did_save(
        types.DidSaveTextDocumentParams(text_document=types.TextDocumentIdentifier(uri=facts.as_uri()))
    )
    assert "changed" in codes(await diagnostics(client, embassy, since=since))
