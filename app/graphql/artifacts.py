"""The files made from the code: `scripts/schema` writes them, a test fails when one is
stale. The schema (SDL), Apollo Client's `possibleTypes` (which object types each
interface and union may be, so its cache can match fragments on UserError and Node),
and the web app's trusted documents."""

from __future__ import annotations

import json
from pathlib import Path

from graphql import is_abstract_type

from app import documents
from app.graphql.schema import schema

ROOT = Path(__file__).parent.parent.parent


def possible_types() -> dict[str, list[str]]:
    """Each interface and union, with the names of its object types."""
    graphql_schema = schema._schema
    return {
        name: sorted(t.name for t in graphql_schema.get_possible_types(abstract))
        for name, abstract in sorted(graphql_schema.type_map.items())
        if is_abstract_type(abstract) and not name.startswith("__")
    }


def artifacts() -> dict[Path, str]:
    """Each generated file, with the text it should have."""
    return {
        ROOT / "schema.graphql": schema.as_str() + "\n",
        ROOT / "possibleTypes.json": json.dumps(possible_types(), indent=2) + "\n",
        documents.WEB_APP_MANIFEST: documents.manifest_text(documents.web_app_documents()),
    }
