#!/usr/bin/env python3
"""Speaks the driver protocol (docs/driver-protocol.md) to the example driver
and to the test driver, over pipes, as the runner does: the drivers' own
tests, independent of the C++ host.

    python3 tests/drivers/drivers_test.py        (from anywhere; stdlib only)
    python3 tests/drivers/drivers_test.py --update-doc
        copies the example driver and its YAML into docs/driver-protocol.md
"""

import hashlib
import json
import os
import queue
import re
import signal
import subprocess
import sys
import tempfile
import threading
import time
import unittest

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
SCRIPT_DRIVER = os.path.join(ROOT, "examples", "drivers", "script_driver.py")
FAULTY_DRIVER = os.path.join(ROOT, "tests", "drivers", "faulty_driver.py")
MAX_LINE = 8 << 20


def alive(pid):
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    # A zombie still "exists"; it is dead for our purpose.
    try:
        with open("/proc/%d/stat" % pid) as f:
            return f.read().split(")")[-1].split()[0] != "Z"
    except OSError:
        return False


class Driver:
    """A driver process and everything it wrote, line by line."""

    def __init__(self, command, env=None, handshake=True):
        full_env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": "/", "LANG": "C.UTF-8"}
        full_env.update(env or {})
        self.proc = subprocess.Popen(command, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                     stderr=subprocess.PIPE, env=full_env, cwd=ROOT)
        self.lines = queue.Queue()  # raw stdout lines (bytes), None at EOF
        self.stderr = []
        self._readers = [threading.Thread(target=self._read_out, daemon=True),
                         threading.Thread(target=self._read_err, daemon=True)]
        for r in self._readers:
            r.start()
        self.hello = None
        if handshake:
            self.send({"type": "handshake", "protocol": 1, "runner": "test"})
            self.hello = self.next()

    def _read_out(self):
        for line in self.proc.stdout:
            self.lines.put(line)
        self.lines.put(None)

    def _read_err(self):
        for line in self.proc.stderr:
            self.stderr.append(line.decode("utf-8", "replace"))

    def send(self, message):
        self.proc.stdin.write(json.dumps(message).encode() + b"\n")
        self.proc.stdin.flush()

    def exec(self, task_id, task_type, spec, imports=None, confidential=None, task="t"):
        self.send({"type": "exec", "id": task_id, "task": task, "task_type": task_type,
                   "group": "g", "attempt": 1, "spec": spec, "imports": imports or {},
                   "confidential": confidential or []})

    def signal(self, task_id, which):
        self.send({"type": "signal", "id": task_id, "signal": which})

    def raw(self, timeout=10):
        return self.lines.get(timeout=timeout)

    def next(self, timeout=10):
        line = self.raw(timeout)
        assert line is not None, "the driver closed stdout; stderr: %s" % "".join(self.stderr)
        assert len(line) <= MAX_LINE, "a line of %d bytes" % len(line)
        assert line.endswith(b"\n")
        return json.loads(line)

    def until_result(self, task_id, timeout=10):
        """(result, [messages before it about task_id])."""
        seen = []
        deadline = time.time() + timeout
        while True:
            m = self.next(max(0.01, deadline - time.time()))
            if m.get("id") != task_id:
                continue
            if m["type"] == "result":
                return m, seen
            seen.append(m)

    def results(self, ids, timeout=15):
        """Every result of `ids`; fails on a second result for one id."""
        got = {}
        deadline = time.time() + timeout
        while len(got) < len(ids):
            m = self.next(max(0.01, deadline - time.time()))
            if m["type"] == "result":
                assert m["id"] not in got, "two results for " + m["id"]
                got[m["id"]] = m
        return got

    def quiet(self, seconds):
        """Nothing on stdout for `seconds`."""
        try:
            line = self.lines.get(timeout=seconds)
        except queue.Empty:
            return True
        raise AssertionError("unexpected line: %r" % line[:200])

    def close(self, timeout=15):
        if self.proc.stdin and not self.proc.stdin.closed:
            try:
                self.proc.stdin.close()
            except BrokenPipeError:
                pass
        try:
            return self.proc.wait(timeout)
        finally:
            if self.proc.poll() is None:
                self.proc.kill()
                self.proc.wait()
            for r in self._readers:
                r.join(5)
            self.proc.stdout.close()
            self.proc.stderr.close()


