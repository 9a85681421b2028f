"""PnPjs (@pnp/sp on Node) against the loopback SharePoint: a second client its authors did not
write, and one that speaks light JSON (``Accept: application/json``, bodies without
``__metadata``), so the server's Accept-dependent shapes are checked too.

@pnp/sp is installed from npm into ``.tools/pnp`` on first use (as the Makefile installs
Azurite); without Node and npm the test is skipped with a message saying so.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest

from shared.adapters.lists.sharepoint_store import SharePointListStore
from tests.lists.conftest import sharepoint_store
from tests.sharepoint_server.server import FIXTURE_TOKEN, LoopbackSharePoint

PNP_VERSION = "4.21.0"
ROOT = Path(__file__).resolve().parents[2]
TOOLS = ROOT / ".tools" / "pnp"
SCRIPT = Path(__file__).with_name("pnp_client.mjs")


def pnp_script() -> Path:
    node, npm = shutil.which("node"), shutil.which("npm")
    if node is None or npm is None:
        pytest.skip("Node and npm are needed for the PnPjs run (install nodejs and npm)")
    if not (TOOLS / "node_modules" / "@pnp" / "sp" / "package.json").is_file():
        subprocess.run(
            [
                npm,
                "install",
                "--prefix",
                str(TOOLS),
                "--no-audit",
                "--no-fund",
                "--silent",
                f"@pnp/sp@{PNP_VERSION}",
            ],
            check=True,
            timeout=300,
        )
    # ES modules resolve packages beside the script, so it runs from inside .tools/pnp.
    target = TOOLS / SCRIPT.name
    shutil.copyfile(SCRIPT, target)
    return target


def test_pnpjs_adds_updates_deletes_batches_pages_and_moves_files(sharepoint: LoopbackSharePoint) -> None:
    script = pnp_script()
    with sharepoint_store(sharepoint) as store:
        assert isinstance(store, SharePointListStore)
        token = store.current_change_token("Tasks")
    run = subprocess.run(
        [
            "node",
            str(script),
            sharepoint.url,
            FIXTURE_TOKEN,
            token,
            f"{sharepoint.site_path}/AuditSubmissions",
        ],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert run.returncode == 0, run.stderr[-2000:]
    out = json.loads(run.stdout.strip().splitlines()[-1])
    assert out["updated"] == "Done"
    assert out["paged"] == {"pages": 2, "seen": 4}  # one item, then three in a batch; pages of 2
    assert out["changes"] == 5  # 4 adds and 1 update (GetChanges ran before the delete)
    assert out["deleted"] not in sharepoint.lists["Tasks"].items
    assert out["file"] == "pnp fictional"
    assert (
        sharepoint.files[f"{sharepoint.site_path}/AuditSubmissions/O'Brien #7 50%.docx"] == b"pnp fictional"
    )
    assert "due_date" in out["fields"]
    assert out["views"] >= 1
    light = [r for r in sharepoint.recorded if r.headers.get("Accept") == "application/json"]
    assert light, "PnPjs asks for light JSON: the server must answer in that shape"
    batched = [p for p in sharepoint.recorded_parts if p.method == "POST" and p.path.endswith("/items")]
    assert len(batched) == 3
