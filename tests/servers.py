"""The service as a real process on a free local port, for the tests that start one."""

import contextlib
import http.client
import json
import os
import re
import socket
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
NGINX = Path("/usr/sbin/nginx")  # Debian's nginx package
NGINX_TEMPLATE = ROOT / "deploy" / "nginx" / "default.conf.template"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def gunicorn(port: int) -> list[str]:
    """The production command (the shipped gunicorn settings) on a local port."""
    return [sys.executable, "-m", "gunicorn", "--config", "python:service.gunicorn_conf",
            "--bind", f"127.0.0.1:{port}", "service:create_app()"]


def request(port: int, method: str, path: str, body: dict | None = None,
            headers: dict | None = None) -> tuple[int, dict, bytes]:
    """One request: status, headers and body."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        sent = {"Content-Type": "application/json"} if body else {}
        connection.request(method, path, body=json.dumps(body) if body else None,
                           headers={**sent, **(headers or {})})
        response = connection.getresponse()
        return response.status, dict(response.getheaders()), response.read()
    finally:
        connection.close()


@contextlib.contextmanager
def serving(command: list[str], cwd: Path, env: dict, port: int):
    """Run a server until the block ends, once it answers /readyz (its log in cwd)."""
    log = cwd / f"server-{port}.log"
    with log.open("w") as out:
        server = subprocess.Popen(command, cwd=cwd, env=env, stdout=out, stderr=out)
    try:
        for _ in range(150):
            if server.poll() is not None:
                raise AssertionError(f"{command[:3]} exited: {log.read_text()[-2000:]}")
            try:
                if request(port, "GET", "/readyz")[0] == 200:
                    break
            except OSError:
                pass
            time.sleep(0.2)
        else:
            raise AssertionError(f"{command[:3]} did not answer: {log.read_text()[-2000:]}")
        yield server
    finally:
        server.terminate()
        server.wait(timeout=30)


_NAME = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)\}")


def render_nginx_template(values: dict[str, str], template: Path = NGINX_TEMPLATE) -> str:
    """The proxy's server block as the official nginx image writes it from the same template:
    each `${NAME}` replaced by its value (nginx's own `$name` variables, without braces, left
    alone). A name the template uses and `values` lacks is an error here; the image would
    leave it in and nginx would refuse to start."""
    text = template.read_text()
    missing = sorted(set(_NAME.findall(text)) - set(values))
    if missing:
        raise KeyError(f"{template.name} needs {missing}")
    return _NAME.sub(lambda m: str(values[m.group(1)]), text)


def _wait_for_port(port: int, process: subprocess.Popen, log: Path, seconds: float = 15):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError(f"nginx exited: {log.read_text()[-2000:]}")
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return
        except OSError:
            time.sleep(0.1)
    raise AssertionError(f"nginx did not listen: {log.read_text()[-2000:]}")


@contextlib.contextmanager
def nginx(directory: Path, port: int, upstream_port: int, client_timeout: str = "10s"):
    """Debian's nginx (not as a service: a child process, its files in `directory`) on
    127.0.0.1:`port`, in front of a server on 127.0.0.1:`upstream_port`, configured by
    deploy/nginx/default.conf.template inside a minimal nginx.conf like the official image's.
    Its error log and access log are `directory`/error.log and `directory`/nginx.log."""
    directory.mkdir(parents=True, exist_ok=True)
    server = render_nginx_template({
        "LISTEN": f"127.0.0.1:{port}", "UPSTREAM": f"127.0.0.1:{upstream_port}",
        "RESOLVER": "127.0.0.1",  # never asked: UPSTREAM is an address
        "CLIENT_TIMEOUT": client_timeout})
    (directory / "server.conf").write_text(server)
    for temp in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi"):
        (directory / temp).mkdir(exist_ok=True)
    # Run as root (a container), nginx's workers would drop to `nobody`, who cannot write
    # the temporary files here.
    user = "user root;\n" if os.geteuid() == 0 else ""
    (directory / "nginx.conf").write_text(f"""{user}daemon off;
master_process on;
worker_processes 1;
pid {directory}/nginx.pid;
error_log {directory}/error.log info;
events {{ worker_connections 1024; }}
http {{
    default_type application/octet-stream;
    client_body_temp_path {directory}/client_body;
    proxy_temp_path {directory}/proxy;
    fastcgi_temp_path {directory}/fastcgi;
    uwsgi_temp_path {directory}/uwsgi;
    scgi_temp_path {directory}/scgi;
    include {directory}/server.conf;
}}
""")
    log = directory / "nginx.log"
    command = [str(NGINX), "-p", str(directory), "-c", str(directory / "nginx.conf"),
               "-e", str(directory / "error.log")]
    with log.open("w") as out:
        check = subprocess.run([*command, "-t"], stdout=out, stderr=out)
    if check.returncode:
        raise AssertionError(f"nginx -t refused the config: {log.read_text()[-2000:]}")
    with log.open("a") as out:
        process = subprocess.Popen(command, stdout=out, stderr=out)
    try:
        _wait_for_port(port, process, log)
        yield process
    finally:
        process.terminate()  # SIGTERM: nginx's fast shutdown, its workers with it
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)
