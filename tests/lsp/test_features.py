"""Code actions (prov fix as edits), hover, completion, go to definition, document symbols,
and positions in the three encodings."""

import pytest
from lsprotocol import types
from pytest_lsp import LanguageClient

from conftest import (
    apply_edits,
    change_doc,
    codes,
    diagnostics,
    edits_of,
    line_of,
    open_doc,
    start,
    units,
)


def at(path, line, character):
    return dict(
        text_document=types.TextDocumentIdentifier(uri=path.as_uri()),
        position=types.Position(line=line, character=character),
    )


async def actions(client, path, line, end_line=None):
    return await client.text_document_code_action_async(
        types.CodeActionParams(
            text_document=types.TextDocumentIdentifier(uri=path.as_uri()),
            range=types.Range(
                start=types.Position(line=line, character=0),
                end=types.Position(line=end_line if end_line is not None else line, character=0),
            ),
            context=types.CodeActionContext(diagnostics=[]),
        )
    )


async def test_typography_is_fixed_with_one_action(client, ws):
    facts = ws / "claims" / "facts.toml"
    before = facts.read_bytes()
    text = open_doc(client, facts)
    typed = text.replace("avec l’Iran", "avec l'Iran")
    change_doc(client, facts, typed, 2)
    got = await diagnostics(client, facts, version=2)
    assert "typography" in codes(got)
    line = line_of(typed, "avec l'Iran")
    found = await actions(client, facts, line)
    fix = [a for a in found if "exact characters" in a.title]
    assert len(fix) == 1 and fix[0].kind == types.CodeActionKind.QuickFix
    assert fix[0].is_preferred
    fixed = apply_edits(typed, edits_of(fix[0], facts.as_uri()))
    assert fixed == text
    change_doc(client, facts, fixed, 3)
    assert "typography" not in codes(await diagnostics(client, facts, version=3))
    assert facts.read_bytes() == before


async def test_a_missing_span_is_filled_and_a_moved_one_rewritten(client, ws):
    facts = ws / "claims" / "facts.toml"
    text = open_doc(client, facts)
    drafted = text.replace("span = [10, 52]  # checked by hand\n", "").replace(
        "span = [116, 140]", "span = [117, 141]"
    )
    change_doc(client, facts, drafted, 2)
    got = await diagnostics(client, facts, version=2)
    assert {"unanchored", "moved"} <= set(codes(got))
    found = await actions(client, facts, line_of(drafted, "a rompu mercredi"))
    fill = [a for a in found if a.title.startswith("Fill in the span: [10, 52]")]
    assert len(fill) == 1
    once = apply_edits(drafted, edits_of(fill[0], facts.as_uri()))
    assert "span = [10, 52]\n" in once
    # The whole file at once, as `prov fix` would write it.
    found = await actions(client, facts, 0, len(drafted.splitlines()))
    every = [a for a in found if a.title.startswith("Fix every span in this file (2 citations")]
    assert len(every) == 1
    fixed = apply_edits(drafted, edits_of(every[0], facts.as_uri()))
    assert "span = [10, 52]\n" in fixed and "span = [116, 140]" in fixed
    # The same as a source action, for "fix all on save".
    fix_all = await client.text_document_code_action_async(
        types.CodeActionParams(
            text_document=types.TextDocumentIdentifier(uri=facts.as_uri()),
            range=types.Range(start=types.Position(line=0, character=0), end=types.Position(line=0, character=0)),
            context=types.CodeActionContext(diagnostics=[], only=[types.CodeActionKind.SourceFixAll]),
        )
    )
    assert [a.kind for a in fix_all] == ["source.fixAll.prov"]
    assert apply_edits(drafted, edits_of(fix_all[0], facts.as_uri())) == fixed
    change_doc(client, facts, fixed, 3)
    after = codes(await diagnostics(client, facts, version=3))
    assert "unanchored" not in after and "moved" not in after


