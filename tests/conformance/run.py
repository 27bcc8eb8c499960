#!/usr/bin/env python3
"""Run the interpreter's own test.test_socket against the stdlib and csocket.

    python3 tests/conformance/run.py [--python PATH] [--json FILE]
                                     [--floor FILE [--update-floor]]

Two runs, in parallel: one with the stdlib's socket module, one with
csocket put in place of ``socket`` (``sys.modules['socket'] = csocket``
before anything else imports socket).  The test module is the installed
interpreter's own, never a copy.  csocket must be importable by the chosen
interpreter (PYTHONPATH is passed through to the children).

Each run happens in a child process that writes one line per started and
per finished test to a file, flushing as it goes.  The parent watches the
files: when a child makes no progress for --stall seconds, or dies (a
crash), the test it was running is recorded as "hang" or "crash" and a new
child carries on with the tests not yet run.  A whole-run limit
(--time-limit) bounds everything, so the runner itself never hangs.

Tests whose id contains "VSOCK" are left out of both runs (they hang on
machines without a vsock transport).

Exit status: 0 when the floor (if any) is met, 1 when csocket passes fewer
tests than the floor, 2 when a run could not complete (csocket not
importable, a failure before any test ran, the whole-run time limit).

The floor file (--floor) maps "major.minor" to the least number of tests
that must pass with both; --update-floor raises it to this run's count
minus --margin, never lowers it.
"""

import os
import sys

# Test ids containing any of these are excluded from both runs.
EXCLUDE = ("VSOCK",)

# The sendmsg()/recvmsg() family, reported on its own (fnmatch patterns on
# the test id, case-sensitive).
MSG_FAMILY = ("*msg*", "*Msg*", "*SCMRights*", "*SendRecvFds*")

# Resources that test.support may consult; "network" (the internet) is
# left out so that no test reaches beyond this machine.
RESOURCES = ["audio", "cpu", "curses", "decimal", "extralargefile", "gui",
             "largefile", "subprocess", "tzdata", "urlfetch", "walltime"]


# ---------------------------------------------------------------------------
# The child: runs a list of tests and reports each one on a line.
#
# This part must run before anything imports the socket module, so it only
# uses sys, os and json until csocket is in place.

def child_main(config_path):
    import json

    with open(config_path) as f:
        cfg = json.load(f)
    out = open(cfg["out"], "a", buffering=1)

    def emit(*fields):
        line = "\t".join(str(x).replace("\t", " ").replace("\n", " ")
                         for x in fields)
        out.write(line + "\n")
        out.flush()

    if cfg["mode"] == "csocket":
        preloaded = "socket" in sys.modules
        import csocket
        sys.modules["socket"] = csocket
        emit("I", "csocket", getattr(csocket, "__file__", "?"),
             "socket-preloaded" if preloaded else "clean")
    else:
        import socket
        emit("I", "stdlib", socket.__file__, "clean")

    import faulthandler
    import signal
    import unittest

    # On SIGUSR1 (sent by the parent before it kills a stalled child) dump
    # every thread's stack, so that a hang can be diagnosed from the log.
    faulthandler.enable(all_threads=True)
    faulthandler.register(signal.SIGUSR1, all_threads=True)

    from test import support
    support.use_resources = list(RESOURCES)
    import test.test_socket as module

    if cfg["mode"] == "csocket" and module.socket is not sys.modules["socket"]:
        emit("I", "warning", "test_socket did not get csocket")

    def flatten(suite):
        for item in suite:
            if isinstance(item, unittest.TestSuite):
                yield from flatten(item)
            else:
                yield item

    tests = [t for t in flatten(unittest.TestLoader().loadTestsFromModule(
        module)) if not any(x in t.id() for x in cfg["exclude"])]
    if cfg["ids"] is None:
        for t in tests:
            emit("P", t.id())
    else:
        wanted = set(cfg["ids"])
        tests = [t for t in tests if t.id() in wanted]
        missing = wanted - {t.id() for t in tests}
        for tid in sorted(missing):
            emit("R", tid, "error", "test not found in this child")

    result = LineResult(emit, unittest)
    unittest.TestSuite(tests).run(result)

    # Tests that never started: their class or module setup failed or
    # skipped them.
    for t in tests:
        tid = t.id()
        if tid in result.reported:
            continue
        cls = type(t).__module__ + "." + type(t).__qualname__
        outcome, detail = result.class_level.get(
            cls, result.class_level.get(
                type(t).__module__, ("error", "not run")))
        emit("R", tid, outcome, detail)
    emit("E")
    out.close()
    return 0


