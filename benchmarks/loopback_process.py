"""The loopback SharePoint site in a process of its own, for benchmarks.

In the benchmark's own process the server's threads take the interpreter lock from the service
they answer: every millisecond the site spends parsing a request or filtering a list is charged
to the service's wall time, which a real SharePoint never is. Here the site runs as a child
interpreter (the same :class:`LoopbackSharePoint`, refusing the same things); the benchmark
talks to it over HTTP as to a real site, and asks it over a pipe only for its request count.

Run as a module, it serves until its standard input closes:
``python -m benchmarks.loopback_process`` prints the site URL, then answers ``count`` with the
number of requests received so far.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from types import TracebackType

ROOT = Path(__file__).resolve().parent.parent


class LoopbackSharePointProcess:
    """``with LoopbackSharePointProcess() as site:`` then ``site.url`` and ``site.request_count()``."""

    def __init__(self) -> None:
        self._child: subprocess.Popen[str] | None = None
        self.url = ""

    def __enter__(self) -> LoopbackSharePointProcess:
        self._child = subprocess.Popen(
            [sys.executable, "-m", "benchmarks.loopback_process"],
            cwd=ROOT,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
            bufsize=1,
        )
        assert self._child.stdout is not None
        self.url = self._child.stdout.readline().strip()
        if not self.url.startswith("http://127.0.0.1:"):
            self.__exit__(None, None, None)
            raise RuntimeError("the loopback SharePoint process did not start (see its error above)")
        return self

    def request_count(self) -> int:
        """How many HTTP requests the site has received so far."""
        assert self._child is not None
        assert self._child.stdin is not None
        assert self._child.stdout is not None
        self._child.stdin.write("count\n")
        self._child.stdin.flush()
        return int(self._child.stdout.readline())

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        if self._child is None:
            return
        if self._child.stdin is not None:
            self._child.stdin.close()
        try:
            self._child.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self._child.kill()
            self._child.wait()
        if self._child.stdout is not None:
            self._child.stdout.close()
        self._child = None


def serve() -> None:
    sys.path.insert(0, str(ROOT))
    from tests.sharepoint_server.server import LoopbackSharePoint

    with LoopbackSharePoint() as server:
        print(server.url, flush=True)
        for line in sys.stdin:
            if line.strip() == "count":
                with server.lock:
                    count = len(server.requests)
                print(count, flush=True)


if __name__ == "__main__":
    serve()
