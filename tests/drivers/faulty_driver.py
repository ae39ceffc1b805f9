#!/usr/bin/env python3
"""A driver that misbehaves on request: the integration tests use it to check
that a broken external driver fails only its own tasks (docs/driver-protocol.md).

Task types `faulty` and `faulty_b` (FAULTY_TYPES="a,b" names others, so that a
second instance can be configured). What a task does is its `spec.behave`:

  ok                  logs spec.log (a string or a list), then succeeds with
                      spec.outputs (a map) and spec.secret_outputs (a list)
  fail                fails with spec.error, exit_code 7
  crash               the process exits with status 3 at once
  abort               the process dies of SIGABRT at once
  crash_leaving_child starts `sleep 1000` (its pid to spec.pid_file), exits 3
  die_leaving_tree    starts a setsid'd shell that ignores SIGTERM and keeps a
                      `sleep 1000` (both with spec.mark, "NAME=value", in their
                      environment), then dies of SIGKILL
  hang                never answers, not even `destroy`
  hang_until_destroy  answers `destroy` with a failed result "destroyed"
  garbage             writes the line `this is not json`
  oversize            writes one `log` line of spec.bytes bytes (default 20 MiB)
  unknown_id          sends a result for the id "no-such-task"
  malformed           sends a result about this task with an invalid status
  close_stdout        closes its stdout, keeps running and reading stdin
  secret_log          writes the first confidential import on the task's log
                      and on stderr, then succeeds (for masking)
  secret_error        fails with the first confidential import in the error
  wait_for_signal     logs "waiting"; on `start` after a `pause` succeeds with
                      output `signals`: the signals received, e.g. "pause,start"
  pid                 succeeds with output `pid`: this process's pid
  count               succeeds with outputs `execs` (exec requests this process
                      has seen) and `running` (its unanswered tasks, this one included)

spec.sleep (seconds) delays ok, fail, pid and count; `destroy` ends the wait
with a failed result "destroyed". `hang` ignores `destroy`; every other
unanswered task answers it with "destroyed".

Environment:
  FAULTY_STARTUP     ok (default) | no_handshake (reads it, never answers) |
                     bad_protocol (answers protocol 99) | exit (exits 4 at once) |
                     not_json (answers a line that is not JSON) |
                     types_clash (serves its types and `os_exec`, a built-in) |
                     empty_types (task_types [])
  FAULTY_MAX_TASKS   capabilities.max_tasks (absent: no limit of its own)
  FAULTY_NAME        the name in its handshake (default "faulty")
  FAULTY_MARKER_DIR  creates <dir>/started.<pid> at start, <dir>/exec-<task>.<pid>
                     when a task arrives, and
                     <dir>/shutdown.<pid> on `shutdown`, so tests can count
                     processes
"""

import json
import os
import sys
import threading

out = sys.stdout.buffer
out_lock = threading.Lock()
stdout_closed = False
state_lock = threading.Lock()
tasks = {}  # id -> Task, until answered
execs = 0


def write_raw(data):
    with out_lock:
        if stdout_closed:
            return
        try:
            out.write(data)
            out.flush()
        except (OSError, ValueError):
            pass  # the runner has gone; it stops this process


def send(message):
    write_raw(json.dumps(message).encode() + b"\n")


def mark(what):
    directory = os.environ.get("FAULTY_MARKER_DIR")
    if directory:
        open(os.path.join(directory, "%s.%d" % (what, os.getpid())), "w").close()


class Task:
    def __init__(self, message):
        self.id = message["id"]
        self.spec = message.get("spec") or {}
        self.behave = self.spec.get("behave", "ok")
        self.imports = message.get("imports") or {}
        self.confidential = message.get("confidential") or []
        self.signals = []
        self.destroyed = threading.Event()

    def answer(self, status, **fields):
        with state_lock:
            if tasks.pop(self.id, None) is None:
                return  # answered already
        send(dict(type="result", id=self.id, status=status, **fields))

    def log(self, line):
        send({"type": "log", "id": self.id, "stream": "stdout", "line": line})

    def secret(self):
        for name in self.confidential:
            if name in self.imports:
                return self.imports[name]
        return "(no confidential import)"


def run(task, running):
    """The behaviours that end with an answer, after spec.sleep if any."""
    if task.destroyed.wait(float(task.spec.get("sleep", 0))):
        task.answer("failed", error="destroyed")
    elif task.behave == "ok":
        lines = task.spec.get("log", [])
        for line in [lines] if isinstance(lines, str) else lines:
            task.log(line)
        outputs = {k: str(v) for k, v in (task.spec.get("outputs") or {}).items()}
        task.answer("success", outputs=outputs, secret_outputs=task.spec.get("secret_outputs", []))
    elif task.behave == "fail":
        task.answer("failed", error=task.spec.get("error", "failed on purpose"), exit_code=7)
    elif task.behave == "pid":
        task.answer("success", outputs={"pid": str(os.getpid())})
    elif task.behave == "count":
        task.answer("success", outputs={"execs": str(execs), "running": str(running)})


