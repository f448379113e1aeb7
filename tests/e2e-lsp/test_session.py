"""A full editor session with `cilint lsp`: open the config, see its findings, apply a quick
fix and an "ignore" action, go to definitions, find references, rename, hover, complete, list
symbols and folds. Positions are 0-based (line, column), as the protocol counts them.
"""

import pathlib

from lsprotocol import types
from pytest_lsp import LanguageClient


def lines_of(text: str) -> list[str]:
    return text.split("\n")


def apply(text: str, edits: list[types.TextEdit]) -> str:
    """Apply a set of non-overlapping edits to `text` (ASCII, so columns are characters)."""
    starts = [0]
    for line in lines_of(text)[:-1]:
        starts.append(starts[-1] + len(line) + 1)

    def offset(p: types.Position) -> int:
        if p.line >= len(starts):
            return len(text)
        return min(starts[p.line] + p.character, len(text))

    for e in sorted(edits, key=lambda e: offset(e.range.start), reverse=True):
        text = text[: offset(e.range.start)] + e.new_text + text[offset(e.range.end) :]
    return text


class Session:
    def __init__(self, client: LanguageClient, path: pathlib.Path):
        self.client = client
        self.path = path
        self.uri = path.as_uri()
        self.text = path.read_text()
        self.version = 1

    def doc(self) -> types.TextDocumentIdentifier:
        return types.TextDocumentIdentifier(uri=self.uri)

    def at(self, line: int, character: int) -> types.Position:
        return types.Position(line=line, character=character)

    async def diagnostics(self) -> list[types.Diagnostic]:
        """The next diagnostics published for this document."""
        while True:
            params = await self.client.wait_for_notification("textDocument/publishDiagnostics")
            if params.uri == self.uri:
                return list(params.diagnostics)

    async def open(self) -> list[types.Diagnostic]:
        self.client.text_document_did_open(
            types.DidOpenTextDocumentParams(
                text_document=types.TextDocumentItem(
                    uri=self.uri, language_id="yaml", version=self.version, text=self.text
                )
            )
        )
        return await self.diagnostics()

    async def edit(self, edits: list[types.TextEdit]) -> list[types.Diagnostic]:
        """Apply `edits` here and send them as incremental changes (last first, so earlier
        positions stay valid)."""
        self.version += 1
        ordered = sorted(edits, key=lambda e: (e.range.start.line, e.range.start.character))
        changes = [
            types.TextDocumentContentChangePartial(range=e.range, text=e.new_text)
            for e in reversed(ordered)
        ]
        self.text = apply(self.text, edits)
        self.client.text_document_did_change(
            types.DidChangeTextDocumentParams(
                text_document=types.VersionedTextDocumentIdentifier(
                    uri=self.uri, version=self.version
                ),
                content_changes=changes,
            )
        )
        return await self.diagnostics()


def insert(line: int, character: int, text: str) -> types.TextEdit:
    at = types.Position(line=line, character=character)
    return types.TextEdit(range=types.Range(start=at, end=at), new_text=text)


def codes(diagnostics: list[types.Diagnostic]) -> list[str]:
    return sorted(str(d.code) for d in diagnostics)


def spans(locations) -> list[tuple[int, int, int]]:
    """(line, start column, end column) of each location or edit, sorted."""
    out = []
    for loc in locations:
        r = loc.range
        assert r.start.line == r.end.line
        out.append((r.start.line, r.start.character, r.end.character))
    return sorted(out)


def config(workspace: pathlib.Path) -> pathlib.Path:
    return workspace / ".circleci" / "config.yml"


async def test_diagnostics_have_codes_links_and_related(client: LanguageClient, workspace):
    s = Session(client, config(workspace))
    found = await s.open()
    assert codes(found) == ["redundant-requires", "step-shape", "unused-parameter"]
    by_code = {d.code: d for d in found}
    step = by_code["step-shape"]
    assert step.severity == types.DiagnosticSeverity.Error
    assert step.source == "cilint"
    assert step.range.start.line == 49  # `- slack/notify:`
    assert step.code_description is not None
    assert step.code_description.href.endswith("/step-shape.md")
    assert pathlib.Path(step.code_description.href.removeprefix("file://")).is_file()
    redundant = by_code["redundant-requires"]
    assert redundant.range.start.line == 65  # `- build` under deploy's requires
    assert redundant.related_information, "the requirement it already waits through"
    assert by_code["unused-parameter"].severity == types.DiagnosticSeverity.Warning