async def test_a_citation_a_pending_capture_breaks_can_be_pinned(client, ws):
    facts = ws / "claims" / "facts.toml"
    snap = (ws / "snapshots" / "wire-fr.txt").read_text(encoding="utf-8")
    (ws / "snapshots" / "wire-fr.new.txt").write_text(snap.replace("66 ans", "65 ans"), encoding="utf-8")
    text = open_doc(client, facts)
    await diagnostics(client, facts, version=1)
    found = await actions(client, facts, line_of(text, "avait 66 ans"))
    pin = [a for a in found if a.title.startswith('Pin this citation to the current capture: revision = "609bf2c4e087"')]
    assert len(pin) == 1
    pinned = apply_edits(text, edits_of(pin[0], facts.as_uri()))
    assert 'revision = "609bf2c4e087"' in pinned
    change_doc(client, facts, pinned, 2)
    assert "changed" not in codes(await diagnostics(client, facts, version=2))


async def test_hover_shows_the_passage_the_source_the_verdict_and_the_fact(client, ws):
    facts = ws / "claims" / "facts.toml"
    text = open_doc(client, facts)
    await diagnostics(client, facts, version=1)
    line = line_of(text, "a rompu mercredi")
    h = await client.text_document_hover_async(types.HoverParams(**at(facts, line, 12)))
    assert h.contents.kind == types.MarkupKind.Markdown
    v = h.contents.value
    assert v.startswith("**ok**")
    assert "**a rompu mercredi ses relations avec l’Iran**" in v  # the passage, in context
    assert "L’Albanie" in v  # the context before it
    assert "example.fr, origin AFP" in v
    assert "fact `albania-breaks-ties`: supported by AFP" in v
    assert "flags: single-origin" in v
    assert h.range.start.line == line
    src_line = line - 1
    h = await client.text_document_hover_async(types.HoverParams(**at(facts, src_line, 11)))
    v = h.contents.value
    assert "**source** `wire-fr`" in v
    assert "outlet: example.fr" in v and "origin: AFP" in v
    assert "609bf2c4e087ef1d04cc236c99ca06a570447d6a1f579d09b77fd5397269af5a" in v


async def test_completion_offers_sources_values_keys_and_passages_with_their_span(client, ws):
    facts = ws / "claims" / "facts.toml"
    text = open_doc(client, facts)
    await diagnostics(client, facts, version=1)
    draft = text + '\n[[claim]]\nid = "c"\nfact = "f"\n\n[[claim.cite]]\nsource = ""\n'
    change_doc(client, facts, draft, 2)
    n = len(draft.splitlines())
    got = await client.text_document_completion_async(types.CompletionParams(**at(facts, n - 1, 10)))
    assert sorted(i.label for i in got.items) == ["blog-en", "wire-fr"]
    draft += "stance = \"\"\n"
    change_doc(client, facts, draft, 3)
    got = await client.text_document_completion_async(types.CompletionParams(**at(facts, n, 10)))
    assert sorted(i.label for i in got.items) == ["contradicts", "supports"]
    draft = draft.replace('source = ""', 'source = "wire-fr"').replace('stance = ""\n', "") + "\n"
    change_doc(client, facts, draft, 4)
    got = await client.text_document_completion_async(types.CompletionParams(**at(facts, n, 0)))
    labels = [i.label for i in got.items]
    assert "quote" in labels and "span" in labels and "source" not in labels
    # Typed with a straight apostrophe; the source has a curly one.
    draft = draft.rstrip("\n") + "\nquote = \"L'Alb\n"
    change_doc(client, facts, draft, 5)
    got = await client.text_document_completion_async(types.CompletionParams(**at(facts, n, 14)))
    assert got.is_incomplete
    item = got.items[0]
    assert item.label == "L’Albanie a rompu mercredi ses relations avec l’Iran"
    assert item.detail == "[0, 52] in wire-fr"
    done = apply_edits(draft, [item.text_edit] + (item.additional_text_edits or []))
    assert 'quote = "L’Albanie a rompu mercredi ses relations avec l’Iran"\nspan = [0, 52]\n' in done
    change_doc(client, facts, done, 6)
    got = await diagnostics(client, facts, version=6)
    assert not [d for d in got if d.range.start.line >= n - 1 and d.code in ("unanchored", "typography", "missing")]


