# Copyright (c) 2026 The failover authors.
# SPDX-License-Identifier: BSD-2-Clause
# failsh's policy (failsh(8), failover(n)): Tcl, run by failsh as root. As installed it
# manages nothing: failsh starts, talks to the local faild (localhost, 127.0.0.1:1847)
# and waits for services here. Check the file with `failsh -t -f /etc/failover/policy.tcl`,
# reload with `systemctl reload failsh`.

# The peer host's faild (with TLS and a secret when it is not on a private network):
# failhost beta address 203.0.113.12 port 1847 secret-file /etc/failover/beta.secret

# A service this host (alpha) serves and beta takes over, with its procedures:
# proc www_start {} { fail::exec -timeout 10s systemctl start nginx; return UP }
# proc www_stop {} { fail::exec -timeout 10s systemctl stop nginx; return RECOVER }
# failsvc www masters alpha slaves beta start www_start stop www_stop interval 5s

# Address takeover (needs the unit's CAP_NET_ADMIN and CAP_NET_RAW):
# fail::ip add 203.0.113.80/24 -dev eth0   (in the start proc; fail::ip del in the stop proc)
