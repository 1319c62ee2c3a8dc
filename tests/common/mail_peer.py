# Copyright (c) 2026 The failover authors.
# SPDX-License-Identifier: BSD-2-Clause
"""A real SMTP server for the tests of failsh's mail notifications (tests/common/mail_peer.hh).

aiosmtpd (Debian's python3-aiosmtpd, so run with /usr/bin/python3) on 127.0.0.1, port 0
unless told: the port it bound is written to --port-file (whole, by a rename) once it
listens, so the test waits for that file instead of sleeping. Every accepted message goes
into the Maildir --maildir as it came, after four headers of ours that say what the
envelope and the session were (X-Peer-Mail-From, X-Peer-Rcpt-To, X-Peer-TLS,
X-Peer-Auth), so that a test can check that STARTTLS and AUTH really happened.

Options: --tls-cert/--tls-key offer STARTTLS (and require it with --require-tls);
--user/--password require AUTH PLAIN or LOGIN with them (only after STARTTLS unless
--auth-without-tls); --reject ADDR answers 550 to that recipient. A control file
(--control), read at each command that matters, switches the server while it runs:
"451" answers every MAIL FROM with 451 (a server that is down for mail), "ok" or no
file: normal.
"""

import argparse
import asyncio
import mailbox
import os
import ssl
import sys
import time
import warnings

from aiosmtpd.smtp import SMTP, AuthResult, LoginPassword


def log(*words):
    print(time.strftime("%H:%M:%S"), *words, flush=True)


def control_mode(path):
    if not path:
        return "ok"
    try:
        with open(path) as f:
            return f.read().strip() or "ok"
    except FileNotFoundError:
        return "ok"


class Handler:
    def __init__(self, args):
        self.args = args
        self.maildir = mailbox.Maildir(args.maildir, create=True)

    async def handle_MAIL(self, server, session, envelope, address, mail_options):
        if control_mode(self.args.control) == "451":
            log("MAIL FROM", address, "-> 451 (control file)")
            return "451 4.3.0 Try again later (mail_peer control file)"
        envelope.mail_from = address
        envelope.mail_options.extend(mail_options)
        return "250 OK"

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if self.args.reject and address.lower() in (a.lower() for a in self.args.reject):
            log("RCPT TO", address, "-> 550")
            return "550 5.1.1 <%s>: Recipient address rejected: User unknown" % address
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        tls = "yes" if session.ssl else "no"
        auth = ""
        if session.authenticated and isinstance(session.auth_data, LoginPassword):
            auth = session.auth_data.login.decode()
        head = ("X-Peer-Mail-From: %s\r\nX-Peer-Rcpt-To: %s\r\nX-Peer-TLS: %s\r\nX-Peer-Auth: %s\r\n"
                % (envelope.mail_from, ", ".join(envelope.rcpt_tos), tls, auth)).encode()
        content = envelope.original_content or envelope.content
        if isinstance(content, str):
            content = content.encode()
        # Maildir.add writes to tmp/ and renames into new/: a reader never sees half a mail.
        key = self.maildir.add(head + content)
        log("DATA from", envelope.mail_from, "to", envelope.rcpt_tos, "tls", tls, "auth", auth or "-",
            "->", key)
        return "250 OK queued as " + key


def main():
    # aiosmtpd 1.4 warns about its own use of Session.login_data on every AUTH.
    warnings.simplefilter("ignore", DeprecationWarning)
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--maildir", required=True)
    p.add_argument("--port-file", required=True)
    p.add_argument("--port", type=int, default=0)
    p.add_argument("--tls-cert")
    p.add_argument("--tls-key")
    p.add_argument("--require-tls", action="store_true")
    p.add_argument("--user")
    p.add_argument("--password")
    p.add_argument("--auth-without-tls", action="store_true")
    p.add_argument("--reject", action="append", default=[])
    p.add_argument("--control")
    args = p.parse_args()

    context = None
    if args.tls_cert:
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        context.load_cert_chain(args.tls_cert, args.tls_key)

    def authenticator(server, session, envelope, mechanism, auth_data):
        ok = (isinstance(auth_data, LoginPassword) and auth_data.login.decode() == args.user
              and auth_data.password.decode() == args.password)
        log("AUTH", mechanism, "user", auth_data.login.decode() if isinstance(auth_data, LoginPassword) else "?",
            "->", "ok" if ok else "refused")
        return AuthResult(success=ok, handled=False, auth_data=auth_data if ok else None)

    handler = Handler(args)

    def factory():
        kw = dict(hostname="mail-peer.test", ident="mail_peer", tls_context=context,
                  require_starttls=bool(context and args.require_tls))
        if args.user:
            kw.update(authenticator=authenticator, auth_required=True,
                      auth_require_tls=not args.auth_without_tls)
        else:
            kw.update(auth_require_tls=False)
        return SMTP(handler, **kw)

    loop = asyncio.new_event_loop()
    asyncio.set_event_loop(loop)
    server = loop.run_until_complete(loop.create_server(factory, host="127.0.0.1", port=args.port))
    port = server.sockets[0].getsockname()[1]
    tmp = args.port_file + ".tmp"
    with open(tmp, "w") as f:
        f.write("%d\n" % port)
    os.rename(tmp, args.port_file)
    log("listening on 127.0.0.1:%d" % port, "starttls" if context else "plain",
        "auth" if args.user else "no-auth")
    try:
        loop.run_forever()
    except KeyboardInterrupt:
        pass
    return 0


if __name__ == "__main__":
    sys.exit(main())
