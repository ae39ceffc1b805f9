#!/usr/bin/env python3
"""Checks vault_api_server against a real Vault client, hvac (Debian's python3-hvac).

usage: hvac_check.py PATH/TO/vault_api_server

Makes a throwaway CA and server certificate with the openssl CLI, starts the
server with a seed, and talks to it through hvac over both HTTP and HTTPS.
Prints one line per check; exits 1 if any fails. The servers and the temporary
directory go away on every path out.
"""
import json
import os
import select
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import traceback

try:
    import hvac
    import requests
except ImportError:
    # Debian's python3-hvac is in /usr/lib/python3/dist-packages, which only the
    # system interpreter searches; a python3 found first on PATH (pyenv, a venv)
    # does not see it.
    system = "/usr/bin/python3"
    if os.path.exists(system) and os.path.realpath(sys.executable) != os.path.realpath(system):
        os.execv(system, [system] + sys.argv)
    raise

ROLE_ID, SECRET_ID = "11111111-2222-3333-4444-555555555555", "app-secret-id"
JWT = "eyJhbGciOiJSUzI1NiJ9.e30.stand-in-signature"

SEED = {
    "mounts": {"secret": {"version": 2}, "kv": {"version": 1}},
    "secrets": {
        "secret/db": {"password": "s3cr<e>t&"},
        "secret/app": {"data": {"user": "app"}, "version": 3},
        "secret/team/other": {"k": "v"},
        "kv/legacy": {"api_key": "abc123"},
    },
    "policies": {"db-read": {"secret/data/db": ["read"], "secret/data/app": ["read"], "kv/*": ["read"]}},
    "tokens": {"root-token": {"policies": ["root"]}, "reader-token": {"policies": ["db-read"]}},
    "auth": {
        "approle": {"roles": {"app": {"role_id": ROLE_ID, "secret_id": SECRET_ID, "policies": ["db-read"]}}},
        "kubernetes": {"roles": {"runner": {"jwt": JWT, "policies": ["db-read"]}}},
    },
    "namespaces": {
        "ns1": {
            "secrets": {"secret/only-in-ns1": {"color": "blue"}},
            "policies": {"ns-read": {"secret/data/*": ["read"]}},
            "tokens": {"ns1-token": {"policies": ["ns-read"]}},
            "auth": {"approle": {"roles": {"ns-app": {"role_id": "ns1-role", "secret_id": "ns1-secret",
                                                      "policies": ["ns-read"]}}}},
        }
    },
    "faults": {
        "non_json_paths": ["secret/data/broken"],
        "wrong_shape_paths": ["secret/data/odd"],
        "delay_ms_paths": {"secret/data/slow": 3000},
    },
}

SEALED_SEED = {"tokens": {"root-token": {"policies": ["root"]}},
               "secrets": {"secret/db": {"password": "pw"}},
               "faults": {"sealed_for_first_requests": 4}}


def openssl(*args, cwd):
    subprocess.run(["openssl", *args], cwd=cwd, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)


def make_pki(d):
    """A CA and a server certificate for 127.0.0.1, valid for a day."""
    ec = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"]
    openssl("req", "-x509", *ec, "-keyout", "ca.key", "-out", "ca.crt", "-days", "1",
            "-subj", "/CN=hvac check CA", "-addext", "basicConstraints=critical,CA:TRUE",
            "-addext", "keyUsage=critical,keyCertSign,cRLSign", cwd=d)
    openssl("req", *ec, "-keyout", "server.key", "-out", "server.csr", "-subj", "/CN=127.0.0.1", cwd=d)
    with open(os.path.join(d, "server.ext"), "w") as f:
        f.write("subjectAltName=IP:127.0.0.1\nbasicConstraints=CA:FALSE\n"
                "keyUsage=critical,digitalSignature\nextendedKeyUsage=serverAuth\n")
    openssl("x509", "-req", "-in", "server.csr", "-CA", "ca.crt", "-CAkey", "ca.key", "-set_serial", "2",
            "-days", "1", "-extfile", "server.ext", "-out", "server.crt", cwd=d)
    return [os.path.join(d, n) for n in ("ca.crt", "server.crt", "server.key")]


class Server:
    """The server process; its stdin is a pipe, so it also ends if we vanish."""

    def __init__(self, binary, seed_file, cert, key, deadline_s=20):
        self.proc = subprocess.Popen([binary, "--seed", seed_file, "--tls-cert", cert, "--tls-key", key],
                                     stdin=subprocess.PIPE, stdout=subprocess.PIPE)
        self.urls = {}
        buf, end = b"", time.monotonic() + deadline_s
        while b"vault_api_server ready\n" not in buf:
            left = end - time.monotonic()
            ready, _, _ = select.select([self.proc.stdout], [], [], max(left, 0))
            chunk = os.read(self.proc.stdout.fileno(), 4096) if ready else b""
            if not chunk:
                self.kill()
                raise RuntimeError("server did not get ready; it printed: %r" % buf)
            buf += chunk
        for line in buf.decode().splitlines():
            if line.startswith("vault_api_server listening "):
                url = line.split()[-1]
                self.urls[url.split(":")[0]] = url

    def kill(self):
        if self.proc.poll() is None:
            self.proc.kill()
        self.proc.wait()