def execute(message):
    global execs, stdout_closed
    task = Task(message)
    with state_lock:
        execs += 1
        tasks[task.id] = task
        running = len(tasks)
    mark("exec-" + message.get("task", "?"))  # the test knows the task reached us
    behave = task.behave
    if behave in ("ok", "fail", "pid", "count"):
        if task.spec.get("sleep"):
            threading.Thread(target=run, args=(task, running), daemon=True).start()
        else:
            run(task, running)
    elif behave == "crash":
        os._exit(3)
    elif behave == "abort":
        os.abort()
    elif behave == "crash_leaving_child":
        import subprocess
        child = subprocess.Popen(["sleep", "1000"])
        with open(task.spec["pid_file"], "w") as f:
            f.write("%d\n" % child.pid)
        os._exit(3)
    elif behave == "die_leaving_tree":
        import signal
        import subprocess
        name, _, value = task.spec["mark"].partition("=")
        env = dict(os.environ, **{name: value})
        subprocess.Popen(["setsid", "sh", "-c", "trap '' TERM; sleep 1000 & while :; do sleep 0.1; done"],
                         env=env, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                         stderr=subprocess.DEVNULL)
        os.kill(os.getpid(), signal.SIGKILL)
    elif behave in ("hang", "hang_until_destroy"):
        pass  # the difference is in `destroy`
    elif behave == "garbage":
        write_raw(b"this is not json\n")
    elif behave == "oversize":
        size = int(task.spec.get("bytes", 20 << 20))
        head = ('{"type":"log","id":%s,"stream":"stdout","line":"' % json.dumps(task.id)).encode()
        tail = b'"}'
        fill = max(0, size - len(head) - len(tail))
        chunk = b"x" * (1 << 20)
        with out_lock:
            try:
                out.write(head)
                for _ in range(fill // len(chunk)):
                    out.write(chunk)
                out.write(b"x" * (fill % len(chunk)) + tail + b"\n")
                out.flush()
            except OSError:
                pass  # the runner refused the line and stopped reading
    elif behave == "unknown_id":
        send({"type": "result", "id": "no-such-task", "status": "success"})
    elif behave == "malformed":
        send({"type": "result", "id": task.id, "status": "done"})
    elif behave == "close_stdout":
        with out_lock:
            stdout_closed = True
            os.close(1)
    elif behave == "secret_log":
        task.log("the secret is " + task.secret())
        sys.stderr.write("stderr: the secret is %s\n" % task.secret())
        sys.stderr.flush()
        task.answer("success")
    elif behave == "secret_error":
        task.answer("failed", error="the secret is " + task.secret())
    elif behave == "wait_for_signal":
        task.log("waiting")
    else:
        task.answer("failed", error="faulty: unknown spec.behave %r" % (behave,))


def on_signal(message):
    with state_lock:
        task = tasks.get(message.get("id"))
    if task is None:
        return
    which = message.get("signal")
    task.signals.append(which)
    if which == "destroy":
        if task.behave != "hang":
            task.destroyed.set()
            task.answer("failed", error="destroyed")
    elif task.behave == "wait_for_signal" and which == "start" and "pause" in task.signals:
        task.answer("success", outputs={"signals": ",".join(task.signals)})


def handshake_reply(startup):
    types = os.environ.get("FAULTY_TYPES", "faulty,faulty_b").split(",")
    capabilities = {"pause": True}
    if os.environ.get("FAULTY_MAX_TASKS"):
        capabilities["max_tasks"] = int(os.environ["FAULTY_MAX_TASKS"])
    reply = {"type": "handshake", "protocol": 1, "task_types": types,
             "name": os.environ.get("FAULTY_NAME", "faulty"), "version": "1.0",
             "capabilities": capabilities}
    if startup == "bad_protocol":
        reply["protocol"] = 99
    elif startup == "types_clash":
        reply["task_types"] = types + ["os_exec"]
    elif startup == "empty_types":
        reply["task_types"] = []
    return reply


def main():
    mark("started")
    startup = os.environ.get("FAULTY_STARTUP") or "ok"
    if startup == "exit":
        os._exit(4)
    stdin = sys.stdin.buffer
    if not stdin.readline():
        return 0
    if startup == "no_handshake":
        for _ in stdin:
            pass  # silent until the runner gives up and stops it
        return 0
    if startup == "not_json":
        write_raw(b"hello, I am not JSON\n")
    else:
        send(handshake_reply(startup))
    for line in stdin:
        message = json.loads(line)
        kind = message.get("type")
        if kind == "exec":
            execute(message)
        elif kind == "signal":
            on_signal(message)
        elif kind == "shutdown":
            mark("shutdown")
            return 0
    return 0


if __name__ == "__main__":
    sys.exit(main())
