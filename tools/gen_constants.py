#!/usr/bin/env python3
"""Generate src/binding/constants.c: the stdlib socket module's constants.

Packaging glue, run by hand (never at build time):

    python3 tools/gen_constants.py [--check] [--python PATH ...]

What it does:

1. Asks every installed interpreter (see INTERPRETERS, or --python) which
   constants its `_socket` and `socket` modules export: the all-uppercase
   public attributes whose value is an int (IntEnum members included) or a
   str (BDADDR_ANY, BDADDR_LOCAL where Bluetooth is built in).  The union
   is taken; an interpreter that disagrees on a value is an error.
2. Probes this machine's C headers with gcc: which names are macros, which
   are only enumerators (glibc declares some constants as enum members),
   and which the headers lack altogether (CPython carries its own fallback
   values for some names that older kernel headers do not have yet).  The
   values the headers give are compiled into a small program, run, and
   compared with the interpreters' values.
3. Writes the table, one guarded row per name:
   - a macro of the headers: `#ifdef NAME`;
   - an enumerator: `#if defined(NAME) || <its header was included>`;
   - one of CPython's own spellings of a header value (CAN_BCM_TX_SETUP
     is <linux/can/bcm.h>'s TX_SETUP, see ALIASES): the header's name,
     under that header's guard;
   - a name no header here has: `#ifdef NAME` for systems whose headers
     do have it, else `#elif defined(__linux__)` with the stdlib's value
     as a literal.  Those values are the Linux kernel's ABI (set by the
     kernel, not by this machine), so they hold on every Linux system;
   - Bluetooth names: only when the BlueZ headers are there, as in the
     stdlib.

--check writes nothing and exits with status 1 when the checked-in file
differs from what this machine would generate (for CI, or before a
commit).
"""

import argparse
import json
import os
import re
import subprocess
import sys
import tempfile
import textwrap

HERE = os.path.dirname(os.path.abspath(__file__))
TOP = os.path.dirname(HERE)
OUTPUT = os.path.join(TOP, "src", "binding", "constants.c")

INTERPRETERS = [
    "python3",
    "/usr/bin/python3",
    "/root/.pyenv/versions/3.8.18/bin/python3",
    "/root/.pyenv/versions/3.9.18/bin/python3",
    "/root/.pyenv/versions/3.10.13/bin/python3",
    "/root/.pyenv/versions/3.12.1/bin/python3",
    "/root/.pyenv/versions/3.13.0/bin/python3",
]

# Headers that every POSIX system has; included without a guard (csock.h
# includes most of them already).
POSIX_HEADERS = [
    "errno.h",
    "sys/types.h",
    "sys/socket.h",
    "netinet/in.h",
    "netinet/tcp.h",
    "arpa/inet.h",
    "netdb.h",
    "net/if.h",
    "sys/un.h",
]

# Headers some systems lack, in include order (a few rely on an earlier
# one: the CAN protocol headers on linux/can.h, netinet/ip.h on
# netinet/in_systm.h on the BSDs).  Each is included only when
# __has_include finds it (or, without __has_include, on Linux only for
# the linux/ ones).  linux/if_packet.h is left out on purpose: it
# redefines struct sockaddr_ll, which glibc's netpacket/packet.h has.
OPTIONAL_HEADERS = [
    "sys/ioctl.h",
    "netinet/in_systm.h",
    "netinet/ip.h",
    "netinet/udp.h",
    "net/ethernet.h",
    "netpacket/packet.h",
    "linux/netlink.h",
    "linux/can.h",
    "linux/can/raw.h",
    "linux/can/bcm.h",
    "linux/can/isotp.h",
    "linux/can/j1939.h",
    "linux/tipc.h",
    "linux/vm_sockets.h",
    "linux/if_alg.h",
    "linux/rds.h",
    "linux/qrtr.h",
    "bluetooth/bluetooth.h",
    "bluetooth/rfcomm.h",
    "bluetooth/l2cap.h",
    "bluetooth/sco.h",
    "bluetooth/hci.h",
]

DUMP_SCRIPT = r"""
import json, socket, _socket
out = {}
for mod in (_socket, socket):
    for name in dir(mod):
        if name.startswith("_") or not name.isupper():
            continue
        value = getattr(mod, name)
        if isinstance(value, bool):
            continue
        if isinstance(value, int):
            out[name] = ["int", int(value)]
        elif isinstance(value, str):
            out[name] = ["str", value]
print(json.dumps(out))
"""

