"""A bounded schemathesis run against a real server on 127.0.0.1.

schemathesis reads the committed schema.graphql (the form that works when
introspection is off) and sends every operation with a bearer token; its
`not_a_server_error` check fails on any 5xx or uncoded error. Schema-valid input
that the server rejects on purpose (malformed ids, page sizes) is fine, so the
positive-data-acceptance check is left out. signOut is left out too (it would
revoke the run's token); tests/test_hardening.py covers it.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from tests.processes import ROOT, create_domain, running_server, sign_up

SCHEMATHESIS = Path(sys.executable).with_name("schemathesis")


def test_schemathesis_finds_no_server_error(tmp_path: Path) -> None:
    env = {"DATABASE_URL": f"sqlite://{tmp_path}/app.sqlite3"}
    with running_server(env) as base:
        token = sign_up(base, "fuzz@example.com", "Fuzz").token
        create_domain(base, token, "Fuzzed")
        run = subprocess.run(
            [
                str(SCHEMATHESIS),
                "run",
                str(ROOT / "schema.graphql"),
                "--url",
                f"{base}/graphql",
                "-H",
                f"Authorization: Bearer {token}",
                # signOut would revoke the token and leave every later case UNAUTHENTICATED.
                "--exclude-name",
                "Mutation.signOut",
                "--exclude-checks",
                "positive_data_acceptance",
                "--max-examples",
                "15",
                "--seed",
                "1",
                "--no-color",
            ],
            cwd=tmp_path,
            capture_output=True,
            text=True,
            timeout=300,
        )

    assert run.returncode == 0, run.stdout + run.stderr
    assert "passed" in run.stdout
