"""Trusted documents: GraphQL documents known in advance, by id.

A manifest is a JSON object mapping each document's id to its text. The id is the
GraphQL-over-HTTP persisted-document identifier `sha256:<hex>`: the SHA-256 of the
document's UTF-8 text, whitespace included. `TRUSTED_DOCUMENTS=path/to/manifest.json`
lets clients send `{"documentId": "sha256:..."}` instead of the text and, in
production, refuses every document the manifest does not hold.

`scripts/schema` writes the web app's manifest, `trusted-documents.json`, from the
documents `app/static/js/operations.js` exports. That file is plain JavaScript: string
constants, template literals that interpolate earlier constants (`${USER}`), and
comments. It is read here without a JavaScript engine; anything else in it is an error
rather than a guess (tests/test_trusted_documents.py checks the reading against node).
"""

from __future__ import annotations

import functools
import hashlib
import json
import re
from collections.abc import Iterable
from pathlib import Path

ROOT = Path(__file__).parent.parent
OPERATIONS_JS = ROOT / "app" / "static" / "js" / "operations.js"
WEB_APP_MANIFEST = ROOT / "trusted-documents.json"
PREFIX = "sha256:"

_DECLARATION = re.compile(
    r'(export\s+)?const\s+([A-Za-z_$][\w$]*)\s*=\s*("(?:[^"\\\n]|\\.)*"|`(?:[^`\\]|\\.)*`)\s*;'
)
_COMMENT = re.compile(r"//[^\n]*")
_INTERPOLATION = re.compile(r"\$\{\s*([A-Za-z_$][\w$]*)\s*\}")
_TEMPLATE_ESCAPE = re.compile(r"\\([`\\$])")


def document_id(text: str) -> str:
    """A document's id: `sha256:` and the hex SHA-256 of its UTF-8 text."""
    return PREFIX + hashlib.sha256(text.encode()).hexdigest()


@functools.cache
def load(path: str) -> dict[str, str]:
    """The manifest at `path` (read once per process), each id checked against its
    document; ValueError saying what is wrong."""
    try:
        manifest = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, UnicodeError, ValueError) as exc:
        raise ValueError(f"cannot read the trusted documents {path}: {exc}") from None
    if not isinstance(manifest, dict) or not all(
        isinstance(text, str) for text in manifest.values()
    ):
        raise ValueError(f"{path} must be a JSON object of document ids to documents")
    for key, text in manifest.items():
        if key != document_id(text):
            raise ValueError(f"{path}: {key} is not the id of its document ({document_id(text)})")
    return manifest


def manifest_text(documents: Iterable[str]) -> str:
    """A manifest of these documents, as JSON text with sorted ids."""
    manifest = {document_id(text): text for text in documents}
    return json.dumps(manifest, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def exported_strings(source: str) -> dict[str, str]:
    """The string constants a module exports, by name, in order."""
    values: dict[str, str] = {}
    exported: dict[str, str] = {}
    rest = _DECLARATION.sub("", _COMMENT.sub("", source)).strip()
    if rest:
        raise ValueError(f"only string constants can be read, not: {rest[:80]!r}")
    for match in _DECLARATION.finditer(_COMMENT.sub("", source)):
        export, name, literal = match.groups()
        values[name] = _value(literal, values)
        if export:
            exported[name] = values[name]
    return exported


def _value(literal: str, earlier: dict[str, str]) -> str:
    if literal.startswith('"'):
        text: str = json.loads(literal)
        return text

    def constant(match: re.Match[str]) -> str:
        if match.group(1) not in earlier:
            raise ValueError(f"${{{match.group(1)}}} is not a constant declared before")
        return earlier[match.group(1)]

    return _TEMPLATE_ESCAPE.sub(r"\1", _INTERPOLATION.sub(constant, literal[1:-1]))


def web_app_documents() -> list[str]:
    """Every document the web app sends."""
    return list(exported_strings(OPERATIONS_JS.read_text(encoding="utf-8")).values())