# CPython's own names for values a header gives under another name:
# (prefix, header) means NAME is the header's NAME-without-prefix
# (CAN_BCM_TX_SETUP is <linux/can/bcm.h>'s TX_SETUP).
ALIASES = [
    ("CAN_BCM_", "linux/can/bcm.h"),
]

# The stdlib has Bluetooth names only when it was built with the BlueZ
# headers; csocket likewise (Debian's /usr/bin/python3 has them, the
# pyenv builds do not).
BLUETOOTH_HEADER = "bluetooth/bluetooth.h"
BLUETOOTH_RE = re.compile(r"AF_BLUETOOTH|PF_BLUETOOTH|BDADDR_\w+|BTPROTO_\w+"
                          r"|HCI_\w+|SOL_(HCI|L2CAP|RFCOMM|SCO)|BT_\w+"
                          r"|L2CAP_\w+|RFCOMM_\w+|SCO_\w+")

CC = os.environ.get("CC", "gcc")


def is_bluetooth(name):
    return BLUETOOTH_RE.fullmatch(name) is not None


def have_macro(header):
    """The CSOCK_HAVE_* macro name the generated file defines for header."""
    return "CSOCK_HAVE_" + re.sub(r"[^A-Za-z0-9]", "_", header).upper()


def collect(interpreters):
    """Return ({name: (kind, value)}, {name: [interpreter, ...]})."""
    union = {}
    where = {}
    seen = set()
    for exe in interpreters:
        try:
            real = os.path.realpath(
                subprocess.run([exe, "-c", "import sys; "
                                "print(sys.executable)"],
                               check=True, capture_output=True,
                               text=True).stdout.strip())
        except (OSError, subprocess.CalledProcessError):
            print(f"skipping {exe}: not runnable", file=sys.stderr)
            continue
        if real in seen:
            continue
        seen.add(real)
        out = subprocess.run([exe, "-c", DUMP_SCRIPT], check=True,
                             capture_output=True, text=True).stdout
        version = subprocess.run(
            [exe, "-c", "import platform; "
             "print(platform.python_version())"],
            check=True, capture_output=True, text=True).stdout.strip()
        for name, (kind, value) in json.loads(out).items():
            if name in union and union[name] != (kind, value):
                sys.exit(f"{name}: {exe} says {value!r}, another "
                         f"interpreter says {union[name][1]!r}")
            union[name] = (kind, value)
            where.setdefault(name, []).append(version)
    return union, where


def include_lines(headers_present=None):
    """The probe's #include lines: every header this machine has.
    _GNU_SOURCE first, as Python.h (pyconfig.h) defines it, so the probe
    sees what the extension sees (glibc hides SCM_CREDENTIALS, NI_IDN,
    EAI_NODATA ... without it)."""
    lines = ["#define _GNU_SOURCE 1"]
    lines += [f"#include <{h}>" for h in POSIX_HEADERS]
    for h in OPTIONAL_HEADERS:
        if headers_present is None or h in headers_present:
            lines.append(f"#include <{h}>")
    return "\n".join(lines) + "\n"


def compile_c(source, run=False, extra=()):
    """Compile (and optionally run) a C source; return (ok, output)."""
    with tempfile.TemporaryDirectory() as tmp:
        src = os.path.join(tmp, "probe.c")
        exe = os.path.join(tmp, "probe")
        with open(src, "w") as f:
            f.write(source)
        args = [CC, "-std=gnu11", "-o", exe, src, *extra]
        if not run:
            args[1:1] = ["-c"]
        proc = subprocess.run(args, capture_output=True, text=True)
        if proc.returncode != 0 or not run:
            return proc.returncode == 0, proc.stderr
        proc = subprocess.run([exe], capture_output=True, text=True,
                              check=True)
        return True, proc.stdout


def present_headers():
    """The optional headers that compile here (each after its
    predecessors, the order the generated file includes them in)."""
    present = []
    for h in OPTIONAL_HEADERS:
        trial = present + [h]
        ok, _ = compile_c(include_lines(trial) + "int csock_probe;\n")
        if ok:
            present.append(h)
    return present


