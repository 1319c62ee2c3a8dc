#!/usr/bin/env python3
# Copyright (c) 2026 The failover authors.
# SPDX-License-Identifier: BSD-2-Clause
"""The manual pages agree with the programs (run by `make check`, or by hand:
tests/lint/manpages.py [SRCDIR [BUILDDIR]]).

- Every page named in a page's SEE ALSO exists: in man/, or a system page of the short
  list SYSTEM_PAGES. Every reference to one of the suite's pages anywhere in a page
  (NAME(SECTION), a name starting with "fail", hc or Hcfile) names a page in man/ with
  that section.
- Every option in a program's SYNOPSIS (also a line of another page's SYNOPSIS that starts
  with a program, as failover-access(5) has) and in the OPTIONS section of its page is
  accepted by the built program: it is one of the options its --help lists, and
  `PROGRAM OPTION [VALUE] --help` does not answer "unknown option". The other way round,
  every option a program's --help lists is in its page's SYNOPSIS or OPTIONS.

Pages are rendered with mandoc, as a reader sees them. Ends with GoogleTest's summary
lines, which .ci/run counts: one test per page.
"""
import os
import re
import shutil
import subprocess
import sys
import tempfile

# Pages outside the suite that a SEE ALSO may name.
SYSTEM_PAGES = {
    "tclsh(1)", "Tcl(n)", "safe(n)", "interp(n)", "systemd.unit(5)", "systemd.service(5)",
    "systemd.exec(5)", "sd_notify(3)", "syslog(3)", "openssl(1)", "ip(8)", "nc(1)",
}

# The programs with a page in man/, and where the build puts them.
PROGRAMS = {
    "faild": "faild/faild",
    "failc": "failc/failc",
    "failstat": "failc/failstat",
    "faildebug": "failc/faildebug",
    "hc": "hc/hc",
    "failsh": "failsh/failsh",
    "failmon": "failmon/failmon",
}

REF = re.compile(r"([A-Za-z_][A-Za-z0-9_.:-]*)\(([0-9n][a-z]*)\)")
OPTION = re.compile(r"(?<![\w-])(--?[A-Za-z][A-Za-z0-9-]*)")
PAGE_SUFFIXES = (".1", ".5", ".8", ".n")


def render(path):
    """The page as plain text (mandoc, no line wrapping to speak of, no overstrikes)."""
    out = subprocess.run(["mandoc", "-T", "ascii", "-O", "width=300", path],
                         check=True, capture_output=True, text=True).stdout
    return re.sub(r".\x08", "", out).splitlines()


def sections(lines):
    """{SECTION NAME: [lines]} of a rendered page (headings start in column 0)."""
    result, name = {}, None
    for line in lines[1:-1]:  # the first and last lines are the header and footer
        if line and not line[0].isspace():
            name = line.strip()
            result[name] = []
        elif name:
            result[name].append(line)
    return result


def ours(name):
    return name.startswith("fail") or name in ("hc", "Hcfile")


def check_references(page, secs, pages):
    """Errors of the page's references to other pages."""
    errors = []
    for sec, lines in secs.items():
        for line in lines:
            for name, num in REF.findall(line):
                ref = f"{name}({num})"
                if ref in pages:
                    continue
                if sec == "SEE ALSO" and ref not in SYSTEM_PAGES:
                    errors.append(f"SEE ALSO names {ref}: no such page in man/ nor in the "
                                  "list of system pages (tests/lint/manpages.py)")
                elif sec != "SEE ALSO" and ours(name):
                    errors.append(f"{sec} refers to {ref}: no such page in man/")
    return errors


def option_words(line):
    """The options of an OPTIONS item line: its leading run of options and their
    metavariables, up to the description (two blanks, or a capitalised word)."""
    found = []
    for word in re.split(r"\s+", line.strip().split("  ")[0]):
        word = word.rstrip(",")
        if word.startswith("-"):
            found.append(word)
        elif re.match(r"^[A-Z][a-z]", word):
            break
    return [w for w in found if OPTION.fullmatch(w)]