def _short_exc(err):
    """'ExcType: first line of message', at most 300 characters."""
    etype, value = err[0], err[1]
    text = str(value).strip().splitlines()
    msg = etype.__name__ + (": " + text[0] if text else "")
    return msg[:300]


class LineResult:
    """A unittest result that reports each test on a line as it ends."""

    def __new__(cls, emit, unittest):
        # Built lazily so that the parent never imports unittest.
        class _Result(unittest.TestResult):
            def __init__(self):
                super().__init__()
                self.emit = emit
                self.reported = set()
                self.class_level = {}
                self.flags = {}
                self.detail = ""

            def startTest(self, test):
                super().startTest(test)
                self.flags = {}
                self.detail = ""
                self.emit("S", test.id())

            def _note(self, test, kind, text):
                if kind not in self.flags:
                    self.flags[kind] = True
                    if not self.detail or kind in ("error", "fail"):
                        self.detail = text

            def _class_level(self, test, outcome, text):
                # test is an _ErrorHolder: "setUpClass (module.Class)".
                desc = getattr(test, "description", str(test))
                name, _, rest = desc.partition(" (")
                target = rest.rstrip(")")
                if name.startswith("setUp"):
                    self.class_level.setdefault(
                        target, (outcome, name + ": " + text))
                self.emit("C", desc, outcome, text)

            def addError(self, test, err):
                super().addError(test, err)
                if isinstance(test, unittest.TestCase):
                    self._note(test, "error", _short_exc(err))
                else:
                    self._class_level(test, "error", _short_exc(err))

            def addFailure(self, test, err):
                super().addFailure(test, err)
                self._note(test, "fail", _short_exc(err))

            def addSkip(self, test, reason):
                super().addSkip(test, reason)
                if isinstance(test, unittest.case._SubTest):
                    return
                if isinstance(test, unittest.TestCase):
                    self._note(test, "skip", reason)
                else:
                    self._class_level(test, "skip", reason)

            def addExpectedFailure(self, test, err):
                super().addExpectedFailure(test, err)
                self._note(test, "xfail", "")

            def addUnexpectedSuccess(self, test):
                super().addUnexpectedSuccess(test)
                self._note(test, "fail", "unexpected success")

            def addSubTest(self, test, subtest, err):
                super().addSubTest(test, subtest, err)
                if err is not None:
                    kind = ("fail" if issubclass(err[0],
                                                 test.failureException)
                            else "error")
                    self._note(test, kind,
                               subtest._subDescription() + " "
                               + _short_exc(err))

            def stopTest(self, test):
                super().stopTest(test)
                for outcome in ("error", "fail", "skip"):
                    if outcome in self.flags:
                        break
                else:
                    outcome = "pass"
                tid = test.id()
                self.reported.add(tid)
                self.emit("R", tid, outcome, self.detail)

        return _Result()


if __name__ == "__main__" and len(sys.argv) == 3 and sys.argv[1] == "--child":
    sys.exit(child_main(sys.argv[2]))


# ---------------------------------------------------------------------------
# The parent.

import argparse  # noqa: E402
import fnmatch  # noqa: E402
import json  # noqa: E402
import shutil  # noqa: E402
import signal  # noqa: E402
import subprocess  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402

PASSING = ("pass", "xfail")
OUTCOMES = ("pass", "xfail", "fail", "error", "skip", "hang", "crash",
            "timeout")


def in_msg_family(tid):
    return any(fnmatch.fnmatchcase(tid, p) for p in MSG_FAMILY)


