"""Copy GraphiQL's pinned browser builds (package.json: graphiql, react, react-dom) from
node_modules into app/graphiql/assets/vendor, with the licences of everything they hold,
so that the playground needs no CDN and no internet.

    scripts/vendor_graphiql      (runs scripts/node_modules first: npm ci when needed)

tests/test_graphiql.py checks that the vendored files are these builds, byte for byte.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
NODE_MODULES = ROOT / "node_modules"
VENDOR = ROOT / "app" / "graphiql" / "assets" / "vendor"
# Vendored name: the file in node_modules.
BUILDS = {
    "react.production.min.js": "react/umd/react.production.min.js",
    "react-dom.production.min.js": "react-dom/umd/react-dom.production.min.js",
    "graphiql.min.js": "graphiql/graphiql.min.js",
    "graphiql.min.css": "graphiql/graphiql.min.css",
}
# graphiql's build bundles its dependencies (graphql included), not React.
BUNDLED_BY = ("react", "react-dom", "graphiql", "graphql")
NOT_BUNDLED = frozenset({"react", "react-dom"})
LICENCES = "THIRD-PARTY-LICENSES.txt"


def _package(directory: Path) -> dict[str, object]:
    manifest: dict[str, object] = json.loads((directory / "package.json").read_text())
    return manifest


def _resolve(name: str, start: Path) -> Path:
    """Where node would find package `name` from the package at `start`."""
    for folder in (start, *start.parents):
        candidate = folder / "node_modules" / name
        if candidate.is_dir():
            return candidate
        if folder == ROOT:
            break
    raise FileNotFoundError(f"{name} is not installed: run scripts/node_modules")


def _closure() -> dict[str, Path]:
    """The packages the vendored builds hold, by name@version."""
    found: dict[str, Path] = {}
    pending = [(name, ROOT) for name in BUNDLED_BY]
    while pending:
        name, start = pending.pop()
        directory = _resolve(name, start)
        package = _package(directory)
        key = f"{name}@{package['version']}"
        if key in found:
            continue
        found[key] = directory
        dependencies = package.get("dependencies") or {}
        assert isinstance(dependencies, dict)
        pending += [(dep, directory) for dep in dependencies if dep not in NOT_BUNDLED]
    return found


def _licence_text(directory: Path) -> str:
    files = sorted(
        p for p in directory.iterdir() if p.name.lower().startswith(("licen", "copying"))
    )
    if not files:
        declared = _package(directory).get("license")
        return f"(no licence file in the package; package.json says {declared})"
    return "\n".join(p.read_text(encoding="utf-8", errors="replace").strip() for p in files)


def licences() -> str:
    """Every vendored package's licence, in one text."""
    sections = [
        f"{key} ({_package(directory).get('license')})\n\n{_licence_text(directory)}"
        for key, directory in sorted(_closure().items())
    ]
    header = (
        "Licences of the packages in app/graphiql/assets/vendor: React and ReactDOM, and\n"
        "GraphiQL's build with what it bundles, as installed from package-lock.json.\n"
    )
    return header + "".join(f"\n{'=' * 79}\n{section}\n" for section in sections)


def vendored() -> dict[str, bytes]:
    """Each vendored file's name and bytes."""
    files = {name: (NODE_MODULES / source).read_bytes() for name, source in BUILDS.items()}
    files[LICENCES] = licences().encode()
    return files


def main() -> int:
    subprocess.run([str(ROOT / "scripts" / "node_modules")], check=True)
    VENDOR.mkdir(parents=True, exist_ok=True)
    for stale in VENDOR.iterdir():
        stale.unlink()
    for name, content in vendored().items():
        (VENDOR / name).write_bytes(content)
        print(f"wrote {VENDOR.relative_to(ROOT) / name}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
