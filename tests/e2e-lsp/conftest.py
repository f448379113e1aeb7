"""Fixtures of the end-to-end test: `cilint lsp` driven by pytest-lsp's client (pygls), a
language client that is not part of cilint, over stdio.

The binary is `$CILINT_BIN`, or `target/debug/cilint` of the project (with `CARGO_TARGET_DIR`
honoured). Each test gets a fresh server and a copy of the fixture in a temporary folder.
"""

import os
import pathlib
import shutil

import pytest
import pytest_lsp
from lsprotocol import types
from pytest_lsp import ClientServerConfig, LanguageClient, client_capabilities

ROOT = pathlib.Path(__file__).resolve().parents[2]


def cilint_binary() -> str:
    explicit = os.environ.get("CILINT_BIN")
    if explicit:
        return explicit
    target = pathlib.Path(os.environ.get("CARGO_TARGET_DIR", ROOT / "target"))
    return str(target / "debug" / "cilint")


# No orb cache of the developer's, no shellcheck: the findings are the same everywhere.
SERVER_ENV = dict(os.environ)
SERVER_ENV["XDG_CACHE_HOME"] = str(ROOT / "target" / "test-empty-cache")
SERVER_ENV["CILINT_NO_SHELLCHECK"] = "1"


@pytest.fixture
def workspace(tmp_path: pathlib.Path) -> pathlib.Path:
    """A project folder with `.circleci/config.yml`, the fixture config."""
    circleci = tmp_path / "project" / ".circleci"
    circleci.mkdir(parents=True)
    shutil.copy(ROOT / "tests" / "fixtures" / "lsp" / "config.yml", circleci / "config.yml")
    return tmp_path / "project"


@pytest_lsp.fixture(
    config=ClientServerConfig(server_command=[cilint_binary(), "lsp"], server_env=SERVER_ENV),
)
async def client(lsp_client: LanguageClient, workspace: pathlib.Path):
    # The capabilities neovim 0.11 announces, so the server answers a real editor's requests.
    params = types.InitializeParams(
        capabilities=client_capabilities("neovim"),
        root_uri=workspace.as_uri(),
        workspace_folders=[types.WorkspaceFolder(uri=workspace.as_uri(), name="project")],
    )
    await lsp_client.initialize_session(params)
    yield
    await lsp_client.shutdown_session()