def stack_excerpt(path, lines=6):
    """The last faulthandler dump in a child's log, on one line: the
    innermost frames of the crashed or stalled main thread, plus the
    innermost frame in test_socket or csocket (the informative one when
    the main thread waits in threading or unittest)."""
    text = tail(path, 400).splitlines()
    start = None
    for i, line in enumerate(text):
        if line.startswith(("Fatal Python error", "Current thread")):
            start = i
    if start is None:
        return " | ".join(text[-lines:])
    head = ""
    if text[start].startswith("Fatal Python error"):
        head = text[start] + " | "
        for j in range(start, len(text)):
            if text[j].startswith("Current thread"):
                start = j
                break
    frames = []
    for line in text[start + 1:]:
        if not line.strip().startswith("File "):
            break
        frames.append(line.strip())
    picked = frames[:2]
    for f in frames[2:]:
        if "test_socket.py" in f or "csocket" in f:
            picked.append("... " + f)
            break
    return head + " | ".join(picked)


def tail(path, lines=25):
    try:
        with open(path, "rb") as f:
            f.seek(0, os.SEEK_END)
            f.seek(max(0, f.tell() - 16384))
            data = f.read().decode("utf-8", "replace")
    except OSError:
        return ""
    return "\n".join(data.splitlines()[-lines:])