class ScriptDriverTest(unittest.TestCase):
    def start(self, env=None):
        d = Driver([sys.executable, SCRIPT_DRIVER], env)
        self.addCleanup(d.close)
        return d

    def test_handshake(self):
        d = self.start({"SCRIPT_DRIVER_MAX_TASKS": "3"})
        self.assertEqual(d.hello, {"type": "handshake", "protocol": 1,
                                   "task_types": ["script", "checksum"],
                                   "name": "example-script-driver", "version": "1.0.0",
                                   "capabilities": {"pause": True, "max_tasks": 3}})
        self.assertEqual(d.close(), 0)

    def test_refuses_another_protocol(self):
        d = Driver([sys.executable, SCRIPT_DRIVER], handshake=False)
        d.send({"type": "handshake", "protocol": 2, "runner": "test"})
        self.assertEqual(d.close(), 2)
        self.assertIsNone(d.raw())  # nothing on stdout
        self.assertIn("speaks only 1", "".join(d.stderr))

    def test_script_outputs_logs_and_imports(self):
        d = self.start()
        script = (
            'echo "hello $IMPORT_BUILD_API_TOKEN $RUNNER_TASK $RUNNER_GROUP $RUNNER_ATTEMPT"\n'
            'echo "to stderr" >&2\n'
            'echo "greeting=hi there" >> "$OUTPUT_FILE"\n'
            'printf "notes<<EOF\\nline 1\\nline 2\\nEOF\\n" >> "$OUTPUT_FILE"\n'
            'echo "cwd=$(pwd)" >> "$OUTPUT_FILE"\n'
            'echo "extra=$EXTRA" >> "$OUTPUT_FILE"\n')
        d.exec("r1", "script", {"run": script, "working_dir": "/tmp", "env": {"EXTRA": 3}},
               imports={"build.api-token": "tok"}, task="build")
        result, seen = d.until_result("r1")
        logs = [(m["stream"], m["line"]) for m in seen if m["type"] == "log"]
        self.assertIn(("stdout", "hello tok build g 1"), logs)
        self.assertIn(("stderr", "to stderr"), logs)
        self.assertEqual(result["status"], "success", result)
        self.assertEqual(result["outputs"], {"greeting": "hi there", "notes": "line 1\nline 2",
                                             "cwd": "/tmp", "extra": "3"})

    def test_failure_has_exit_code(self):
        d = self.start()
        d.exec("r1", "script", {"run": "echo partial=1 >> $OUTPUT_FILE; exit 3"})
        result, _ = d.until_result("r1")
        self.assertEqual((result["status"], result["error"], result["exit_code"]),
                         ("failed", "exit status 3", 3))

    def test_sh_stops_at_the_first_failure(self):
        d = self.start()
        d.exec("r1", "script", {"run": "false\necho after"})
        result, seen = d.until_result("r1")
        self.assertEqual(result["exit_code"], 1)
        self.assertEqual([m for m in seen if m["type"] == "log"], [])

    def test_bash_and_python3(self):
        d = self.start()
        d.exec("b", "script", {"shell": "bash", "run": "false | true\necho \"v=${BASH_VERSION%%.*}\" >> $OUTPUT_FILE"})
        d.exec("p", "script", {"shell": "python3",
                               "run": "import os\nopen(os.environ['OUTPUT_FILE'], 'a').write('x=%d\\n' % (6*7))"})
        got = d.results(["b", "p"])
        self.assertEqual(got["b"]["status"], "failed")  # pipefail
        self.assertEqual(got["p"]["outputs"], {"x": "42"})

    def test_spec_problems_name_the_field(self):
        d = self.start()
        cases = {
            "missing": ({}, "spec.run is missing; write `run: \"echo hello\"`"),
            "typo": ({"run": "true", "shel": "sh"}, "spec.shel is not a field of this task type; did you mean `shell`?"),
            "shell": ({"run": "true", "shell": "zsh"}, "spec.shell must be one of sh, bash, python3"),
            "kind": ({"run": ["echo"]}, "spec.run must be a string"),
            "env": ({"run": "true", "env": {"OUTPUT_FILE": "x"}}, "spec.env.OUTPUT_FILE is set by the driver"),
            "dir": ({"run": "true", "working_dir": "/no/such/dir"}, "spec.working_dir is not a directory"),
            "nul": ({"run": "true", "env": {"A": "x\0y"}}, "spec.env.A holds a NUL character"),
            "notmap": ("echo", "the spec must be a mapping"),
            "sum": ({"algorithm": "sha256"}, "spec.path is missing"),
            "alg": ({"path": "README.md", "algorithm": "crc32"}, "spec.algorithm must be one of sha256, sha512, sha1, md5"),
        }
        for task_id, (spec, _) in cases.items():
            d.exec(task_id, "checksum" if task_id in ("sum", "alg") else "script", spec)
        got = d.results(list(cases))
        for task_id, (_, text) in cases.items():
            self.assertEqual(got[task_id]["status"], "failed")
            self.assertIn(text, got[task_id]["error"])

    def test_import_name_clash(self):
        d = self.start()
        d.exec("r1", "script", {"run": "true"}, imports={"a-b.c": "1", "a_b.c": "2"})
        result, _ = d.until_result("r1")
        self.assertIn("both become $IMPORT_A_B_C", result["error"])

    def test_unknown_type_and_duplicate_id(self):
        d = self.start()
        d.exec("r1", "nope", {})
        result, _ = d.until_result("r1")
        self.assertIn("serves script, checksum, not 'nope'", result["error"])
        d.exec("r2", "script", {"run": "sleep 0.5"})
        d.exec("r2", "script", {"run": "true"})
        d.results(["r2"])
        d.quiet(1)
        self.assertIn("ignoring a second exec for the running task r2", "".join(d.stderr))

    def test_several_at_once(self):
        d = self.start()
        t0 = time.time()
        ids = ["a", "b", "c", "d"]
        for i in ids:
            d.exec(i, "script", {"run": "sleep 1; echo id=%s >> $OUTPUT_FILE" % i})
        got = d.results(ids)
        self.assertLess(time.time() - t0, 2.5)
        for i in ids:
            self.assertEqual(got[i]["outputs"], {"id": i})

    def test_pause_and_start(self):
        d = self.start()
        d.exec("r1", "script", {"run": "i=0; while [ $i -lt 30 ]; do echo $i; i=$((i+1)); sleep 0.1; done"})
        self.assertEqual(d.next()["line"], "0")
        d.signal("r1", "pause")
        time.sleep(0.2)  # lines already in the pipe may still come
        while True:
            try:
                d.lines.get(timeout=0.3)
            except queue.Empty:
                break
        d.quiet(1.0)
        d.signal("r1", "start")
        result, seen = d.until_result("r1")
        self.assertEqual(result["status"], "success")
        self.assertEqual(seen[-1]["line"], "29")

    def test_destroy(self):
        d = self.start()
        d.exec("r1", "script", {"run": "echo $$; sleep 60 & wait"})
        pid = int(d.next()["line"])
        d.signal("r1", "destroy")
        t0 = time.time()
        result, _ = d.until_result("r1")
        self.assertEqual(result, {"type": "result", "id": "r1", "status": "failed", "error": "destroyed"})
        self.assertLess(time.time() - t0, 2)
        self.assertFalse(alive(pid))

    def test_destroy_a_paused_task(self):
        d = self.start()
        d.exec("r1", "script", {"run": "echo go; sleep 60"})
        d.next()
        d.signal("r1", "pause")
        d.signal("r1", "destroy")
        result, _ = d.until_result("r1")
        self.assertEqual(result["error"], "destroyed")

    def test_destroy_kills_after_grace(self):
        d = self.start({"SCRIPT_DRIVER_DESTROY_GRACE": "1"})
        d.exec("r1", "script", {"run": "trap '' TERM; echo ready; while :; do sleep 0.1; done"})
        d.next()
        t0 = time.time()
        d.signal("r1", "destroy")
        result, _ = d.until_result("r1")
        self.assertEqual(result["error"], "destroyed")
        self.assertTrue(0.8 < time.time() - t0 < 3)

    def test_background_leftovers_are_stopped(self):
        d = self.start()
        d.exec("r1", "script", {"run": "sleep 60 & echo $!"})
        pid = int(d.next()["line"])
        t0 = time.time()
        result, _ = d.until_result("r1")
        self.assertEqual(result["status"], "success")
        self.assertLess(time.time() - t0, 2)
        time.sleep(0.2)
        self.assertFalse(alive(pid))

    def test_leftovers_that_ignore_sigterm_are_killed(self):
        d = self.start({"SCRIPT_DRIVER_DESTROY_GRACE": "1"})
        d.exec("r1", "script", {"run": "(trap '' TERM; exec sleep 60) >/dev/null 2>&1 & echo $!; sleep 0.3"})
        pid = int(d.next()["line"])
        t0 = time.time()
        result, _ = d.until_result("r1")
        self.assertEqual(result["status"], "success")
        self.assertTrue(1.0 < time.time() - t0 < 3)
        time.sleep(0.2)
        self.assertFalse(alive(pid))

    def test_pause_before_the_process_starts(self):
        d = self.start()
        with tempfile.TemporaryDirectory() as tmp:
            # The paused script must not get to write its file (the pause may
            # come before its process starts, or while it sleeps).
            d.exec("r1", "script", {"run": "sleep 0.3; touch " + os.path.join(tmp, "ran")})
            d.signal("r1", "pause")
            d.quiet(0.7)
            self.assertFalse(os.path.exists(os.path.join(tmp, "ran")))
            d.signal("r1", "start")
            result, _ = d.until_result("r1")
            self.assertEqual(result["status"], "success")

    def test_outputs_come_before_the_line_that_prints_them(self):
        d = self.start()
        d.exec("r1", "script", {"run": 'echo "token=s3cr3t" >> "$OUTPUT_FILE"; echo "token is s3cr3t"'})
        result, seen = d.until_result("r1")
        kinds = [(m["type"], m.get("outputs") or m.get("line")) for m in seen]
        self.assertEqual(kinds, [("outputs", {"token": "s3cr3t"}), ("log", "token is s3cr3t")])

    def test_long_lines_and_bytes_that_are_not_utf8(self):
        d = self.start()
        d.exec("r1", "script", {"shell": "python3", "run":
                                "import sys\nsys.stdout.buffer.write(b'\\xe2\\x82\\xac' * 100000 + b'\\n\\xff\\xfe ok\\n')"})
        result, seen = d.until_result("r1")
        lines = [m["line"] for m in seen]
        self.assertEqual("".join(lines[:-1]), "\u20ac" * 100000)
        self.assertTrue(all(len(l) <= 65536 for l in lines))
        self.assertEqual(lines[-1], "\ufffd\ufffd ok")

    def test_oversized_outputs_fail_the_task_not_the_driver(self):
        d = self.start()
        d.exec("r1", "script", {"shell": "python3", "run":
                                "import os\nopen(os.environ['OUTPUT_FILE'], 'w').write('big=' + 'x' * (9 << 20) + '\\n')"})
        result, _ = d.until_result("r1", timeout=30)
        self.assertIn("too large to send", result["error"])

    def test_checksum(self):
        d = self.start()
        with tempfile.NamedTemporaryFile(delete=False) as f:
            f.write(b"abc" * 1000000)
        self.addCleanup(os.unlink, f.name)
        d.exec("s", "checksum", {"path": f.name})
        d.exec("m", "checksum", {"path": f.name, "algorithm": "md5"})
        d.exec("x", "checksum", {"path": "/no/such/file"})
        got = d.results(["s", "m", "x"])
        data = b"abc" * 1000000
        self.assertEqual(got["s"]["outputs"], {"digest": hashlib.sha256(data).hexdigest(), "size": "3000000"})
        self.assertEqual(got["m"]["outputs"]["digest"], hashlib.md5(data).hexdigest())
        self.assertIn("there is no file /no/such/file", got["x"]["error"])

    def test_shutdown_destroys_running_tasks(self):
        d = self.start()
        d.exec("r1", "script", {"run": "echo $$; exec sleep 60"})
        pid = int(d.next()["line"])
        d.send({"type": "shutdown"})
        result, _ = d.until_result("r1")
        self.assertEqual(result["error"], "destroyed")
        self.assertEqual(d.close(), 0)
        self.assertFalse(alive(pid))

    def test_eof_destroys_running_tasks(self):
        d = self.start()
        d.exec("r1", "script", {"run": "echo $$; exec sleep 60"})
        pid = int(d.next()["line"])
        self.assertEqual(d.close(), 0)
        self.assertFalse(alive(pid))

    def test_sigterm_kills_the_scripts(self):
        d = self.start()
        d.exec("r1", "script", {"run": "echo $$; exec sleep 60"})
        pid = int(d.next()["line"])
        d.proc.send_signal(signal.SIGTERM)
        self.assertEqual(d.proc.wait(5), 128 + signal.SIGTERM)
        time.sleep(0.2)
        self.assertFalse(alive(pid))

    def test_ignores_what_it_does_not_know(self):
        d = self.start()
        d.send({"type": "future_message", "x": 1})
        d.proc.stdin.write(b"not json\n")
        d.signal("nobody", "destroy")
        d.exec("r1", "script", {"run": "true"})
        result, _ = d.until_result("r1")
        self.assertEqual(result["status"], "success")
        log = "".join(d.stderr)
        self.assertIn("ignoring a message of unknown type 'future_message'", log)
        self.assertIn("ignoring a line from the runner that is not JSON", log)

    def test_the_driver_log_holds_no_secret(self):
        d = self.start()
        d.exec("r1", "script", {"run": "echo $IMPORT_A_PW; exit 1", "shell": "{secret-shell}"},
               imports={"a.pw": "hunter2"}, confidential=["a.pw"])
        d.exec("r2", "script", {"run": "echo $IMPORT_A_PW"}, imports={"a.pw": "hunter2"},
               confidential=["a.pw"])
        d.results(["r1", "r2"])
        d.send({"type": "shutdown"})
        d.close()
        self.assertNotIn("hunter2", "".join(d.stderr))
        self.assertNotIn("secret-shell", "".join(d.stderr))