def macro_names(present):
    """Every macro name defined after all the includes."""
    with tempfile.TemporaryDirectory() as tmp:
        src = os.path.join(tmp, "probe.c")
        with open(src, "w") as f:
            f.write(include_lines(present))
        out = subprocess.run([CC, "-std=gnu11", "-E", "-dM", src],
                             check=True, capture_output=True,
                             text=True).stdout
    names = set()
    for line in out.splitlines():
        m = re.match(r"#define ([A-Za-z_][A-Za-z0-9_]*)", line)
        if m:
            names.add(m.group(1))
    return names


def declared_identifiers(present, candidates):
    """The subset of candidates that compile as expressions (enumerators
    or macros).  Undeclared ones are dropped one compile at a time."""
    left = set(candidates)
    while left:
        body = "".join(f"long long csock_probe_{n} = (long long)({n});\n"
                       for n in sorted(left))
        ok, err = compile_c(include_lines(present) + body)
        if ok:
            return left
        bad = set(re.findall(r"'([A-Za-z_][A-Za-z0-9_]*)' undeclared", err))
        bad |= set(re.findall(r"csock_probe_([A-Za-z0-9_]+)", err)) & left
        bad &= left
        if not bad:
            sys.exit("probe failed in an unexpected way:\n" + err)
        left -= bad
    return left


def header_for(present, name):
    """The first optional header (with its predecessors) that declares
    name, or None when the POSIX headers alone do."""
    body = f"long long csock_probe = (long long)({name});\n"
    if compile_c(include_lines([]) + body)[0]:
        return None
    for i in range(len(present)):
        if compile_c(include_lines(present[:i + 1]) + body)[0]:
            return present[i]
    sys.exit(f"{name}: no single header declares it")


def header_values(present, exprs):
    """Run a program printing each name's value (exprs: {name: C
    expression}) as the headers give it, converted the way a long long
    table entry converts it."""
    body = [include_lines(present), "#include <stdio.h>",
            "int main(void) {"]
    for n, e in sorted(exprs.items()):
        body.append(f'    printf("%s %lld\\n", "{n}", (long long)({e}));')
    body.append("    return 0;\n}\n")
    ok, out = compile_c("\n".join(body), run=True)
    if not ok:
        sys.exit("value program failed:\n" + out)
    values = {}
    for line in out.splitlines():
        n, v = line.split()
        values[n] = int(v)
    return values


def c_literal(value):
    """A C long long literal for value (LL suffix, INT64_MIN-safe)."""
    if value == -(1 << 63):
        return "(-0x7fffffffffffffffLL - 1)"
    if value < 0:
        return f"-{-value}LL"
    return f"{value}LL" if value < 1 << 31 else f"{value:#x}LL"


def c_string(value):
    """A C string literal for a str constant."""
    out = []
    for ch in value:
        if ch in '"\\':
            out.append("\\" + ch)
        elif " " <= ch <= "~":
            out.append(ch)
        else:
            for b in ch.encode("utf-8"):
                out.append(f"\\{b:03o}")
    return '"' + "".join(out) + '"'


def entry(name, expr):
    """One table row, split after the name when it would pass 79
    columns."""
    row = f'    {{"{name}", {expr}}},'
    if len(row) <= 79:
        return row
    return f'    {{"{name}",\n     {expr}}},'


def render_int(name, value, how):
    """The guarded table row(s) for one int constant."""
    kind = how[0]
    lit = c_literal(value)
    if kind == "macro":
        return (f"#ifdef {name}\n"
                f"{entry(name, f'(long long)({name})')}\n"
                "#endif")
    if kind == "enum":
        guard = how[1]
        return (f"#if defined({name}) || {guard}\n"
                f"    /* An enumerator, not a macro, in {how[2]}. */\n"
                f"{entry(name, f'(long long)({name})')}\n"
                "#endif")
    if kind == "alias":
        header, expr = how[1], how[2]
        return (f"#if defined({have_macro(header)})\n"
                f"    /* CPython's name for <{header}>'s {expr}. */\n"
                f"{entry(name, f'(long long)({expr})')}\n"
                "#endif")
    if kind == "linux":
        return (f"#if defined({name})\n"
                f"{entry(name, f'(long long)({name})')}\n"
                "#elif defined(__linux__)\n"
                "    /* The Linux kernel's value, as in the stdlib; the "
                "headers\n"
                "     * csocket was generated with do not define it. */\n"
                f"{entry(name, lit)}\n"
                "#endif")
    if kind == "bluetooth":
        return (f"#if defined({have_macro(BLUETOOTH_HEADER)})\n"
                f"#  if defined({name})\n"
                f"{entry(name, f'(long long)({name})')}\n"
                "#  elif defined(__linux__)\n"
                "    /* The Linux (BlueZ) value. */\n"
                f"{entry(name, lit)}\n"
                "#  endif\n"
                "#endif")
    raise AssertionError(how)


