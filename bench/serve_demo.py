"""README command 1's wait (SPEC §15: ≤ 20 s on a 2-core machine, installing excluded): from
starting `flask --app service serve-demo` on an empty instance to the first 200 on /healthz.

    .venv/bin/python bench/serve_demo.py [--runs 3] [--busy 2]

Each run starts serve-demo in a new empty directory (its own instance/, SQLite) on a free port,
polls /healthz every 50 ms, and prints when the demo was loaded (the URL line), when gunicorn
listened and when /healthz first answered 200; then stops it. `--busy N` keeps N CPU-bound
processes running meanwhile, as a machine busy with other work. Prints the figures; asserts
nothing.
"""

import argparse
import http.client
import multiprocessing
import os
import platform
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.servers import free_port  # noqa: E402


def _spin() -> None:
    while True:
        pass


def healthz(port: int) -> bool:
    try:
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
        connection.request("GET", "/healthz")
        return connection.getresponse().status == 200
    except OSError:
        return False


def one_run() -> dict[str, float]:
    work = Path(tempfile.mkdtemp(prefix="serve-demo-"))
    port = free_port()
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "INSTANCE_DIR")}
    flask = Path(sys.executable).parent / "flask"
    start = time.monotonic()
    server = subprocess.Popen([str(flask), "--app", "service", "serve-demo", "--port", str(port)],
                              cwd=work, env=env, stdout=subprocess.PIPE,
                              stderr=subprocess.STDOUT, text=True, start_new_session=True)
    marks: dict[str, float] = {}

    def read() -> None:
        for line in server.stdout:
            at = time.monotonic() - start
            if "demo county is at" in line:
                marks.setdefault("demo loaded", at)
            elif "Listening at" in line:
                marks.setdefault("gunicorn listening", at)

    threading.Thread(target=read, daemon=True).start()
    try:
        while not healthz(port):
            if server.poll() is not None:
                raise SystemExit(f"serve-demo exited with {server.returncode}")
            time.sleep(0.05)
        marks["/healthz 200"] = time.monotonic() - start
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)
        shutil.rmtree(work, ignore_errors=True)
    return marks


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--busy", type=int, default=0, help="CPU-bound processes meanwhile")
    args = parser.parse_args()
    print(f"{platform.node()}: {os.cpu_count()} cores, load {os.getloadavg()[0]:.2f}, "
          f"{args.busy} busy processes")
    spinners = [multiprocessing.Process(target=_spin, daemon=True) for _ in range(args.busy)]
    for spinner in spinners:
        spinner.start()
    try:
        for n in range(1, args.runs + 1):
            marks = one_run()
            print(f"run {n}: " + ", ".join(f"{k} {v:.1f} s" for k, v in marks.items()))
    finally:
        for spinner in spinners:
            spinner.terminate()
            spinner.join()


if __name__ == "__main__":
    main()
