#!/usr/bin/python3
# Copyright (c) 2026 The failover authors.
# SPDX-License-Identifier: BSD-2-Clause
# Rewrites the PROBE KINDS section of man/Hcfile.5 (between its BEGIN/END KINDS markers)
# from the schema tables, as `hc --list-kinds` prints them, so the page cannot drift from
# the code (tests/integration/hc_test.cc checks that it has not).
# Usage: hc/hcfile-kinds.py BUILDDIR/hc/hc man/Hcfile.5
import re, subprocess, sys, textwrap
hc, page = sys.argv[1], sys.argv[2]
text = subprocess.run([hc, "--list-kinds"], capture_output=True, text=True, check=True).stdout
def esc(s):
    s = s.replace("\\", "\\e").replace("-", "\\-")
    return s
out = []
blocks = text.strip().split("\n\n")
for i, b in enumerate(blocks):
    lines = b.split("\n")
    head = lines[0]
    if i == 0:
        out.append('.SS "Options of every check"')
    else:
        kind, summary = head.split(": ", 1)
        out.append(".SS " + kind)
        for w in textwrap.wrap(esc(summary[0].upper() + summary[1:]) + ("" if summary.endswith(".") else "."), 78,
                               break_long_words=False, break_on_hyphens=False):
            out.append("\\&" + w if w[0] in ".'" else w)
    for l in lines[1:]:
        m = re.match(r"  -(\S+) (\S+)(?: \((required|default [^)]*)\))?: (.*)$", l)
        name, ph, extra, help_ = m.groups()
        out.append(".TP")
        out.append('.BI \\-%s " %s"' % (esc(name), ph))
        h = esc(help_[0].upper() + help_[1:])
        if not h.endswith("."):
            h += "."
        if extra == "required":
            h += " Required."
        elif extra:
            h += " Default: " + esc(extra[len("default "):]) + "."
        for w in textwrap.wrap(h, 78, break_long_words=False, break_on_hyphens=False):
            out.append("\\&" + w if w[0] in ".'" else w)
src = open(page).read()
begin, end = '.\\" BEGIN KINDS (generated from hc --list-kinds)\n', '.\\" END KINDS\n'
a, b = src.index(begin) + len(begin), src.index(end)
open(page, "w").write(src[:a] + "\n".join(out) + "\n" + src[b:])
