"""A minimal SMTP server on loopback, for a worker in another process to send email to."""

import contextlib
import email
import email.policy
import socket
import threading
from email.message import EmailMessage

from tests.integration.stack import free_port


class SMTPServer:
    """An SMTP server on 127.0.0.1, on one port for its whole life, that a test turns on and off.

    It starts refusing: every connection is answered ``421`` (service not available) and
    closed, as a mail server that is down for maintenance answers, and counted in ``refused``.
    After ``accept()`` it takes every message and keeps it, as sent, in ``messages``. Enough of
    RFC 5321 for ``smtplib`` and Django's SMTP backend: no TLS, no authentication.
    """

    def __init__(self) -> None:
        self.port = free_port()
        self.refused = 0
        self.messages: list[EmailMessage] = []
        self._accepting = False
        self._lock = threading.Lock()
        self._listener = socket.create_server(("127.0.0.1", self.port))
        self._listener.settimeout(0.2)
        self._closed = threading.Event()
        self._thread = threading.Thread(target=self._serve, name="smtp", daemon=True)
        self._thread.start()

    @property
    def url(self) -> str:
        """The server as an ``EMAIL_URL``."""
        return f"smtp://127.0.0.1:{self.port}"

    def accept(self) -> None:
        """Take mail from now on."""
        with self._lock:
            self._accepting = True

    def received_by(self, address: str) -> list[EmailMessage]:
        with self._lock:
            return [message for message in self.messages if address in message["To"]]

    def close(self) -> None:
        self._closed.set()
        self._thread.join(timeout=5)
        self._listener.close()

    def _serve(self) -> None:
        while not self._closed.is_set():
            try:
                conn, _ = self._listener.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            threading.Thread(target=self._session, args=(conn,), daemon=True).start()

    def _session(self, conn: socket.socket) -> None:
        with conn, conn.makefile("rb") as lines:
            conn.settimeout(30)
            with self._lock:
                accepting = self._accepting
                if not accepting:
                    self.refused += 1
            if not accepting:
                conn.sendall(b"421 4.3.2 Service not available, closing transmission channel\r\n")
                return
            conn.sendall(b"220 localhost ESMTP test server\r\n")
            with contextlib.suppress(OSError):
                self._converse(conn, lines)

    def _converse(self, conn: socket.socket, lines) -> None:
        while line := lines.readline():
            verb = line[:4].upper()
            if verb in (b"EHLO", b"HELO"):
                conn.sendall(b"250 localhost\r\n")
            elif verb in (b"MAIL", b"RCPT", b"RSET", b"NOOP"):
                conn.sendall(b"250 OK\r\n")
            elif verb == b"DATA":
                conn.sendall(b"354 End data with <CR><LF>.<CR><LF>\r\n")
                data = bytearray()
                while (part := lines.readline()) not in (b".\r\n", b""):
                    # A line starting with a dot has had a second dot added (RFC 5321 4.5.2).
                    data += part[1:] if part.startswith(b"..") else part
                message = email.message_from_bytes(bytes(data), policy=email.policy.default)
                with self._lock:
                    self.messages.append(message)
                conn.sendall(b"250 OK: queued\r\n")
            elif verb == b"QUIT":
                conn.sendall(b"221 Bye\r\n")
                return
            else:
                conn.sendall(b"502 Command not implemented\r\n")