def documented_options(page_name, secs):
    """{program: {option}} from the page's SYNOPSIS and (for a program's page) OPTIONS."""
    result = {}
    program = None
    for line in secs.get("SYNOPSIS", []):
        words = line.split()
        if not words:
            continue
        if words[0] in PROGRAMS:
            program = words[0]
        if program:
            result.setdefault(program, set()).update(OPTION.findall(line))
    if page_name in PROGRAMS:
        for line in secs.get("OPTIONS", []):
            if re.match(r"^ {7}-", line):
                result.setdefault(page_name, set()).update(option_words(line))
    return result


def help_options(exe):
    """{option: takes a value} from the program's --help (the option column)."""
    out = subprocess.run([exe, "--help"], capture_output=True, text=True, timeout=30,
                         stdin=subprocess.DEVNULL).stdout
    result = {}
    for line in out.splitlines():
        m = re.match(r"^\s+(-\S.*?)(?:\s{2,}|$)", line)
        if not m:
            continue
        spec = m.group(1)
        opts = OPTION.findall(spec)
        # What follows the last option is its metavariable ("FILE", "unix:PATH", ...).
        rest = spec[spec.rfind(opts[-1]) + len(opts[-1]):].strip() if opts else ""
        for o in opts:
            result[o] = bool(rest)
    return result


def unknown_to(exe, option, takes_value, cwd):
    """The program's answer when given the option (then --help, so that nothing runs),
    if that answer says the option is unknown; else None."""
    args = [exe, option] + (["x"] if takes_value else []) + ["--help"]
    env = {k: v for k, v in os.environ.items() if k != "FAIL_SECRET"}
    r = subprocess.run(args, capture_output=True, text=True, timeout=30, cwd=cwd, env=env,
                       stdin=subprocess.DEVNULL)
    answer = r.stdout + r.stderr
    if "unknown option" in answer.lower():
        return answer.strip().splitlines()[0]
    return None


def check_options(page_name, documented, build, helps, cwd):
    errors = []
    if page_name in PROGRAMS:
        documented.setdefault(page_name, set())
    for program, options in sorted(documented.items()):
        exe = os.path.join(build, PROGRAMS[program])
        if not os.access(exe, os.X_OK):
            errors.append(f"{exe} is not built")
            continue
        if program not in helps:
            helps[program] = help_options(exe)
        listed = helps[program]
        for option in sorted(options):
            if option not in listed:
                errors.append(f"{program} {option}: not among the options of "
                              f"'{program} --help'")
                continue
            answer = unknown_to(exe, option, listed[option], cwd)
            if answer:
                errors.append(f"{program} {option}: the program answers '{answer}'")
        if program == page_name:
            for option in sorted(set(listed) - options):
                errors.append(f"{program} {option}: in '{program} --help' but neither in "
                              "SYNOPSIS nor in OPTIONS")
    return errors


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    src = sys.argv[1] if len(sys.argv) > 1 else os.environ.get(
        "top_srcdir", os.path.join(here, "..", ".."))
    build = sys.argv[2] if len(sys.argv) > 2 else os.environ.get(
        "top_builddir", os.path.join(src, "build"))
    build = os.path.abspath(build)
    if shutil.which("mandoc") is None:
        print("manpages: mandoc is needed (Debian package mandoc, installed by bootstrap)")
        return 1
    mandir = os.path.join(src, "man")
    files = sorted(f for f in os.listdir(mandir) if f.endswith(PAGE_SUFFIXES))
    pages = {f"{f[:f.rindex('.')]}({f[f.rindex('.') + 1:]})" for f in files}
    passed = failed = 0
    helps = {}
    with tempfile.TemporaryDirectory(prefix="failover-manpages.") as cwd:
        for f in files:
            name = f[:f.rindex(".")]
            secs = sections(render(os.path.join(mandir, f)))
            errors = check_references(f, secs, pages)
            errors += check_options(name, documented_options(name, secs), build, helps, cwd)
            for e in errors:
                print(f"manpages: man/{f}: {e}")
            if errors:
                failed += 1
            else:
                print(f"manpages: man/{f}: ok")
                passed += 1
    print(f"[  PASSED  ] {passed} tests.")
    if failed:
        print(f"[  FAILED  ] {failed} tests.")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
