"""Azurite (the Azure Storage emulator from npm) on loopback, for the Functions tests.

Installed into the git-ignored ``.tools/`` by `.ci/run` (or here, on first use, when node and
npm are present). Started with in-memory persistence on free high ports; stopped at the end.
"""

from __future__ import annotations

import shutil
import socket
import subprocess
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
TOOLS = ROOT / ".tools"
AZURITE_VERSION = "3.35.0"  # 3.36+ needs Node 22; Node 20 here
# Azurite's published, fixed development account (not a secret: every emulator has it).
ACCOUNT = "devstoreaccount1"
ACCOUNT_KEY = "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw=="


class AzuriteUnavailable(Exception):
    pass


def azurite_script() -> Path:
    script = TOOLS / "node_modules" / "azurite" / "dist" / "src" / "azurite.js"
    if script.exists():
        return script
    if shutil.which("node") is None or shutil.which("npm") is None:
        raise AzuriteUnavailable(
            "Azurite needs Node.js and npm, and neither node nor npm is on PATH: install Node 20 "
            "(apt-get install nodejs npm), then run .ci/run or `npm install --prefix .tools azurite@3.35.0`."
        )
    TOOLS.mkdir(exist_ok=True)
    subprocess.run(
        ["npm", "install", "--prefix", str(TOOLS), "--no-audit", "--no-fund", f"azurite@{AZURITE_VERSION}"],
        check=True,
        capture_output=True,
        timeout=300,
    )
    return script


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class Azurite:
    def __init__(self, workdir: Path) -> None:
        self.workdir = workdir
        self.ports = {"blob": _free_port(), "queue": _free_port(), "table": _free_port()}
        self._process: subprocess.Popen[bytes] | None = None

    def start(self) -> Azurite:
        command = [shutil.which("node") or "node", str(azurite_script())]
        command += ["--silent", "--disableTelemetry", "--inMemoryPersistence", "--skipApiVersionCheck"]
        for service, port in self.ports.items():
            command += [f"--{service}Host", "127.0.0.1", f"--{service}Port", str(port)]
        self._process = subprocess.Popen(
            command, cwd=self.workdir, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
        )
        deadline = time.monotonic() + 30
        for port in self.ports.values():
            while True:
                if self._process.poll() is not None:
                    error = self._process.stderr.read().decode() if self._process.stderr else ""
                    raise AzuriteUnavailable(f"Azurite exited at start: {error[-500:]}")
                try:
                    socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
                    break
                except OSError:
                    if time.monotonic() > deadline:
                        self.stop()
                        raise AzuriteUnavailable("Azurite did not listen within 30 s") from None
                    time.sleep(0.1)
        return self

    def stop(self) -> None:
        if self._process is not None:
            self._process.terminate()
            try:
                self._process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self._process.kill()
                self._process.wait(timeout=10)
            self._process = None

    @property
    def connection_string(self) -> str:
        base = "http://127.0.0.1:{}/" + ACCOUNT
        return (
            f"DefaultEndpointsProtocol=http;AccountName={ACCOUNT};AccountKey={ACCOUNT_KEY};"
            f"BlobEndpoint={base.format(self.ports['blob'])};"
            f"QueueEndpoint={base.format(self.ports['queue'])};"
            f"TableEndpoint={base.format(self.ports['table'])};"
        )
