#!/usr/bin/env python3
"""A real SMTP server (aiosmtpd) for the SMTP email tests (Tests/OutboundTests/SMTPEmailSenderTests.swift).

Listens on 127.0.0.1:PORT and writes each accepted message as a JSON file into DIR/messages: the
envelope, the raw DATA, and what Python's own email parser makes of it (decoded headers, each part's
decoded body), so the test checks the message with a parser that is not ours.

  smtp-sink.py --port 2525 --dir /tmp/x [--tls none|starttls|implicit] [--user U --password P]
               [--auth-insecure] [--reject-rcpt addr ...]

--tls starttls requires STARTTLS before MAIL; --tls implicit speaks TLS from the first byte (SMTPS).
Either generates a self-signed certificate for 127.0.0.1 and localhost with the openssl command
(DIR/cert.pem, which the client is then told to trust). --user requires AUTH (PLAIN or LOGIN); AUTH
is only offered over TLS unless --auth-insecure. Once listening it writes DIR/ready. It exits on
SIGTERM, when its standard input closes (--until-stdin-closes: the test holds the pipe, so a test
process that dies takes the sink with it), or after --lifetime seconds.
"""

import argparse
import email
import email.policy
import json
import os
import signal
import ssl
import subprocess
import sys
import threading

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword


class Sink:
    def __init__(self, directory, rejected):
        self.directory = directory
        self.rejected = {address.lower() for address in rejected}
        self.count = 0
        self.lock = threading.Lock()

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address.lower() in self.rejected:
            return "550 5.1.1 <%s>: Recipient address rejected: User unknown" % address
        envelope.rcpt_tos.append(address)
        return "250 2.1.5 Ok"

    async def handle_DATA(self, server, session, envelope):
        raw = envelope.original_content or b""
        record = {
            "mailFrom": envelope.mail_from,
            "rcptTos": envelope.rcpt_tos,
            # latin-1 maps every byte to one character, so nothing is lost or refused here.
            "data": raw.decode("latin-1"),
            "eightBit": any(byte > 127 for byte in raw),
            # session.ssl is set by STARTTLS only; an implicit-TLS transport shows in its ssl_object.
            "tls": session.ssl is not None or server.transport.get_extra_info("ssl_object") is not None,
            "authenticated": bool(session.authenticated),
            "login": session.auth_data.login.decode() if isinstance(session.auth_data, LoginPassword) else None,
        }
        try:
            message = email.message_from_bytes(raw, policy=email.policy.default)
            record["headers"] = [[name, str(value)] for name, value in message.items()]
            record["defects"] = [repr(defect) for defect in message.defects]
            parts = []
            for part in message.walk():
                if part.is_multipart():
                    continue
                parts.append(
                    {
                        "contentType": part.get_content_type(),
                        "charset": part.get_content_charset(),
                        "encoding": part.get("Content-Transfer-Encoding"),
                        "body": part.get_content(),
                    }
                )
            record["parts"] = parts
            for field in ("From", "To"):
                header = message[field]
                if header is not None and len(header.addresses) == 1:
                    record[field.lower()] = {
                        "displayName": header.addresses[0].display_name,
                        "address": header.addresses[0].addr_spec,
                        "count": len(header.addresses),
                    }
        except Exception as error:  # the test reports it; the raw data is still written
            record["parseError"] = repr(error)
        with self.lock:
            self.count += 1
            name = "%04d.json" % self.count
        path = os.path.join(self.directory, "messages", name)
        with open(path + ".tmp", "w") as out:
            json.dump(record, out)
        os.rename(path + ".tmp", path)  # the test never reads a half-written file
        return "250 2.0.0 Ok: queued"


def make_certificate(directory):
    cert = os.path.join(directory, "cert.pem")
    key = os.path.join(directory, "key.pem")
    subprocess.run(
        [
            "openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
            "-keyout", key, "-out", cert, "-days", "2", "-subj", "/CN=localhost",
            "-addext", "subjectAltName=IP:127.0.0.1,DNS:localhost",
        ],
        check=True,
        capture_output=True,
    )
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(cert, key)
    return context


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--dir", required=True)
    parser.add_argument("--tls", choices=["none", "starttls", "implicit"], default="none")
    parser.add_argument("--user")
    parser.add_argument("--password")
    parser.add_argument("--auth-insecure", action="store_true")
    parser.add_argument("--reject-rcpt", action="append", default=[])
    parser.add_argument("--lifetime", type=float, default=300)
    parser.add_argument("--until-stdin-closes", action="store_true")
    args = parser.parse_args()
    # A parent may hand down SIGTERM blocked (threads of a test runner often block signals).
    signal.pthread_sigmask(signal.SIG_UNBLOCK, [signal.SIGTERM, signal.SIGINT])

    os.makedirs(os.path.join(args.dir, "messages"), exist_ok=True)
    context = make_certificate(args.dir) if args.tls != "none" else None

    def authenticator(server, session, envelope, mechanism, auth_data):
        ok = (
            isinstance(auth_data, LoginPassword)
            and auth_data.login == args.user.encode()
            and auth_data.password == args.password.encode()
        )
        # handled=False: aiosmtpd itself answers (235, or 535 on a failure).
        return AuthResult(success=ok, handled=False, auth_data=auth_data if ok else None)

    options = {}
    if args.tls == "starttls":
        options.update(tls_context=context, require_starttls=True)
    elif args.tls == "implicit":
        options.update(ssl_context=context)
        # aiosmtpd only counts STARTTLS as TLS for auth_require_tls; here every byte is TLS already.
        args.auth_insecure = True
    if args.user is not None:
        options.update(authenticator=authenticator, auth_required=True, auth_require_tls=not args.auth_insecure)
    else:
        # aiosmtpd refuses to start with AUTH possible over plaintext unless told this is deliberate.
        options.update(auth_require_tls=False)

    controller = Controller(Sink(args.dir, args.reject_rcpt), hostname="127.0.0.1", port=args.port, **options)
    controller.start()  # returns once the port accepts connections
    with open(os.path.join(args.dir, "ready"), "w") as out:
        out.write(str(args.port))
    done = threading.Event()
    if args.until_stdin_closes:
        threading.Thread(target=lambda: (sys.stdin.buffer.read(), done.set()), daemon=True).start()
    done.wait(args.lifetime)
    controller.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
