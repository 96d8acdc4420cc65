"""Trusted documents: a manifest of documents by id (TRUSTED_DOCUMENTS), documentId in
requests, the production allow-list over HTTP and WebSocket, and the web app's manifest."""

from __future__ import annotations

import dataclasses
import json
import subprocess
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest
from httpx_ws.transport import ASGIWebSocketTransport
from tortoise.context import TortoiseContext

from app import documents
from app.main import create_app
from app.settings import Settings, SettingsError
from tests import node
from tests.client import DEVELOPMENT, PRODUCTION, asgi_client, production_auth
from tests.factories import create_user
from tests.processes import ROOT
from tests.test_subscriptions import connect

LISTED = "query Listed { __typename }"
UNLISTED = "query Unlisted { __typename }"
LISTED_SUBSCRIPTION = "subscription Listed { invitationReceived { id } }"
UNLISTED_SUBSCRIPTION = "subscription Unlisted { invitationReceived { id status } }"
GRAPHQL_RESPONSE = "application/graphql-response+json"


@pytest.fixture
def manifest(tmp_path: Path) -> str:
    path = tmp_path / "manifest.json"
    path.write_text(documents.manifest_text([LISTED, LISTED_SUBSCRIPTION]))
    return str(path)


@pytest.fixture
async def development(db: TortoiseContext, manifest: str) -> AsyncIterator[httpx.AsyncClient]:
    async with asgi_client(dataclasses.replace(DEVELOPMENT, trusted_documents=manifest)) as c:
        yield c


@pytest.fixture
async def production(db: TortoiseContext, manifest: str) -> AsyncIterator[httpx.AsyncClient]:
    async with asgi_client(dataclasses.replace(PRODUCTION, trusted_documents=manifest)) as c:
        yield c


async def post(client: httpx.AsyncClient, body: dict[str, str], accept: str = "") -> httpx.Response:
    headers = {"accept": accept} if accept else {}
    return await client.post("/graphql", json=body, headers=headers)


def code(response: httpx.Response) -> str:
    [error] = response.json()["errors"]
    assert "data" not in response.json()
    found: str = error["extensions"]["code"]
    return found


def test_a_document_id_is_the_sha256_of_its_text() -> None:
    # The GraphQL-over-HTTP appendix's own example.
    text = "query ($id: ID!) {\n  user(id: $id) {\n    name\n  }\n}"

    assert documents.document_id(text) == (
        "sha256:7dba4bd717b41f10434822356a93c32b1fb4907b983e854300ad839f84cdcd6e"
    )


async def test_a_document_runs_by_its_id_and_responses_announce_the_manifest(
    development: httpx.AsyncClient,
) -> None:
    response = await post(development, {"documentId": documents.document_id(LISTED)})

    assert response.json() == {"data": {"__typename": "Query"}}
    assert response.headers["graphql-trusted-documents"] == "sha256"


async def test_an_unknown_document_id_is_persisted_query_not_found(
    development: httpx.AsyncClient,
) -> None:
    body = {"documentId": documents.document_id(UNLISTED)}

    legacy, modern = await post(development, body), await post(development, body, GRAPHQL_RESPONSE)

    assert (legacy.status_code, modern.status_code) == (200, 400)
    assert code(legacy) == code(modern) == "PERSISTED_QUERY_NOT_FOUND"


async def test_development_still_runs_documents_outside_the_manifest(
    development: httpx.AsyncClient,
) -> None:
    response = await post(development, {"query": UNLISTED})

    assert response.json() == {"data": {"__typename": "Query"}}


async def test_a_document_id_and_a_query_that_disagree_are_refused(
    development: httpx.AsyncClient,
) -> None:
    body = {"query": UNLISTED, "documentId": documents.document_id(LISTED)}

    response = await post(development, body)

    assert (response.status_code, code(response)) == (400, "BAD_USER_INPUT")


async def test_without_a_manifest_a_document_id_alone_is_not_found(db: TortoiseContext) -> None:
    async with asgi_client(DEVELOPMENT) as client:
        alone = await post(client, {"documentId": documents.document_id(LISTED)})
        both = await post(client, {"query": LISTED, "documentId": documents.document_id(LISTED)})

    assert code(alone) == "PERSISTED_QUERY_NOT_FOUND"
    assert "graphql-trusted-documents" not in alone.headers
    assert both.json() == {"data": {"__typename": "Query"}}


async def test_production_runs_only_the_manifests_documents(
    production: httpx.AsyncClient,
) -> None:
    by_id = await post(production, {"documentId": documents.document_id(LISTED)})
    by_text = await post(production, {"query": LISTED})
    legacy = await post(production, {"query": UNLISTED})
    modern = await post(production, {"query": UNLISTED}, GRAPHQL_RESPONSE)

    assert by_id.json() == by_text.json() == {"data": {"__typename": "Query"}}
    assert (legacy.status_code, modern.status_code) == (200, 403)
    assert code(legacy) == code(modern) == "PERSISTED_QUERY_NOT_IN_LIST"


async def test_production_refuses_subscriptions_outside_the_manifest(
    db: TortoiseContext, manifest: str
) -> None:
    app = create_app(dataclasses.replace(PRODUCTION, trusted_documents=manifest))
    token = await production_auth().issue_token((await create_user(production_auth())).user.id)
    async with (
        httpx.AsyncClient(transport=ASGIWebSocketTransport(app=app), base_url="http://t") as http,
        connect(http, token) as socket,
    ):
        await socket.subscribe("1", UNLISTED_SUBSCRIPTION)
        refused = await socket.receive()
        await socket.subscribe("2", LISTED_SUBSCRIPTION)
        await socket.assert_silent()  # running: no error, and nothing sent to this user yet
        await socket.complete("2")

    assert (refused["type"], refused["id"]) == ("error", "1")
    assert refused["payload"][0]["extensions"]["code"] == "PERSISTED_QUERY_NOT_IN_LIST"


@pytest.mark.parametrize(
    ("content", "problem"),
    [
        ('{"sha256:00": "query { __typename }"}', "is not the id of its document"),
        ('["query { __typename }"]', "must be a JSON object"),
        ("{", "cannot read"),
    ],
)
def test_a_manifest_that_does_not_hold_together_is_refused_at_start(
    tmp_path: Path, content: str, problem: str
) -> None:
    path = tmp_path / "bad.json"
    path.write_text(content)

    with pytest.raises(SettingsError, match=problem):
        Settings(trusted_documents=str(path)).validate()


# --- the web app's documents ------------------------------------------------------------


async def test_the_web_apps_documents_all_run_in_production_with_its_manifest(
    db: TortoiseContext,
) -> None:
    settings = dataclasses.replace(PRODUCTION, trusted_documents=str(documents.WEB_APP_MANIFEST))
    async with asgi_client(settings) as client:
        for text in documents.web_app_documents():
            if not text.startswith("subscription"):
                response = await post(client, {"query": text})
                codes = {e["extensions"]["code"] for e in response.json().get("errors", [])}
                assert "PERSISTED_QUERY_NOT_IN_LIST" not in codes, text


def test_the_web_apps_documents_are_read_as_the_browser_evaluates_them() -> None:
    node.require_node()
    script = (
        "const url = 'data:text/javascript;base64,' + "
        "require('fs').readFileSync(process.argv[1]).toString('base64');"
        "import(url).then(m => console.log(JSON.stringify(m)));"
    )
    done = subprocess.run(
        ["node", "-e", script, str(documents.OPERATIONS_JS)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    )

    source = documents.OPERATIONS_JS.read_text(encoding="utf-8")
    assert documents.exported_strings(source) == json.loads(done.stdout)