async def test_definition_goes_to_the_source_entry_and_to_the_passage(client, ws):
    facts = ws / "claims" / "facts.toml"
    text = open_doc(client, facts)
    await diagnostics(client, facts, version=1)
    line = line_of(text, "a rompu mercredi")
    loc = await client.text_document_definition_async(types.DefinitionParams(**at(facts, line - 1, 11)))
    loc = loc[0] if isinstance(loc, list) else loc
    assert loc.uri == (ws / "sources.toml").as_uri()
    sources = (ws / "sources.toml").read_text(encoding="utf-8")
    assert loc.range.start.line == line_of(sources, "[sources.wire-fr]")
    loc = await client.text_document_definition_async(types.DefinitionParams(**at(facts, line, 12)))
    loc = loc[0] if isinstance(loc, list) else loc
    assert loc.uri == (ws / "snapshots" / "wire-fr.txt").as_uri()
    # Code points [10, 52] of a one-line text that starts with "L’Albanie ": UTF-16 units too.
    assert (loc.range.start.line, loc.range.start.character) == (0, 10)
    assert (loc.range.end.line, loc.range.end.character) == (0, 52)


async def test_document_symbols_list_claims_by_id(client, ws):
    facts = ws / "claims" / "facts.toml"
    open_doc(client, facts)
    got = await client.text_document_document_symbol_async(
        types.DocumentSymbolParams(text_document=types.TextDocumentIdentifier(uri=facts.as_uri()))
    )
    assert [s.name for s in got] == ["albania-breaks-ties", "victim-age"]
    assert got[0].detail == "Albania broke off relations with Iran."
    assert [c.name for c in got[0].children] == ["wire-fr"]


@pytest.mark.parametrize(
    "offered, negotiated",
    [
        (None, "utf-16"),
        (["utf-16"], "utf-16"),
        (["utf-8", "utf-16"], "utf-8"),
        (["utf-32", "utf-8"], "utf-32"),
    ],
)
async def test_positions_in_each_encoding_on_accents_emoji_and_no_break_spaces(
    bare: LanguageClient, ws, offered, negotiated
):
    result = await start(bare, ws, encodings=offered)
    assert result.capabilities.position_encoding == negotiated
    embassy = ws / "claims" / "embassy.toml"
    text = embassy.read_text(encoding="utf-8")
    # "Selon le « CNRI »" has no-break spaces; add an emoji, and the quote no longer holds.
    edited = text.replace('quote = "Selon le', 'quote = "😀 Selon le').replace(
        "une centaine", "une dizaine"
    )
    assert "\u00a0CNRI\u00a0" in edited
    open_doc(bare, embassy, edited)
    got = await diagnostics(bare, embassy, version=1)
    line = line_of(edited, "😀")
    quote = [d for d in got if d.range.start.line == line]
    assert quote, got
    content = edited.splitlines()[line]
    assert quote[0].range.start.character == units("quote = ", negotiated)
    assert quote[0].range.end.character == units(content, negotiated)
    # An edit in the same encoding lands where it should: replace "dizaine" with "centaine".
    start_char = units(content[: content.index("dizaine")], negotiated)
    bare.text_document_did_change(
        types.DidChangeTextDocumentParams(
            text_document=types.VersionedTextDocumentIdentifier(uri=embassy.as_uri(), version=2),
            content_changes=[
                types.TextDocumentContentChangePartial(
                    range=types.Range(
                        start=types.Position(line=line, character=start_char),
                        end=types.Position(line=line, character=start_char + units("dizaine", negotiated)),
                    ),
                    text="centaine",
                ),
                types.TextDocumentContentChangePartial(
                    range=types.Range(
                        start=types.Position(line=line, character=units("quote = \"", negotiated)),
                        end=types.Position(line=line, character=units("quote = \"😀 ", negotiated)),
                    ),
                    text="",
                ),
            ],
        )
    )
    got = await diagnostics(bare, embassy, version=2)
    assert not [d for d in got if d.range.start.line == line]