failures = []


def check(name, fn):
    try:
        fn()
        print("ok    " + name, flush=True)
    except Exception as e:  # noqa: BLE001 - every failure is reported the same way
        failures.append(name)
        print("FAIL  %s: %s: %s" % (name, type(e).__name__, e), flush=True)
        traceback.print_exc(file=sys.stdout)


def expect(cond, what):
    if not cond:
        raise AssertionError(what)


def raises(exc, fn, text=None):
    try:
        fn()
    except exc as e:
        if text is not None and text not in str(e):
            raise AssertionError("%s without %r: %s" % (exc.__name__, text, e))
        return e
    raise AssertionError("no %s raised" % exc.__name__)


def main_checks(urls, ca):
    for scheme in ("http", "https"):
        url = urls[scheme]

        def client(**kw):
            return hvac.Client(url=url, verify=ca if scheme == "https" else True, **kw)

        def health():
            h = client().sys.read_health_status(method="GET")
            expect(isinstance(h, dict) and h["initialized"] is True and h["sealed"] is False, h)

        def token_auth():
            expect(client(token="reader-token").is_authenticated(), "reader-token not authenticated")
            expect(not client(token="no-such-token").is_authenticated(), "a bogus token was accepted")

        def kv2():
            r = client(token="reader-token").secrets.kv.v2.read_secret_version(path="db", mount_point="secret")
            expect(r["data"]["data"] == {"password": "s3cr<e>t&"}, r)
            expect(r["data"]["metadata"]["version"] == 1, r)
            r = client(token="reader-token").secrets.kv.v2.read_secret_version(path="app", mount_point="secret")
            expect(r["data"]["data"]["user"] == "app" and r["data"]["metadata"]["version"] == 3, r)

        def kv1():
            r = client(token="reader-token").secrets.kv.v1.read_secret(path="legacy", mount_point="kv")
            expect(r["data"] == {"api_key": "abc123"} and r["lease_duration"] == 2764800, r)

        def approle():
            c = client()
            auth = c.auth.approle.login(role_id=ROLE_ID, secret_id=SECRET_ID)["auth"]
            expect(auth["client_token"].startswith("hvs.") and c.token == auth["client_token"], auth)
            expect(auth["policies"] == ["db-read", "default"] and auth["metadata"] == {"role_name": "app"}, auth)
            expect(c.is_authenticated(), "approle token not authenticated")
            r = c.secrets.kv.v2.read_secret_version(path="db", mount_point="secret")
            expect(r["data"]["data"]["password"] == "s3cr<e>t&", r)

        def kubernetes():
            c = client()
            auth = c.auth.kubernetes.login(role="runner", jwt=JWT)["auth"]
            expect(auth["metadata"]["role"] == "runner" and auth["token_type"] == "service", auth)
            r = c.secrets.kv.v1.read_secret(path="legacy", mount_point="kv")
            expect(r["data"]["api_key"] == "abc123", r)
            raises(hvac.exceptions.Forbidden, lambda: client().auth.kubernetes.login(role="runner", jwt="other"),
                   "permission denied")

        def namespaces():
            c = client(token="ns1-token", namespace="ns1")
            r = c.secrets.kv.v2.read_secret_version(path="only-in-ns1", mount_point="secret")
            expect(r["data"]["data"] == {"color": "blue"}, r)
            # The same token outside its namespace, and the root namespace's own view.
            raises(hvac.exceptions.Forbidden, lambda: client(token="ns1-token").secrets.kv.v2.read_secret_version(
                path="only-in-ns1", mount_point="secret"), "permission denied")
            raises(hvac.exceptions.InvalidPath, lambda: client(token="root-token").secrets.kv.v2.read_secret_version(
                path="only-in-ns1", mount_point="secret"))
            # The namespace as a path prefix, seen by a root-namespace token.
            r = client(token="root-token").read("ns1/secret/data/only-in-ns1")
            expect(r["data"]["data"] == {"color": "blue"}, r)
            # A login inside ns1 issues a token bound to ns1.
            c = client(namespace="ns1")
            c.auth.approle.login(role_id="ns1-role", secret_id="ns1-secret")
            expect(c.secrets.kv.v2.read_secret_version(path="only-in-ns1", mount_point="secret")["data"]["data"]
                   == {"color": "blue"}, "ns1 login token cannot read ns1")
            raises(hvac.exceptions.Forbidden, lambda: client(token=c.token).secrets.kv.v2.read_secret_version(
                path="db", mount_point="secret"))

        def forbidden():
            e = raises(hvac.exceptions.Forbidden, lambda: client(token="reader-token").secrets.kv.v2
                       .read_secret_version(path="team/other", mount_point="secret"), "permission denied")
            expect(e.errors == ["1 error occurred:\n\t* permission denied\n\n"], e.errors)

        def not_found():
            e = raises(hvac.exceptions.InvalidPath, lambda: client(token="root-token").secrets.kv.v2
                       .read_secret_version(path="missing", mount_point="secret"))
            expect(e.errors is None or e.errors == [], e.errors)

        def bad_secret_id():
            raises(hvac.exceptions.InvalidRequest,
                   lambda: client().auth.approle.login(role_id=ROLE_ID, secret_id="wrong"), "invalid role or secret ID")
            raises(hvac.exceptions.InvalidRequest, lambda: client().auth.approle.login(role_id="", secret_id="x"),
                   "missing role_id")

        def broken_bodies():
            r = client(token="root-token").read("secret/data/broken")
            expect(isinstance(r, requests.Response) and r.text.startswith("<html>"), r)
            r = client(token="root-token").read("secret/data/odd")
            expect(r == {"hello": "world"}, r)

        def slow_path_times_out_without_blocking_others():
            raises(requests.exceptions.ReadTimeout,
                   lambda: client(token="root-token", timeout=1).read("secret/data/slow"))
            # The delayed request is still being held (3 s); others go through meanwhile.
            start = time.monotonic()
            client(token="reader-token").secrets.kv.v1.read_secret(path="legacy", mount_point="kv")
            expect(time.monotonic() - start < 1.5, "a plain read waited for the delayed one")

        for name, fn in [("health", health), ("token auth", token_auth), ("kv-v2 read", kv2),
                         ("kv-v1 read", kv1), ("approle login then read", approle),
                         ("kubernetes login then read", kubernetes), ("namespace isolation", namespaces),
                         ("403 is Forbidden: permission denied", forbidden), ("404 is InvalidPath", not_found),
                         ("bad approle secret_id is InvalidRequest", bad_secret_id),
                         ("non-JSON and wrong-shape bodies", broken_bodies),
                         ("delay: client timeout, others unblocked", slow_path_times_out_without_blocking_others)]:
            check("%-5s %s" % (scheme, name), fn)