async def test_quick_fix_applied_clears_the_finding(client: LanguageClient, workspace):
    s = Session(client, config(workspace))
    found = await s.open()
    step = next(d for d in found if d.code == "step-shape")
    actions = await client.text_document_code_action_async(
        types.CodeActionParams(
            text_document=s.doc(),
            range=step.range,
            context=types.CodeActionContext(diagnostics=[step]),
        )
    )
    titles = [a.title for a in actions]
    fix = next(a for a in actions if a.is_preferred and a.diagnostics[0].code == "step-shape")
    assert fix.kind == types.CodeActionKind.QuickFix
    assert "Ignore `step-shape` here" in titles
    after = await s.edit(fix.edit.changes[s.uri])
    assert "step-shape" not in codes(after)
    assert codes(after) == ["redundant-requires", "unused-parameter"]
    assert lines_of(s.text)[49:51] == ["      - slack/notify:", "          event: fail"]
    # Now a well-formed step: its orb's alias leads to the orb.
    result = await client.text_document_definition_async(
        types.DefinitionParams(text_document=s.doc(), position=s.at(49, 9))
    )
    loc = result[0] if isinstance(result, list) else result
    assert (loc.range.start.line, loc.range.start.character) == (3, 2)


async def test_ignore_action_adds_a_suppression(client: LanguageClient, workspace):
    s = Session(client, config(workspace))
    found = await s.open()
    unused = next(d for d in found if d.code == "unused-parameter")
    actions = await client.text_document_code_action_async(
        types.CodeActionParams(
            text_document=s.doc(),
            range=unused.range,
            context=types.CodeActionContext(diagnostics=[unused]),
        )
    )
    ignore = next(a for a in actions if a.title == "Ignore `unused-parameter` here")
    after = await s.edit(ignore.edit.changes[s.uri])
    assert "unused-parameter" not in codes(after)
    assert lines_of(s.text)[18] == "      # cilint: ignore[unused-parameter]"


async def test_definition(client: LanguageClient, workspace):
    s = Session(client, config(workspace))
    await s.open()
    cases = [
        ((62, 14), (32, 2)),  # `build` in test's requires -> jobs.build
        ((59, 8), (32, 2)),  # the workflow entry `- build` -> jobs.build
        ((48, 9), (23, 2)),  # step `greet` -> commands.greet
        ((34, 15), (14, 2)),  # `executor: node` -> executors.node
        ((43, 34), (36, 6)),  # `<< parameters.target >>` -> the job's parameter
        ((42, 11), (25, 6)),  # the argument `who:` -> the command's parameter
        ((54, 45), (6, 2)),  # `<< pipeline.parameters.deploy-branch >>`
        ((33, 10), (10, 11)),  # the alias `*defaults` -> the anchor `&defaults` (its name)
    ]
    for (line, col), (def_line, def_col) in cases:
        result = await client.text_document_definition_async(
            types.DefinitionParams(text_document=s.doc(), position=s.at(line, col))
        )
        assert result is not None, (line, col)
        loc = result[0] if isinstance(result, list) else result
        assert loc.uri == s.uri
        assert (loc.range.start.line, loc.range.start.character) == (def_line, def_col), (
            line,
            col,
        )


async def test_references(client: LanguageClient, workspace):
    s = Session(client, config(workspace))
    await s.open()
    refs = await client.text_document_references_async(
        types.ReferenceParams(
            text_document=s.doc(),
            position=s.at(23, 3),  # commands.greet
            context=types.ReferenceContext(include_declaration=True),
        )
    )
    assert spans(refs) == [(23, 2, 7), (41, 8, 13), (48, 8, 13)]
    refs = await client.text_document_references_async(
        types.ReferenceParams(
            text_document=s.doc(),
            position=s.at(32, 3),  # jobs.build
            context=types.ReferenceContext(include_declaration=False),
        )
    )
    assert spans(refs) == [(59, 8, 13), (62, 14, 19), (65, 14, 19)]