class FaultyDriverTest(unittest.TestCase):
    def start(self, env=None, handshake=True):
        d = Driver([sys.executable, FAULTY_DRIVER], env, handshake)
        self.addCleanup(d.close)
        return d

    def test_handshake_and_counting(self):
        with tempfile.TemporaryDirectory() as markers:
            d = self.start({"FAULTY_MAX_TASKS": "2", "FAULTY_MARKER_DIR": markers})
            self.assertEqual(d.hello["task_types"], ["faulty", "faulty_b"])
            self.assertEqual(d.hello["capabilities"], {"pause": True, "max_tasks": 2})
            d.exec("a", "faulty", {"behave": "count"})
            d.exec("b", "faulty_b", {"behave": "pid"})
            got = d.results(["a", "b"])
            self.assertEqual(got["a"]["outputs"], {"execs": "1", "running": "1"})
            self.assertEqual(got["b"]["outputs"], {"pid": str(d.proc.pid)})
            d.send({"type": "shutdown"})
            self.assertEqual(d.close(), 0)
            self.assertEqual(sorted(m for m in os.listdir(markers) if not m.startswith("exec-")),
                             ["shutdown.%d" % d.proc.pid, "started.%d" % d.proc.pid])

    def test_ok_fail_and_secrets(self):
        d = self.start()
        d.exec("ok", "faulty", {"behave": "ok", "log": ["one", "two"], "outputs": {"k": "v"},
                                "secret_outputs": ["k"]})
        result, seen = d.until_result("ok")
        self.assertEqual([m["line"] for m in seen], ["one", "two"])
        self.assertEqual((result["outputs"], result["secret_outputs"]), ({"k": "v"}, ["k"]))
        d.exec("f", "faulty", {"behave": "fail", "error": "boom"})
        result, _ = d.until_result("f")
        self.assertEqual((result["status"], result["error"], result["exit_code"]), ("failed", "boom", 7))
        d.exec("s", "faulty", {"behave": "secret_log"}, imports={"x.pw": "hunter2"}, confidential=["x.pw"])
        result, seen = d.until_result("s")
        self.assertEqual(seen[0]["line"], "the secret is hunter2")
        d.exec("e", "faulty", {"behave": "secret_error"}, imports={"x.pw": "hunter2"}, confidential=["x.pw"])
        result, _ = d.until_result("e")
        self.assertEqual(result["error"], "the secret is hunter2")

    def test_signals(self):
        d = self.start()
        d.exec("w", "faulty", {"behave": "wait_for_signal"})
        self.assertEqual(d.next()["line"], "waiting")
        d.signal("w", "pause")
        d.quiet(0.3)
        d.signal("w", "start")
        result, _ = d.until_result("w")
        self.assertEqual(result["outputs"], {"signals": "pause,start"})
        d.exec("h", "faulty", {"behave": "hang"})
        d.exec("u", "faulty", {"behave": "hang_until_destroy"})
        d.exec("z", "faulty", {"behave": "ok", "sleep": 30})
        for i in ("h", "u", "z"):
            d.signal(i, "destroy")
        got = d.results(["u", "z"])
        self.assertEqual(got["u"]["error"], "destroyed")
        self.assertEqual(got["z"]["error"], "destroyed")
        d.quiet(0.5)  # `hang` never answers

    def test_breakage(self):
        d = self.start()
        d.exec("g", "faulty", {"behave": "garbage"})
        self.assertEqual(d.raw(), b"this is not json\n")
        d.exec("u", "faulty", {"behave": "unknown_id"})
        self.assertEqual(d.next()["id"], "no-such-task")
        d.exec("m", "faulty", {"behave": "malformed"})
        self.assertEqual(d.next()["status"], "done")
        d.exec("o", "faulty", {"behave": "oversize", "bytes": 9 << 20})
        line = d.raw()
        self.assertEqual(len(line), (9 << 20) + 1)
        self.assertEqual(json.loads(line)["id"], "o")
        d.exec("c", "faulty", {"behave": "close_stdout"})
        self.assertIsNone(d.raw())
        self.assertIsNone(d.proc.poll())  # still running
        d.exec("p", "faulty", {"behave": "pid"})  # still reading stdin
        d.send({"type": "shutdown"})
        self.assertEqual(d.close(), 0)

    def test_crash(self):
        d = self.start()
        d.exec("c", "faulty", {"behave": "crash"})
        self.assertIsNone(d.raw())
        self.assertEqual(d.close(), 3)

    def test_startup_modes(self):
        self.assertEqual(self.start({"FAULTY_STARTUP": "bad_protocol"}).hello["protocol"], 99)
        self.assertEqual(self.start({"FAULTY_STARTUP": "empty_types"}).hello["task_types"], [])
        self.assertIn("os_exec", self.start({"FAULTY_STARTUP": "types_clash"}).hello["task_types"])
        self.assertEqual(self.start({"FAULTY_TYPES": "x"}).hello["task_types"], ["x"])
        d = self.start({"FAULTY_STARTUP": "not_json"}, handshake=False)
        d.send({"type": "handshake", "protocol": 1, "runner": "test"})
        self.assertEqual(d.raw(), b"hello, I am not JSON\n")
        d = self.start({"FAULTY_STARTUP": "no_handshake"}, handshake=False)
        d.send({"type": "handshake", "protocol": 1, "runner": "test"})
        self.assertRaises(queue.Empty, d.raw, 0.5)
        self.assertEqual(d.close(), 0)
        d = self.start({"FAULTY_STARTUP": "exit"}, handshake=False)
        self.assertEqual(d.close(), 4)