class Run:
    """One run of the suite (stdlib or csocket), over as many children as
    it takes to get through hangs and crashes."""

    def __init__(self, mode, python, workdir, env, stall, deadline):
        self.mode = mode
        self.python = python
        self.workdir = workdir
        self.env = env
        self.stall = stall
        self.deadline = deadline
        self.results = {}          # id -> [outcome, detail]
        self.order = []            # ids in the order they were reported
        self.plan = None           # ids, from the first child
        self.class_events = []     # class/module-level errors and skips
        self.info = []
        self.fatal = None          # why the run could not complete
        self.children = 0
        self.proc = None
        self.started = time.monotonic()
        self.finished = None
        self.done = False

    # -- children

    def _start_child(self, ids):
        self.children += 1
        n = self.children
        self.out_path = os.path.join(self.workdir, f"{self.mode}.{n}.lines")
        self.log_path = os.path.join(self.workdir, f"{self.mode}.{n}.log")
        cfg_path = os.path.join(self.workdir, f"{self.mode}.{n}.json")
        with open(cfg_path, "w") as f:
            json.dump({"mode": self.mode, "out": self.out_path, "ids": ids,
                       "exclude": list(EXCLUDE)}, f)
        open(self.out_path, "w").close()
        self.offset = 0
        self.partial = b""
        self.current = None
        self.child_results = 0
        self.saw_end = False
        self.last_progress = time.monotonic()
        log = open(self.log_path, "wb")
        try:
            self.proc = subprocess.Popen(
                [self.python, os.path.abspath(__file__), "--child", cfg_path],
                stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT,
                env=self.env, cwd=self.workdir, start_new_session=True)
        finally:
            log.close()

    def start(self):
        self._start_child(None)

    def _read_lines(self):
        try:
            with open(self.out_path, "rb") as f:
                f.seek(self.offset)
                data = f.read()
        except OSError:
            return
        if not data:
            return
        self.offset += len(data)
        data = self.partial + data
        *lines, self.partial = data.split(b"\n")
        for raw in lines:
            self._handle(raw.decode("utf-8", "replace").split("\t"))
        self.last_progress = time.monotonic()

    def _record(self, tid, outcome, detail=""):
        if tid not in self.results:
            self.order.append(tid)
        self.results[tid] = [outcome, detail]

    def _handle(self, f):
        kind = f[0]
        if kind == "P":
            if self.plan is None:
                self.plan = []
            self.plan.append(f[1])
        elif kind == "S":
            self.current = f[1]
        elif kind == "R":
            self._record(f[1], f[2], f[3] if len(f) > 3 else "")
            self.child_results += 1
            if self.current == f[1]:
                self.current = None
        elif kind == "C":
            self.class_events.append(f[1:])
        elif kind == "I":
            self.info.append(" ".join(f[1:]))
        elif kind == "E":
            self.saw_end = True

    def remaining(self):
        if self.plan is None:
            return []
        return [t for t in self.plan if t not in self.results]

    def _kill_group(self):
        # Also takes down what the tests spawned (the child leads its own
        # process group), even after the child itself has exited.
        try:
            os.killpg(self.proc.pid, signal.SIGKILL)
        except OSError:
            pass

    def _kill(self, dump_stacks):
        if self.proc is None:
            return
        if self.proc.poll() is not None:
            self._kill_group()
            return
        if dump_stacks:
            try:
                os.kill(self.proc.pid, signal.SIGUSR1)
                self.proc.wait(timeout=1.0)
            except (OSError, subprocess.TimeoutExpired):
                pass
        self._kill_group()
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            pass

    def _finish(self, fatal=None):
        if fatal and not self.fatal:
            self.fatal = fatal
        self.done = True
        self.finished = time.monotonic()
        self.proc = None

    def _next_child_or_finish(self, made_progress, why):
        rest = self.remaining()
        if self.plan is None:
            self._finish(f"child failed before listing the tests ({why}):\n"
                         + tail(self.log_path))
        elif not rest:
            self._finish()
        elif not made_progress:
            # The child died without getting through a single test: a
            # new one would do the same.
            for tid in rest:
                self._record(tid, "error", f"not run: child {why}")
            self._finish(f"child {why} without progress:\n"
                         + tail(self.log_path))
        else:
            self._start_child(rest)

    def poll(self):
        """Advance this run; returns True once it is complete."""
        if self.done:
            return True
        self._read_lines()
        now = time.monotonic()
        rc = self.proc.poll()
        if rc is not None:
            self._kill_group()
            self._read_lines()
            if self.partial:
                self._handle(self.partial.decode("utf-8", "replace")
                             .split("\t"))
                self.partial = b""
            why = (f"killed by signal {-rc}" if rc < 0
                   else f"exited with status {rc}")
            if self.saw_end:
                if rc != 0:
                    self.info.append(f"child {why} after the last test")
                for tid in self.remaining():
                    self._record(tid, "error", "not reported")
                self._finish()
                return True
            progress = self.child_results > 0
            if self.current is not None:
                self._record(self.current, "crash",
                             why + ": " + stack_excerpt(self.log_path))
                progress = True
            self._next_child_or_finish(progress, why)
            return self.done
        if now > self.deadline:
            self._kill(dump_stacks=True)
            for tid in self.remaining():
                self._record(tid, "timeout", "whole-run time limit reached")
            self._finish("whole-run time limit reached")
            return True
        if now - self.last_progress > self.stall:
            self._kill(dump_stacks=True)
            self._read_lines()
            why = f"no progress for {self.stall:.0f} s"
            if self.current is not None:
                self._record(self.current, "hang",
                             why + ": " + stack_excerpt(self.log_path))
            else:
                # Stuck outside a test (class or module setup/teardown):
                # charge the class of the next test, so that a hanging
                # setUpClass cannot cost one stall per test.
                rest = self.remaining()
                if rest:
                    cls = rest[0].rsplit(".", 1)[0]
                    for tid in rest:
                        if tid.rsplit(".", 1)[0] == cls:
                            self._record(tid, "hang", why + " outside a test")
            self._next_child_or_finish(True, why)
            return self.done
        return False

    def abort(self):
        self._kill(dump_stacks=False)

    # -- figures

    def counts(self, ids=None):
        c = {k: 0 for k in OUTCOMES}
        for tid, (outcome, _) in self.results.items():
            if ids is None or tid in ids:
                c[outcome] = c.get(outcome, 0) + 1
        return {
            "run": sum(c.values()),
            "passed": c["pass"] + c["xfail"],
            "failed": c["fail"],
            "errored": c["error"],
            "skipped": c["skip"],
            "hang": c["hang"],
            "crash": c["crash"],
            "timeout": c["timeout"],
        }

    def passing(self):
        return {t for t, (o, _) in self.results.items() if o in PASSING}

    def elapsed(self):
        return (self.finished or time.monotonic()) - self.started


def python_version(python, env):
    out = subprocess.run(
        [python, "-c", "import sys; print('%d.%d' % sys.version_info[:2])"],
        stdout=subprocess.PIPE, env=env, check=True, timeout=60)
    return out.stdout.decode().strip()