async def test_rename(client: LanguageClient, workspace):
    s = Session(client, config(workspace))
    await s.open()
    prepared = await client.text_document_prepare_rename_async(
        types.PrepareRenameParams(text_document=s.doc(), position=s.at(45, 15))
    )
    assert prepared.placeholder == "node"
    edit = await client.text_document_rename_async(
        types.RenameParams(text_document=s.doc(), position=s.at(45, 15), new_name="runner")
    )
    edits = edit.changes[s.uri]
    assert spans(edits) == [(14, 2, 6), (34, 14, 18), (45, 14, 18), (52, 14, 18)]
    assert all(e.new_text == "runner" for e in edits)
    after = await s.edit(edits)
    assert codes(after) == ["redundant-requires", "step-shape", "unused-parameter"]
    assert "node" not in s.text.replace("cimg/node", "")

    # A parameter: its declaration, the argument of a call and the `<< parameters. >>` use.
    edit = await client.text_document_rename_async(
        types.RenameParams(text_document=s.doc(), position=s.at(25, 7), new_name="whom")
    )
    assert spans(edit.changes[s.uri]) == [(25, 6, 9), (29, 39, 42), (42, 10, 13)]


async def test_hover(client: LanguageClient, workspace):
    s = Session(client, config(workspace))
    await s.open()
    hover = await client.text_document_hover_async(
        types.HoverParams(text_document=s.doc(), position=s.at(48, 9))  # step `greet`
    )
    text = hover.contents.value
    assert "greet" in text and "who" in text and "string" in text and "world" in text
    assert "line 24" in text
    hover = await client.text_document_hover_async(
        types.HoverParams(text_document=s.doc(), position=s.at(43, 34))  # << parameters.target >>
    )
    text = hover.contents.value
    assert "target" in text and "string" in text and "dist" in text
    hover = await client.text_document_hover_async(
        types.HoverParams(text_document=s.doc(), position=s.at(34, 6))  # the key `executor`
    )
    assert hover is not None and hover.contents.value


async def test_completion(client: LanguageClient, workspace):
    s = Session(client, config(workspace))
    await s.open()

    async def complete(line: int, col: int) -> list[types.CompletionItem]:
        result = await client.text_document_completion_async(
            types.CompletionParams(text_document=s.doc(), position=s.at(line, col))
        )
        return result.items if isinstance(result, types.CompletionList) else result

    async def labels(line: int, col: int) -> set[str]:
        return {i.label for i in await complete(line, col)}

    # A job name in `requires`: type `- ` on a new line under deploy's requires.
    await s.edit([insert(67, 0, "            - \n")])
    assert {"build", "test"} <= await labels(67, 14)
    # A command in `steps`.
    await s.edit([insert(55, 0, "      - \n")])
    got = await labels(55, 8)
    assert {"greet", "checkout", "run", "slack/notify"} <= got
    # Inside `<< parameters. >>` of the command greet.
    await s.edit([insert(29, 45, " << parameters. >>")])
    items = await complete(29, 59)
    assert [i.label for i in items] == ["parameters.who"]
    # It replaces what is written after `<< `, so the editor does not double `parameters.`.
    after = apply(s.text, [items[0].text_edit])
    assert lines_of(after)[29].endswith('"hello << parameters.who >> << parameters.who >>"')
    # Keys of a job.
    await s.edit([insert(52, 0, "    \n")])
    assert {"docker", "machine", "resource_class", "parallelism"} <= await labels(52, 4)


async def test_symbols_and_folding(client: LanguageClient, workspace):
    s = Session(client, config(workspace))
    await s.open()
    symbols = await client.text_document_document_symbol_async(
        types.DocumentSymbolParams(text_document=s.doc())
    )
    names = {sym.name for sym in symbols}
    assert {"build", "test", "deploy", "greet", "node", "main"} <= names
    folds = await client.text_document_folding_range_async(
        types.FoldingRangeParams(text_document=s.doc())
    )
    assert (31, 54) in {(f.start_line, f.end_line) for f in folds}  # jobs:
