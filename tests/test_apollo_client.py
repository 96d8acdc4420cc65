"""A real Apollo Client (@apollo/client, pinned in package.json) in node, through the
invitation flow against a live server: typed errors need possibleTypes.json, pages merge
with the README's type policy (edges and nodes), a deleted invitation is evicted, and
subscriptions arrive over graphql-ws."""

from __future__ import annotations

import re
from typing import Any

import pytest

from tests import node
from tests.processes import ROOT, running_server

CACHE_MODULE = ROOT / "tests" / "js" / "apollo_cache.mjs"


@pytest.fixture(scope="module")
def flow(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    node.require_node()
    database = tmp_path_factory.mktemp("apollo") / "app.sqlite3"
    with running_server({"DATABASE_URL": f"sqlite://{database}"}) as base:
        seen: dict[str, Any] = node.run("apollo.mjs", base)
    return seen


def test_typed_errors_arrive_whole_with_possible_types(flow: dict[str, Any]) -> None:
    assert flow["alreadyInvited"] == {
        "__typename": "AlreadyInvited",
        "code": "ALREADY_INVITED",
        "message": "This user already has a pending invitation here",
    }
    # Without possibleTypes the cache cannot match `... on UserError`: what the README warns of.
    assert flow["withoutPossibleTypes"] == {"__typename": "AlreadyInvited"}


def test_fetch_more_merges_the_next_page_into_nodes(flow: dict[str, Any]) -> None:
    sent = [result["id"] for result in flow["sent"]]
    first_page, merged = flow["firstPage"], flow["afterFetchMore"]

    assert len(first_page) == 2
    assert merged[:2] == first_page
    assert sorted(merged) == sorted(sent)
    assert flow["totalCount"] == 3


def test_a_deleted_invitation_is_evicted_from_cached_lists(flow: dict[str, Any]) -> None:
    deleted = flow["deleted"]

    assert deleted["__typename"] == "DeletedInvitation"
    assert flow["afterDelete"] == [i for i in flow["afterFetchMore"] if i != deleted["id"]]


def test_the_invitee_hears_of_it_over_graphql_ws_and_accepts(flow: dict[str, Any]) -> None:
    invitation = flow["sent"][0]["id"]

    assert flow["received"]["id"] == invitation
    assert flow["received"]["domain"]["name"] == "Apollo"
    assert flow["accepted"] == {"__typename": "Invitation", "id": invitation, "status": "ACCEPTED"}


def test_the_readme_shows_the_cache_this_test_runs() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    blocks = re.findall(r"```js\n(.*?)```", readme, flags=re.DOTALL)

    assert CACHE_MODULE.read_text(encoding="utf-8") in blocks