def sealed_checks(urls, ca):
    def sealed():
        http = hvac.Client(url=urls["http"], token="root-token")
        https = hvac.Client(url=urls["https"], token="root-token", verify=ca)
        raises(hvac.exceptions.VaultDown, lambda: http.secrets.kv.v2.read_secret_version(path="db"), "Vault is sealed")
        h = http.sys.read_health_status(method="GET")
        expect(h.status_code == 503 and h.json()["sealed"] is True, h.text)
        raises(hvac.exceptions.VaultDown, lambda: https.secrets.kv.v2.read_secret_version(path="db"))
        expect(https.sys.read_health_status(method="GET").status_code == 503, "https health not 503")
        # The fifth request finds it unsealed: what a client's retry relies on.
        r = http.secrets.kv.v2.read_secret_version(path="db")
        expect(r["data"]["data"] == {"password": "pw"}, r)

    check("sealed for the first 4 requests, then serves", sealed)


def main():
    if len(sys.argv) != 2:
        sys.exit("usage: hvac_check.py PATH/TO/vault_api_server")
    binary = sys.argv[1]
    tmp = tempfile.mkdtemp(prefix="hvac_check.")
    servers = []
    try:
        ca, cert, key = make_pki(tmp)
        for name, seed in (("seed.json", SEED), ("sealed.json", SEALED_SEED)):
            with open(os.path.join(tmp, name), "w") as f:
                json.dump(seed, f)
        main_server = Server(binary, os.path.join(tmp, "seed.json"), cert, key)
        servers.append(main_server)
        sealed_server = Server(binary, os.path.join(tmp, "sealed.json"), cert, key)
        servers.append(sealed_server)
        main_checks(main_server.urls, ca)
        sealed_checks(sealed_server.urls, ca)

        def ends_on_sigterm_with_a_request_held():
            # A delayed request is in flight (its client gave up after 1 s).
            raises(requests.exceptions.ReadTimeout, lambda: hvac.Client(
                url=main_server.urls["http"], token="root-token", timeout=1).read("secret/data/slow"))
            main_server.proc.send_signal(signal.SIGTERM)
            expect(main_server.proc.wait(timeout=10) == 0, "exit status %s" % main_server.proc.returncode)

        def ends_on_stdin_eof():
            sealed_server.proc.stdin.close()
            expect(sealed_server.proc.wait(timeout=10) == 0, "exit status %s" % sealed_server.proc.returncode)

        check("server ends on SIGTERM while a delayed request is held", ends_on_sigterm_with_a_request_held)
        check("server ends when its stdin closes", ends_on_stdin_eof)
    finally:
        for s in servers:
            s.kill()
        shutil.rmtree(tmp, ignore_errors=True)
    if failures:
        print("%d check(s) failed" % len(failures))
        sys.exit(1)
    print("all checks passed")


if __name__ == "__main__":
    main()
