#!/usr/bin/env python3
"""An external driver for Runner: the task types `script` and `checksum`.

It speaks the driver protocol, version 1 (docs/driver-protocol.md): one JSON
object per line, requests on stdin, answers on stdout, its own log on stderr.
Linux, Python 3.10 or later, standard library only. Register it in the
runner's config (examples/drivers/runner.yaml) and run, from the repository's
root:

    build/runner run --config examples/drivers/runner.yaml examples/drivers/group.yaml

script
    spec: run: "<script>"                  required: the script's text
          shell: sh | bash | python3       default sh
          env: {NAME: value}               extra environment variables
          working_dir: DIR                 default the runner's working directory

    The script is written to a temporary file and run as GitHub Actions runs a
    `run:` step: `sh -e FILE`, `bash --noprofile --norc -eo pipefail FILE`, or
    `python3 -u FILE`, in a process group of its own, with stdin from
    /dev/null. Each line it prints on stdout or stderr becomes a log line.
    It sees the driver's environment (what the runner gave the driver), then
    spec.env, then these, which spec.env may not set:

      OUTPUT_FILE           a file for outputs: `name=value` lines, and
                            `name<<DELIM` ... `DELIM` for multi-line values
      IMPORT_<TASK>_<VAR>   each import `task.var`, upper-cased, every
                            character that is not a letter or digit made `_`
                            (an import `fetch.api-token` is IMPORT_FETCH_API_TOKEN)
      RUNNER_TASK, RUNNER_GROUP, RUNNER_RUN_ID, RUNNER_ATTEMPT

    Exit status 0 is success; anything else fails the task with its
    exit_code. When the script ends, whatever it left running in its process
    group is stopped (SIGTERM, then SIGKILL): a task cannot leave a service
    behind. Paused: SIGSTOP to the process group; resumed: SIGCONT. Destroyed:
    SIGTERM, then SIGKILL after SCRIPT_DRIVER_DESTROY_GRACE seconds.

checksum
    spec: path: FILE                        required; relative to the runner's
                                            working directory
          algorithm: sha256 | sha512 | sha1 | md5   default sha256

    Outputs `digest` (lower-case hex) and `size` (bytes). Hashing runs on a
    thread of the driver; pause and destroy take effect between 1 MiB reads.

Driver settings, from the `env` of its entry in the runner's config:

    SCRIPT_DRIVER_MAX_TASKS        tasks the runner may send at once (default:
                                   the number of CPUs)
    SCRIPT_DRIVER_DESTROY_GRACE    seconds a destroyed script gets between
                                   SIGTERM and SIGKILL (default 5); keep it below
                                   the runner's --grace (10s), or the runner
                                   gives up on the task and replaces the driver
                                   before the driver answers

Confidential imports reach the script like any other import; the runner masks
them in every line and error this driver sends. The driver never writes an
import, a spec value or a script's output to its own log (stderr), which the
runner copies to its own log.
"""

import codecs
import difflib
import hashlib
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import traceback

PROTOCOL = 1
NAME = "example-script-driver"
VERSION = "1.0.0"
TASK_TYPES = ["script", "checksum"]

# The runner refuses a line over 8 MiB and then treats the whole driver as
# broken, failing every task it runs, so nothing may come near that bound.
MAX_LINE_BYTES = 8 << 20
# Longer output lines are sent in pieces of this many characters; even fully
# escaped (6 bytes a character) a piece stays far below MAX_LINE_BYTES.
LOG_PIECE_CHARS = 64 << 10
READ_BYTES = 1 << 20


def setting(name, default, minimum):
    raw = os.environ.get(name, "")
    if not raw:
        return default
    try:
        value = float(raw)
        if value >= minimum:
            return value
    except ValueError:
        pass
    log("warning: %s is not a number of at least %s; using %s" % (name, minimum, default))
    return default


_log_lock = threading.Lock()


def log(message):
    """The driver's own log: stderr, which the runner copies to its log."""
    with _log_lock:
        try:
            sys.stderr.write(message + "\n")
            sys.stderr.flush()
        except (OSError, ValueError):
            pass  # nobody reads it any more; the work goes on