DOC = os.path.join(ROOT, "docs", "driver-protocol.md")
LISTING = re.compile(r"(<!-- listing: (\S+) -->\n```\w+\n)(.*?)(```\n)", re.S)


def doc_listings(text):
    """Every `<!-- listing: PATH -->` block of the protocol page: PATH -> its text."""
    return {m.group(2): m.group(3) for m in LISTING.finditer(text)}


def update_doc_listings():
    with open(DOC) as f:
        text = f.read()

    def current(m):
        with open(os.path.join(ROOT, m.group(2))) as f:
            body = f.read()
        return m.group(1) + body + ("" if body.endswith("\n") else "\n") + m.group(4)

    with open(DOC, "w") as f:
        f.write(LISTING.sub(current, text))


class DocTest(unittest.TestCase):
    def test_listings_are_the_files(self):
        with open(DOC) as f:
            listings = doc_listings(f.read())
        self.assertEqual(sorted(listings), ["examples/drivers/group.yaml", "examples/drivers/runner.yaml",
                                            "examples/drivers/script_driver.py"])
        for path, body in listings.items():
            with open(os.path.join(ROOT, path)) as f:
                self.assertEqual(body, f.read(), "%s changed: python3 %s --update-doc" % (path, __file__))


if __name__ == "__main__":
    if sys.argv[1:] == ["--update-doc"]:
        update_doc_listings()
    else:
        unittest.main()