def render(union, where, how):
    """Return the text of constants.c."""
    versions = sorted({v for vs in where.values() for v in vs},
                      key=lambda s: tuple(map(int, s.split("."))))
    out = []
    w = out.append
    intro = (
        "GENERATED by tools/gen_constants.py; do not edit by hand.  To "
        "regenerate (after installing another interpreter, or on a "
        "machine with newer kernel headers), run from the top directory:"
        "\n\n    python3 tools/gen_constants.py\n\n"
        "The names are the union over CPython "
        f"{', '.join(versions)} on the machine that generated this file.  "
        "Each value comes from the system headers when they define the "
        "name, so csocket agrees with the platform it is compiled on.  "
        "Names no header there defined (CPython carries its own copies of "
        "some kernel values that the user-space headers lack) are literals "
        "under __linux__: they are part of the Linux kernel's ABI, the "
        "same on every Linux system.  Bluetooth names appear only where "
        "the BlueZ headers do, as in the stdlib.")
    w("/*\n * constants.c - every constant of the stdlib socket module, "
      "with the\n * stdlib's values.\n *")
    for para in intro.split("\n\n"):
        if para.startswith("    "):
            w(" * " + para)
        else:
            for line in textwrap.wrap(para, 72):
                w(" * " + line)
        w(" *")
    out[-1] = " */\n"
    w('#include "state.h"\n')
    for h in POSIX_HEADERS:
        w(f"#include <{h}>")
    w("")
    w("/* Optional headers: included only where they exist, so csocket\n"
      " * still compiles on POSIX systems without them.  Compilers without\n"
      " * __has_include get the Linux ones on Linux only. */")
    for h in OPTIONAL_HEADERS:
        m = have_macro(h)
        fallback = ("#elif defined(__linux__)\n"
                    f"#  include <{h}>\n"
                    f"#  define {m} 1\n") if h.startswith("linux/") else ""
        w("#if defined(__has_include)\n"
          f"#  if __has_include(<{h}>)\n"
          f"#    include <{h}>\n"
          f"#    define {m} 1\n"
          "#  endif\n"
          f"{fallback}"
          "#endif")
    w("")
    w("/* Values are long long: a few constants are unsigned 32-bit values\n"
      " * (INADDR_NONE, VMADDR_CID_ANY, CAN_EFF_FLAG ...) that the stdlib\n"
      " * exposes as positive Python ints, and long is 32 bits on some\n"
      " * platforms.  The {NULL, 0} row ends the table and keeps it\n"
      " * non-empty whatever the guards leave out. */")
    w("typedef struct {\n"
      "    const char *name;\n"
      "    long long value;\n"
      "} int_constant;\n")
    w("static const int_constant int_constants[] = {")
    for name in sorted(n for n, (k, _) in union.items() if k == "int"):
        w(render_int(name, union[name][1], how[name]))
    w("    {NULL, 0}\n};\n")

    w("typedef struct {\n"
      "    const char *name;\n"
      "    const char *value;\n"
      "} str_constant;\n")
    w("static const str_constant str_constants[] = {")
    for name in sorted(n for n, (k, _) in union.items() if k == "str"):
        value = c_string(union[name][1])
        if is_bluetooth(name):
            w(f"#if defined({have_macro(BLUETOOTH_HEADER)})\n"
              f"{entry(name, value)}\n"
              "#endif")
        else:
            w(entry(name, value))
    w("    {NULL, NULL}\n};\n")

    w("/* Adds both tables to the module's namespace.  Returns 0 / -1. */\n"
      "int\n"
      "csocket_add_constants(PyObject *module)\n"
      "{\n"
      "    /* A borrowed reference; the module owns its dict. */\n"
      "    PyObject *dict = PyModule_GetDict(module);\n"
      "    if (dict == NULL) {\n"
      "        return -1;\n"
      "    }\n"
      "    for (const int_constant *c = int_constants; c->name != NULL; "
      "c++) {\n"
      "        PyObject *v = PyLong_FromLongLong(c->value);\n"
      "        if (v == NULL) {\n"
      "            return -1;\n"
      "        }\n"
      "        int r = PyDict_SetItemString(dict, c->name, v);\n"
      "        Py_DECREF(v);\n"
      "        if (r < 0) {\n"
      "            return -1;\n"
      "        }\n"
      "    }\n"
      "    for (const str_constant *c = str_constants; c->name != NULL; "
      "c++) {\n"
      "        PyObject *v = PyUnicode_FromString(c->value);\n"
      "        if (v == NULL) {\n"
      "            return -1;\n"
      "        }\n"
      "        int r = PyDict_SetItemString(dict, c->name, v);\n"
      "        Py_DECREF(v);\n"
      "        if (r < 0) {\n"
      "            return -1;\n"
      "        }\n"
      "    }\n"
      "    return 0;\n"
      "}")
    return "\n".join(out) + "\n"