def encode(message):
    # Compact, and UTF-8 rather than \u escapes: smaller lines. Lone
    # surrogates cannot be encoded; they become "?" rather than an exception.
    text = json.dumps(message, ensure_ascii=False, separators=(",", ":"))
    return text.encode("utf-8", "replace") + b"\n"


class Wire:
    """stdout: the one place protocol lines are written.

    One lock, one write and one flush per line: lines from different tasks'
    threads never interleave, and none waits in a buffer while the runner
    waits for it.
    """

    def __init__(self, stream):
        self._stream = stream
        self._lock = threading.Lock()
        self.closed = False

    def send_line(self, line):
        with self._lock:
            if self.closed:
                return False
            try:
                self._stream.write(line)
                self._stream.flush()
                return True
            except (OSError, ValueError):
                # The runner has gone (or closed our stdout): nobody is left
                # to answer; the main loop sees stdin's EOF and cleans up.
                self.closed = True
                log("stdout is closed; the runner no longer reads this driver")
                return False

    def send(self, message):
        return self.send_line(encode(message))


class SpecError(Exception):
    pass


def check_fields(spec, known, example):
    """The spec is a mapping with only known fields; else a SpecError that says what to write."""
    if not isinstance(spec, dict):
        raise SpecError("the spec must be a mapping; write `spec: %s`" % example)
    problems = []
    for field in sorted(spec):
        if field not in known:
            close = difflib.get_close_matches(field, known, n=1)
            hint = "did you mean `%s`?" % close[0] if close else "known fields: %s" % ", ".join(known)
            problems.append("spec.%s is not a field of this task type; %s" % (field, hint))
    return problems


def text_field(spec, field, problems, example, required=False):
    value = spec.get(field)
    if value is None:
        if required:
            problems.append("spec.%s is missing; write `%s: %s`" % (field, field, example))
        return None
    if not isinstance(value, str):
        problems.append("spec.%s must be a string; write `%s: %s`" % (field, field, example))
        return None
    return value


def choice_field(spec, field, allowed, default, problems):
    value = text_field(spec, field, problems, allowed[0])
    if value is None:
        return default
    if value not in allowed:
        # The value is not quoted: it may come from a template, so from a secret.
        problems.append("spec.%s must be one of %s" % (field, ", ".join(allowed)))
        return default
    return value


class Task:
    """One exec: its id, how to report, and the guarantee of one result.

    Subclasses implement run() (on a thread of its own) and the signals.
    """

    def __init__(self, driver, request):
        self.driver = driver
        self.id = request["id"]
        self.name = request.get("task") or ""
        self.group = request.get("group") or ""
        self.attempt = request.get("attempt") or 1
        self.spec = request.get("spec")
        self.imports = request.get("imports") or {}
        self.destroyed = False
        # Held while a line about this task is written: nothing about a task
        # may follow its result, and its output threads may still be running.
        self._send_lock = threading.Lock()
        self._answered = False

    def start(self):
        threading.Thread(target=self._run_safely, name="task-" + self.id, daemon=True).start()

    def _run_safely(self):
        try:
            self.run()
        except SpecError as e:
            self.fail(str(e))
        except Exception as e:  # a bug here must fail one task, not the driver
            # Where, not the message: that may quote a spec value or an import.
            where = traceback.extract_tb(e.__traceback__)[-1]
            log("task %s: internal error: %s at line %d" % (self.id, type(e).__name__, where.lineno))
            self.fail("internal error in the %s driver: %s" % (NAME, type(e).__name__))
        finally:
            if not self._answered:
                self.fail("internal error in the %s driver: the task ended without a result" % NAME)

    def run(self):
        raise NotImplementedError

    def pause(self):
        pass

    def resume(self):
        pass

    def destroy(self):
        self.destroyed = True

    def send(self, message):
        with self._send_lock:
            if not self._answered:
                self.driver.wire.send(message)

    def log_line(self, line, stream="stdout"):
        self.send({"type": "log", "id": self.id, "stream": stream, "line": line})

    def succeed(self, outputs):
        self._answer({"status": "success", "outputs": outputs})

    def fail(self, error, exit_code=None, outputs=None):
        message = {"status": "failed", "error": error}
        if exit_code is not None:
            message["exit_code"] = exit_code
        if outputs:
            message["outputs"] = outputs
        self._answer(message)

    def _answer(self, fields):
        message = {"type": "result", "id": self.id}
        message.update(fields)
        line = encode(message)
        if len(line) > MAX_LINE_BYTES:
            line = encode({"type": "result", "id": self.id, "status": "failed",
                           "error": "the outputs are too large to send (%d bytes in one protocol line, "
                                    "over the limit of %d); write large data to a file and output "
                                    "its path instead" % (len(line), MAX_LINE_BYTES)})
        with self._send_lock:
            if self._answered:
                return
            self._answered = True
            self.driver.wire.send_line(line)
        self.driver.forget(self)