def fmt_counts(c):
    text = ("run {run:4d}  passed {passed:4d}  failed {failed:3d}  "
            "errored {errored:3d}  skipped {skipped:3d}").format(**c)
    extra = [f"{k} {c[k]}" for k in ("hang", "crash", "timeout") if c[k]]
    return text + ("  " + "  ".join(extra) if extra else "")


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--python", default=sys.executable,
                   help="interpreter to run the suite with (csocket must "
                        "be built for it and on PYTHONPATH)")
    p.add_argument("--json", metavar="FILE", help="write per-test outcomes")
    p.add_argument("--floor", metavar="FILE",
                   help="fail if fewer tests pass with both than FILE says "
                        "for this Python version")
    p.add_argument("--update-floor", action="store_true",
                   help="raise the floor in --floor FILE to this run's "
                        "count minus --margin (never lowers it)")
    p.add_argument("--margin", type=int, default=3,
                   help="slack left under the measured count by "
                        "--update-floor, for timing-sensitive tests "
                        "(default 3)")
    p.add_argument("--only", choices=("both", "stdlib", "csocket"),
                   default="both")
    p.add_argument("--stall", type=float, default=60.0,
                   help="seconds without progress before a test counts "
                        "as hung (default 60)")
    p.add_argument("--time-limit", type=float, default=2400.0,
                   help="limit for the whole run in seconds (default 2400)")
    p.add_argument("--keep", action="store_true",
                   help="keep the work directory (child logs)")
    p.add_argument("-q", "--quiet", action="store_true",
                   help="do not list the individual regressions")
    p.add_argument("-v", "--verbose", action="store_true",
                   help="list regressions in the msg family one by one too")
    args = p.parse_args(argv)
    if args.update_floor and not args.floor:
        p.error("--update-floor needs --floor FILE")

    env = dict(os.environ)
    env["PYTHONFAULTHANDLER"] = "1"
    env.pop("PYTHONSTARTUP", None)
    try:
        version = python_version(args.python, env)
    except (OSError, subprocess.SubprocessError) as e:
        print(f"run.py: cannot run {args.python}: {e}", file=sys.stderr)
        return 2

    workdir = tempfile.mkdtemp(prefix="csocket-conformance-")
    deadline = time.monotonic() + args.time_limit
    modes = ("stdlib", "csocket") if args.only == "both" else (args.only,)
    runs = {m: Run(m, args.python, workdir, env, args.stall, deadline)
            for m in modes}
    def on_term(signum, frame):
        raise SystemExit(128 + signum)

    # Children run in their own sessions; make sure a terminated runner
    # takes them down with it (the finally below).
    signal.signal(signal.SIGTERM, on_term)
    signal.signal(signal.SIGHUP, on_term)
    try:
        for r in runs.values():
            r.start()
        while not all(r.poll() for r in runs.values()):
            time.sleep(0.2)
    finally:
        for r in runs.values():
            r.abort()
        if args.keep:
            print(f"work directory kept: {workdir}")
        else:
            shutil.rmtree(workdir, ignore_errors=True)

    return report(args, version, runs)