def classify(union):
    """Decide, for every int name, where its value comes from.
    Returns {name: how} (see render_int) after checking every value the
    headers give against the stdlib's."""
    ints = {n for n, (k, _) in union.items() if k == "int"}
    present = present_headers()
    print("headers here:", " ".join(present), file=sys.stderr)
    glibc = compile_c(include_lines([]) +
                      "#ifndef __GLIBC__\n#error not glibc\n#endif\n")[0]
    macros = macro_names(present)
    how = {}
    for n in ints:
        if is_bluetooth(n):
            how[n] = ("bluetooth",)
        elif n in macros:
            how[n] = ("macro",)
    rest = ints - set(how)
    for n in sorted(declared_identifiers(present, rest)):
        h = header_for(present, n)
        if h is None:
            # An enumerator of the C library's own headers (glibc's
            # netinet/in.h has some); another libc may have a macro.
            guard = "defined(__GLIBC__)" if glibc else "0"
            how[n] = ("enum", guard, "glibc's headers")
        else:
            how[n] = ("enum", f"defined({have_macro(h)})", f"<{h}>")
    rest = ints - set(how)
    aliases = {}
    for n in rest:
        for prefix, header in ALIASES:
            if n.startswith(prefix) and header in present:
                aliases[n] = (header, n[len(prefix):])
    usable = declared_identifiers(present, {e for _, e in aliases.values()})
    for n, (header, expr) in aliases.items():
        if expr in usable:
            how[n] = ("alias", header, expr)
    for n in ints - set(how):
        how[n] = ("linux",)

    exprs = {}
    for n, h in how.items():
        if h[0] in ("macro", "enum"):
            exprs[n] = n
        elif h[0] == "alias":
            exprs[n] = h[2]
        elif h[0] == "bluetooth" and n in macros:
            exprs[n] = n
    values = header_values(present, exprs)
    bad = [(n, values[n], union[n][1]) for n in sorted(values)
           if values[n] != union[n][1]]
    for n, hv, sv in bad:
        print(f"VALUE MISMATCH {n}: headers {hv}, stdlib {sv}",
              file=sys.stderr)
    if bad:
        sys.exit("the headers disagree with the stdlib; not writing")
    return how


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--python", action="append",
                    help="interpreter to ask (repeatable); default: "
                         + ", ".join(INTERPRETERS))
    ap.add_argument("--check", action="store_true",
                    help="write nothing; exit 1 if the output file is "
                         "out of date")
    ap.add_argument("-o", "--output", default=OUTPUT)
    args = ap.parse_args()

    union, where = collect(args.python or INTERPRETERS)
    how = classify(union)
    by_kind = {}
    for n, h in how.items():
        by_kind.setdefault(h[0], []).append(n)
    print(f"{len(union)} names, {len(union) - len(how)} of them strings",
          file=sys.stderr)
    for kind, names in sorted(by_kind.items()):
        shown = "" if kind == "macro" else ": " + " ".join(sorted(names))
        print(f"  {kind} {len(names)}{shown}", file=sys.stderr)
    text = render(union, where, how)
    if args.check:
        try:
            with open(args.output) as f:
                current = f.read()
        except FileNotFoundError:
            current = None
        if current != text:
            sys.exit(f"{args.output} is out of date; run "
                     "python3 tools/gen_constants.py")
        print(f"{args.output} is up to date", file=sys.stderr)
        return
    with open(args.output, "w") as f:
        f.write(text)
    print("wrote", args.output, file=sys.stderr)


if __name__ == "__main__":
    main()