# ---- script


SHELLS = {
    "sh": ["sh", "-e"],
    "bash": ["bash", "--noprofile", "--norc", "-eo", "pipefail"],
    "python3": ["python3", "-u"],
}
SCRIPT_FIELDS = ["run", "shell", "env", "working_dir"]
ENV_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
OUTPUT_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_-]*$")


def signal_name(signo):
    try:
        return signal.Signals(signo).name
    except ValueError:
        return "signal %d" % signo


def group_alive(pgid):
    """Whether a process other than a zombie is left in the process group (Linux)."""
    try:
        pids = [p for p in os.listdir("/proc") if p.isdigit()]
    except OSError:
        return False
    for p in pids:
        try:
            with open("/proc/%s/stat" % p, "rb") as f:
                # "pid (comm) state ppid pgrp ...": comm may hold anything, even ")".
                fields = f.read().rsplit(b")", 1)[1].split()
        except (OSError, IndexError):
            continue  # it has just ended
        if int(fields[2]) == pgid and fields[0] != b"Z":
            return True
    return False


def import_variable(key):
    """`fetch.api-token` -> IMPORT_FETCH_API_TOKEN."""
    return "IMPORT_" + re.sub(r"[^A-Za-z0-9]", "_", key).upper()


def parse_output_file(text, complete):
    """The OUTPUT_FILE format (GitHub Actions' GITHUB_OUTPUT) -> (values, error).

    While the script runs (`complete` false) only whole lines count and an
    unfinished `name<<DELIM` block is simply not returned yet.
    """
    lines = text.split("\n")
    if not complete or lines[-1] == "":
        lines.pop()  # the part after the last newline: unfinished, or nothing
    values = {}
    i = 0
    while i < len(lines):
        number, line = i + 1, lines[i].rstrip("\r")
        i += 1
        if not line.strip():
            continue
        eq, heredoc = line.find("="), line.find("<<")
        if eq < 0 and heredoc < 0:
            return values, "OUTPUT_FILE line %d: expected `name=value` or `name<<DELIMITER`" % number
        # Whichever comes first decides, as in GitHub's runner.
        block = heredoc >= 0 and (eq < 0 or heredoc < eq)
        name = line[:heredoc] if block else line[:eq]
        if not OUTPUT_NAME.match(name):
            # Not quoted: a script that wrote a bare secret here would see it in the error.
            return values, ("OUTPUT_FILE line %d: the output name is not valid; use letters, digits, "
                            "'_' and '-', starting with a letter or '_'" % number)
        if not block:
            values[name] = line[eq + 1:]
            continue
        delimiter = line[heredoc + 2:]
        if not delimiter:
            return values, ("OUTPUT_FILE line %d: `%s<<` has no delimiter; write `%s<<EOF`, the "
                            "value's lines, then a line `EOF`" % (number, name, name))
        end = i
        while end < len(lines) and lines[end].rstrip("\r") != delimiter:
            end += 1
        if end == len(lines):
            if not complete:
                break
            return values, ("OUTPUT_FILE line %d: the value of `%s` is not closed; end it with a "
                            "line that is exactly `%s`" % (number, name, delimiter))
        values[name] = "\n".join(l.rstrip("\r") for l in lines[i:end])
        i = end + 1
    return values, None