def report(args, version, runs):
    print(f"test.test_socket conformance, Python {version} "
          f"({args.python}), excluding ids containing "
          + ", ".join(repr(x) for x in EXCLUDE))
    for name, r in runs.items():
        print(f"  {name:8s} {fmt_counts(r.counts())}  "
              f"[{r.elapsed() / 60:.1f} min, {r.children} child"
              f"{'ren' if r.children > 1 else ''}]")
        for line in dict.fromkeys(r.info):
            print(f"  {name:8s} {line}")
        if r.fatal:
            print(f"  {name:8s} RUN FAILED: {r.fatal}")
        for ev in r.class_events:
            if ev[1] == "error":
                print(f"  {name:8s} class/module-level error: "
                      + " ".join(ev))

    data = {"python": version, "executable": args.python,
            "exclude": list(EXCLUDE), "msg_family_patterns": list(MSG_FAMILY)}
    for name, r in runs.items():
        data[name] = {"counts": r.counts(), "elapsed_s": round(r.elapsed(), 1),
                      "children": r.children, "fatal": r.fatal,
                      "info": r.info, "class_events": r.class_events,
                      "tests": {t: {"outcome": o, "detail": d}
                                for t, (o, d) in sorted(r.results.items())}}

    # A run that could not complete (csocket not importable, a crash in
    # module setup, the time limit) is a failure of its own.
    status = 2 if any(r.fatal for r in runs.values()) else 0
    if "stdlib" in runs and "csocket" in runs:
        std, cs = runs["stdlib"], runs["csocket"]
        std_pass = std.passing()
        cs_pass = cs.passing()
        both = std_pass & cs_pass
        regressions = sorted(std_pass - cs_pass)
        outside = {t for t in std_pass if not in_msg_family(t)}
        inside = std_pass - outside
        msg_ids = {t for t in std.results if in_msg_family(t)}
        other_ids = set(std.results) - msg_ids
        print(f"  msg family (sendmsg/recvmsg): stdlib "
              f"{fmt_counts(std.counts(msg_ids))}")
        print(f"  msg family (sendmsg/recvmsg): csocket "
              f"{fmt_counts(cs.counts(msg_ids))}")
        print(f"  outside msg family:           stdlib "
              f"{fmt_counts(std.counts(other_ids))}")
        print(f"  outside msg family:           csocket "
              f"{fmt_counts(cs.counts(other_ids))}")
        share = 100.0 * len(both) / max(1, len(std_pass))
        print(f"  pass with stdlib: {len(std_pass)}; pass with both: "
              f"{len(both)} ({share:.1f}%)")
        print(f"  outside msg family: {len(outside & cs_pass)} of "
              f"{len(outside)} pass with both (target >= 250)")
        print(f"  msg family:         {len(inside & cs_pass)} of "
              f"{len(inside)} pass with both")
        extra = sorted(cs_pass - std_pass)
        if extra:
            print(f"  pass with csocket only: {len(extra)}")
        if regressions and not args.quiet:
            print(f"  pass with stdlib, not with csocket "
                  f"({len(regressions)}):")
            grouped = {}
            for t in regressions:
                o, d = cs.results.get(t, ["missing", ""])
                d = " ".join(d.split())
                short = t.replace("test.test_socket.", "", 1)
                if in_msg_family(t) and not args.verbose:
                    grouped.setdefault((o, d[:100]), []).append(short)
                    continue
                fam = " [msg]" if in_msg_family(t) else ""
                print(f"    {o:7s} {short}{fam}  {d[:200]}")
            if grouped:
                print("  ... of which in the msg family, grouped by outcome "
                      "(-v lists them):")
                for (o, d), names in sorted(grouped.items(),
                                            key=lambda x: -len(x[1])):
                    print(f"    {len(names):4d} x {o:7s} {d}  (e.g. "
                          f"{names[0]})")
        data["pass_with_both"] = len(both)
        data["pass_with_stdlib"] = len(std_pass)
        data["outside_msg_family"] = {"pass_with_stdlib": len(outside),
                                      "pass_with_both":
                                          len(outside & cs_pass)}
        data["msg_family"] = {"pass_with_stdlib": len(inside),
                              "pass_with_both": len(inside & cs_pass)}
        data["regressions"] = regressions

        if args.floor:
            status = max(status, check_floor(args, version, len(both),
                                             cs.fatal))
    elif args.floor:
        print("  floor not checked: it needs both runs")

    if args.json:
        with open(args.json, "w") as f:
            json.dump(data, f, indent=1, sort_keys=True)
            f.write("\n")
    return status


def check_floor(args, version, count, fatal):
    try:
        with open(args.floor) as f:
            floors = json.load(f)
    except FileNotFoundError:
        floors = {}
    floor = int(floors.get(version, 0))
    status = 0
    if count < floor:
        print(f"  FLOOR NOT MET: {count} tests pass with both, floor for "
              f"Python {version} is {floor}")
        status = 1
    else:
        print(f"  floor met: {count} >= {floor} (Python {version})")
    if args.update_floor:
        new = count - args.margin
        if fatal:
            print("  floor not updated: the csocket run failed")
        elif new > floor:
            floors[version] = new
            with open(args.floor, "w") as f:
                json.dump(dict(sorted(floors.items())), f, indent=2)
                f.write("\n")
            print(f"  floor for Python {version} raised {floor} -> {new}")
        else:
            print(f"  floor for Python {version} stays {floor}")
    return status


if __name__ == "__main__":
    sys.exit(main())