class ScriptTask(Task):
    def __init__(self, driver, request):
        super().__init__(driver, request)
        self._lock = threading.Lock()  # the child process and its state
        self._outputs_lock = threading.Lock()  # reading OUTPUT_FILE while the script runs
        self._proc = None
        self._reaped = False
        self._paused = False
        self._output_file = None
        self._output_seen = None  # (size, mtime) when last read
        self._outputs_sent = {}

    def check(self):
        spec = self.spec if self.spec is not None else {}
        problems = check_fields(spec, SCRIPT_FIELDS, '{run: "echo hello"}')
        if problems:
            raise SpecError("; ".join(problems))
        run = text_field(spec, "run", problems, '"echo hello"', required=True)
        shell = choice_field(spec, "shell", list(SHELLS), "sh", problems)
        cwd = text_field(spec, "working_dir", problems, "/srv/checkout")
        env = {}
        raw_env = spec.get("env")
        if raw_env is not None and not isinstance(raw_env, dict):
            problems.append("spec.env must be a mapping; write `env: {NAME: value}`")
        for key, value in (raw_env or {}).items():
            if not ENV_NAME.match(key):
                problems.append("spec.env.%s is not a valid variable name; use letters, digits "
                                "and '_', not starting with a digit" % key)
            elif key == "OUTPUT_FILE" or key.startswith(("IMPORT_", "RUNNER_")):
                problems.append("spec.env.%s is set by the driver; choose another name" % key)
            elif isinstance(value, bool):
                env[key] = "true" if value else "false"
            elif isinstance(value, (str, int, float)):
                env[key] = str(value)
            elif value is None:
                env[key] = ""
            else:
                problems.append("spec.env.%s must be a single value; write `%s: \"...\"`" % (key, key))
            if "\0" in env.get(key, ""):
                problems.append("spec.env.%s holds a NUL character, which no environment "
                                "variable can hold" % key)
        if run is not None and not run.strip():
            problems.append('spec.run is empty; write the script, e.g. `run: "echo hello"`')
        names = {}
        for key in sorted(self.imports):
            var = import_variable(key)
            if var in names:
                problems.append("the imports %s and %s both become $%s; rename one of the tasks "
                                "or variables" % (names[var], key, var))
            if "\0" in self.imports[key]:
                problems.append("the import %s holds a NUL character, which no environment "
                                "variable can hold" % key)
            names[var] = key
        if cwd is not None:
            cwd = os.path.abspath(cwd)
            if not os.path.isdir(cwd):
                problems.append("spec.working_dir is not a directory: %s" % cwd)
        if problems:
            raise SpecError("; ".join(problems))
        return run, shell, env, cwd or os.getcwd()

    def run(self):
        script, shell, spec_env, cwd = self.check()
        env = dict(os.environ)
        env.update(spec_env)
        program = shutil.which(SHELLS[shell][0], path=env.get("PATH", os.defpath))
        if program is None:
            raise SpecError("spec.shell: %s is not installed here (not found on PATH); "
                            "use `shell: sh`" % shell)
        with tempfile.TemporaryDirectory(prefix="runner-script-", ignore_cleanup_errors=True) as tmp:
            script_path = os.path.join(tmp, "script")
            with open(script_path, "w", encoding="utf-8") as f:
                f.write(script)
            self._output_file = os.path.join(tmp, "output")
            open(self._output_file, "w").close()
            env["OUTPUT_FILE"] = self._output_file
            for key, value in self.imports.items():
                env[import_variable(key)] = value
            env.update(RUNNER_TASK=self.name, RUNNER_GROUP=self.group, RUNNER_RUN_ID=self.id,
                       RUNNER_ATTEMPT=str(self.attempt))
            self._run_child([program] + SHELLS[shell][1:] + [script_path], env, cwd)

    def _run_child(self, argv, env, cwd):
        with self._lock:
            if self.destroyed:
                self.fail("destroyed")
                return
            try:
                self._proc = subprocess.Popen(
                    argv, cwd=cwd, env=env, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                    stderr=subprocess.PIPE, start_new_session=True)
            except OSError as e:
                self.fail("could not start %s: %s" % (argv[0], e.strerror))
                return
            if self._paused:  # `pause` came before there was a process
                os.killpg(self._proc.pid, signal.SIGSTOP)
        pid = self._proc.pid
        readers = [threading.Thread(target=self._pump, args=(pipe, stream), daemon=True)
                   for pipe, stream in ((self._proc.stdout, "stdout"), (self._proc.stderr, "stderr"))]
        for r in readers:
            r.start()

        # Wait for the script to end without reaping it: while it is a zombie
        # its pid, which is its process group's id, cannot be reused, so
        # signalling the group cannot hit a stranger.
        os.waitid(os.P_PID, pid, os.WEXITED | os.WNOWAIT)
        # Whatever the script left running in its group goes too; its output
        # until then still counts (the readers end when the pipes close).
        self._signal_group(signal.SIGTERM)
        deadline = time.monotonic() + self.driver.destroy_grace
        for r in readers:
            r.join(max(0, deadline - time.monotonic()))
        while group_alive(pid) and time.monotonic() < deadline:
            time.sleep(0.05)
        if group_alive(pid) or any(r.is_alive() for r in readers):
            self._signal_group(signal.SIGKILL)
            for r in readers:
                r.join(1)  # a process that left the group may still hold a pipe: stop waiting
        with self._lock:
            self._proc.wait()
            self._reaped = True
        code = self._proc.returncode

        outputs, error = self._read_outputs(complete=True)
        if self.destroyed:
            self.fail("destroyed")
        elif code < 0:
            self.fail("killed by " + signal_name(-code), outputs=outputs)
        elif code != 0:
            self.fail("exit status %d" % code, exit_code=code, outputs=outputs)
        elif error:
            self.fail(error, outputs=outputs)
        else:
            self.succeed(outputs)

    def _signal_group(self, signo):
        with self._lock:
            if self._proc is None or self._reaped:
                return
            try:
                os.killpg(self._proc.pid, signo)
                if signo == signal.SIGTERM:
                    # A stopped process acts on SIGTERM only once it runs again.
                    os.killpg(self._proc.pid, signal.SIGCONT)
            except ProcessLookupError:
                pass

    def _pump(self, pipe, stream):
        """Copies one pipe to `log` lines, splitting lines that are too long."""
        fd = pipe.fileno()
        # Incremental: a UTF-8 character cut between two reads is not mangled;
        # bytes that are not UTF-8 become U+FFFD (a JSON string holds text).
        decoder = codecs.getincrementaldecoder("utf-8")("replace")
        pending = ""
        while True:
            try:
                chunk = os.read(fd, 65536)
            except OSError:
                chunk = b""
            pending += decoder.decode(chunk, final=not chunk)
            *lines, pending = pending.split("\n")
            for line in lines:
                self._emit(line[:-1] if line.endswith("\r") else line, stream)
            while len(pending) >= LOG_PIECE_CHARS:
                self._emit(pending[:LOG_PIECE_CHARS], stream)
                pending = pending[LOG_PIECE_CHARS:]
            if not chunk:
                break
        if pending:
            self._emit(pending, stream)
        pipe.close()

    def _emit(self, line, stream):
        # Outputs first: a script that writes a secret output and then prints
        # it gets it masked only if the runner learns the value before the line.
        with self._outputs_lock:
            self._send_new_outputs()
        self.log_line(line, stream)

    def _send_new_outputs(self):
        try:
            st = os.stat(self._output_file)
        except OSError:
            return
        if (st.st_size, st.st_mtime_ns) == self._output_seen:
            return
        self._output_seen = (st.st_size, st.st_mtime_ns)
        values, _ = self._read_outputs(complete=False)
        if values and values != self._outputs_sent:
            message = {"type": "outputs", "id": self.id, "outputs": values}
            # Only a hint to the masker: skip it rather than break the line bound.
            if len(encode(message)) < MAX_LINE_BYTES:
                self._outputs_sent = values
                self.send(message)

    def _read_outputs(self, complete):
        try:
            with open(self._output_file, "rb") as f:
                text = f.read().decode("utf-8", "replace")
        except OSError as e:
            return {}, "could not read OUTPUT_FILE: %s" % e.strerror
        return parse_output_file(text, complete)

    def pause(self):
        with self._lock:
            if self._reaped or self.destroyed:
                return
            self._paused = True
            started = self._proc is not None
        if started:
            self._signal_group(signal.SIGSTOP)

    def resume(self):
        with self._lock:
            if not self._paused:
                return
            self._paused = False
        self._signal_group(signal.SIGCONT)

    def destroy(self):
        with self._lock:
            if self.destroyed:
                return
            self.destroyed = True
            started = self._proc is not None
        if started:
            self._signal_group(signal.SIGTERM)
            timer = threading.Timer(self.driver.destroy_grace, self._signal_group, (signal.SIGKILL,))
            timer.daemon = True
            timer.start()

    def kill_now(self):
        """Last resort at driver exit: a child in its own session would outlive us.

        No lock: this may run in a signal handler that interrupted its holder.
        """
        proc = self._proc
        if proc is not None and not self._reaped:
            try:
                os.killpg(proc.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass


# ---- checksum


ALGORITHMS = ["sha256", "sha512", "sha1", "md5"]


class ChecksumTask(Task):
    def __init__(self, driver, request):
        super().__init__(driver, request)
        self._running = threading.Event()  # cleared while paused
        self._running.set()

    def run(self):
        spec = self.spec if self.spec is not None else {}
        problems = check_fields(spec, ["path", "algorithm"], "{path: dist/app.tar.gz}")
        path = text_field(spec, "path", problems, "dist/app.tar.gz", required=True)
        algorithm = choice_field(spec, "algorithm", ALGORITHMS, "sha256", problems)
        if problems:
            raise SpecError("; ".join(problems))
        # md5 and sha1 are for matching published sums, not for security
        # (and must still work on a FIPS-mode Python).
        digest = hashlib.new(algorithm, usedforsecurity=algorithm not in ("md5", "sha1"))
        full = os.path.abspath(path)
        size = 0
        try:
            with open(full, "rb") as f:
                while True:
                    self._running.wait()
                    if self.destroyed:
                        self.fail("destroyed")
                        return
                    chunk = f.read(READ_BYTES)
                    if not chunk:
                        break
                    digest.update(chunk)
                    size += len(chunk)
        except FileNotFoundError:
            raise SpecError("spec.path: there is no file %s; check the path (relative paths start "
                            "at the runner's working directory %s)" % (full, os.getcwd()))
        except IsADirectoryError:
            raise SpecError("spec.path: %s is a directory; name a file" % full)
        except OSError as e:
            raise SpecError("spec.path: cannot read %s: %s" % (full, e.strerror))
        hexdigest = digest.hexdigest()
        self.log_line("%s  %s (%s, %d bytes)" % (hexdigest, path, algorithm, size))
        self.succeed({"digest": hexdigest, "size": str(size)})

    def pause(self):
        self._running.clear()

    def resume(self):
        self._running.set()

    def destroy(self):
        self.destroyed = True
        self._running.set()  # a paused task must wake up to end


# ---- the driver


TASK_CLASSES = {"script": ScriptTask, "checksum": ChecksumTask}


class Driver:
    def __init__(self, wire):
        self.wire = wire
        self.max_tasks = int(setting("SCRIPT_DRIVER_MAX_TASKS", os.cpu_count() or 4, 1))
        self.destroy_grace = setting("SCRIPT_DRIVER_DESTROY_GRACE", 5.0, 0)
        self._lock = threading.Lock()
        self._tasks = {}
        self._all_done = threading.Condition(self._lock)

    def handshake(self, request):
        if not isinstance(request, dict) or request.get("type") != "handshake":
            log("error: the runner's first message is not a handshake; is this command "
                "really started by a runner as a driver?")
            sys.exit(2)
        protocol = request.get("protocol")
        if protocol != PROTOCOL:
            log("error: the runner speaks driver protocol %r; this driver speaks only %d. "
                "Use a driver version made for this runner." % (protocol, PROTOCOL))
            sys.exit(2)
        self.wire.send({"type": "handshake", "protocol": PROTOCOL, "task_types": TASK_TYPES,
                        "name": NAME, "version": VERSION,
                        "capabilities": {"pause": True, "max_tasks": self.max_tasks}})
        log("serving %s for runner %s (up to %d tasks at once)"
            % (", ".join(TASK_TYPES), request.get("runner") or "?", self.max_tasks))

    def handle(self, message):
        kind = message.get("type")
        if kind == "exec":
            self.execute(message)
        elif kind == "signal":
            self.signal(message)
        elif kind == "shutdown":
            return False
        else:
            # A later protocol may add messages; an old driver carries on.
            log("warning: ignoring a message of unknown type %r" % (kind,))
        return True

    def execute(self, request):
        task_id = request.get("id")
        if not isinstance(task_id, str) or not task_id:
            log("warning: ignoring an exec without an id: there is no way to answer it")
            return
        cls = TASK_CLASSES.get(request.get("task_type"))
        task = (cls or Task)(self, request)
        with self._lock:
            if task_id in self._tasks:
                # Answering would give the runner two results for one id.
                log("warning: ignoring a second exec for the running task %s" % task_id)
                return
            self._tasks[task_id] = task
        if cls is None:
            task.fail("the %s driver serves %s, not %r"
                      % (NAME, ", ".join(TASK_TYPES), request.get("task_type")))
        else:
            task.start()

    def signal(self, message):
        with self._lock:
            task = self._tasks.get(message.get("id"))
        if task is None:
            return  # it has just answered: the runner will see the result
        which = message.get("signal")
        if which == "pause":
            task.pause()
        elif which == "start":
            task.resume()
        elif which == "destroy":
            task.destroy()
        else:
            log("warning: ignoring the unknown signal %r" % (which,))

    def forget(self, task):
        with self._lock:
            if self._tasks.get(task.id) is task:
                del self._tasks[task.id]
            self._all_done.notify_all()

    def stop_all(self):
        """At shutdown or EOF: destroy every task and wait for its result, bounded."""
        with self._lock:
            tasks = list(self._tasks.values())
        if tasks:
            log("stopping %d running task(s)" % len(tasks))
        for task in tasks:
            task.destroy()
        with self._lock:
            self._all_done.wait_for(lambda: not self._tasks, timeout=self.destroy_grace + 2)
            left = list(self._tasks.values())
        for task in left:
            if isinstance(task, ScriptTask):
                task.kill_now()

    def kill_all(self):
        for task in list(self._tasks.values()):
            if isinstance(task, ScriptTask):
                task.kill_now()


def main():
    wire = Wire(sys.stdout.buffer)
    # A stray print() (ours or a library's) lands in the log instead of
    # breaking the protocol.
    sys.stdout = sys.stderr
    driver = Driver(wire)

    def terminated(signo, frame):
        # SIGTERM is the runner's last resort after `shutdown` went unheeded
        # (SIGINT: Ctrl-C when the driver is tried by hand). The scripts live
        # in sessions of their own and would outlive this process.
        driver.kill_all()
        os._exit(128 + signo)

    signal.signal(signal.SIGTERM, terminated)
    signal.signal(signal.SIGINT, terminated)

    stdin = sys.stdin.buffer
    first = stdin.readline()
    if not first:
        return 0
    try:
        driver.handshake(json.loads(first))
    except ValueError:
        log("error: the runner's first line is not JSON; this program is a driver for Runner")
        return 2

    for line in stdin:
        try:
            message = json.loads(line)
        except ValueError:
            log("warning: ignoring a line from the runner that is not JSON (%d bytes)" % len(line))
            continue
        if not isinstance(message, dict):
            log("warning: ignoring a JSON line from the runner that is not an object")
            continue
        if not driver.handle(message):
            break
    driver.stop_all()
    return 0


if __name__ == "__main__":
    sys.exit(main())
