"""A small IMAP4rev1 server on loopback, enough for what imaplib sends when the desk
reads a mailbox: CAPABILITY, LOGIN, SELECT / EXAMINE, (UID) SEARCH UNSEEN, (UID) FETCH
of RFC822, BODY[] or BODY.PEEK[], (UID) STORE +FLAGS, LOGOUT.

Like a real server, it sets ``\\Seen`` when a message is fetched with RFC822 or BODY[]
from a mailbox selected read-write, and never for BODY.PEEK[] or under EXAMINE; so a
test can tell whether the reader marked anything before it was told to. Use it as a
context manager: it stops when the block ends.
"""

from __future__ import annotations

import re
import socketserver
import threading
from dataclasses import dataclass, field
from types import TracebackType

USER = "desk@acme-health.example"
PASSWORD = "s3cret p@ss/word:%"  # needs URL-escaping in the URL
_TOKEN = re.compile(rb'"((?:\\.|[^"\\])*)"|(\S+)')


@dataclass
class Stored:
    uid: int
    data: bytes
    flags: set[str] = field(default_factory=set)


class FakeImap:
    def __init__(self, mailbox: str = "INBOX", uid_validity: int = 7) -> None:
        self.mailbox = mailbox
        self.uid_validity = uid_validity
        self.messages: list[Stored] = []
        self.commands: list[str] = []  # every command received, without its tag
        self.lock = threading.Lock()
        self._server = socketserver.ThreadingTCPServer(("127.0.0.1", 0), _handler(self))
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def port(self) -> int:
        return self._server.server_address[1]

    def url(self, mailbox: str | None = None) -> str:
        from urllib.parse import quote

        path = quote(mailbox if mailbox is not None else self.mailbox)
        return f"imap://{quote(USER)}:{quote(PASSWORD, safe='')}@127.0.0.1:{self.port}/{path}"

    def deliver(self, data: bytes, *, seen: bool = False) -> int:
        with self.lock:
            uid = (self.messages[-1].uid + 1) if self.messages else 101
            self.messages.append(Stored(uid, data, {"\\Seen"} if seen else set()))
            return uid

    def unseen(self) -> list[int]:
        with self.lock:
            return [m.uid for m in self.messages if "\\Seen" not in m.flags]

    def __enter__(self) -> FakeImap:
        self._thread.start()
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)


def _handler(imap: FakeImap) -> type[socketserver.StreamRequestHandler]:
    class Handler(socketserver.StreamRequestHandler):
        timeout = 10

        def handle(self) -> None:
            self.selected: str | None = None  # "rw" or "ro"
            self.send(b"* OK [CAPABILITY IMAP4rev1] fake IMAP ready")
            while line := self.rfile.readline():
                tag, _, rest = line.rstrip(b"\r\n").partition(b" ")
                words = [q if q is not None and u == b"" else u for q, u in _TOKEN.findall(rest)]
                words = [w.replace(b'\\"', b'"').replace(b"\\\\", b"\\") for w in words]
                if not words:
                    self.send(tag + b" BAD empty command")
                    continue
                command = words[0].upper().decode()
                with imap.lock:
                    imap.commands.append(" ".join(w.decode() for w in words))
                    if self.dispatch(tag, command, words[1:]):
                        return

        def send(self, *lines: bytes) -> None:
            self.wfile.write(b"".join(line + b"\r\n" for line in lines))

        def dispatch(self, tag: bytes, command: str, args: list[bytes]) -> bool:
            uid = command == "UID"
            if uid:
                command, args = args[0].upper().decode(), args[1:]
            if command == "CAPABILITY":
                self.send(b"* CAPABILITY IMAP4rev1", tag + b" OK CAPABILITY done")
            elif command == "LOGIN":
                ok = args == [USER.encode(), PASSWORD.encode()]
                self.send(tag + (b" OK logged in" if ok else b" NO [AUTHENTICATIONFAILED] no"))
            elif command in ("SELECT", "EXAMINE"):
                if args[0].decode() != imap.mailbox:
                    self.send(tag + b" NO no such mailbox")
                    return False
                self.selected = "ro" if command == "EXAMINE" else "rw"
                mode = b"READ-ONLY" if command == "EXAMINE" else b"READ-WRITE"
                self.send(
                    b"* %d EXISTS" % len(imap.messages),
                    b"* OK [UIDVALIDITY %d] UIDs valid" % imap.uid_validity,
                    tag + b" OK [" + mode + b"] " + command.encode() + b" done",
                )
            elif command == "SEARCH" and self.selected:
                found = [
                    (m.uid if uid else n)
                    for n, m in enumerate(imap.messages, 1)
                    if "\\Seen" not in m.flags
                ]
                self.send(b"* SEARCH " + b" ".join(b"%d" % f for f in found), tag + b" OK done")
            elif command == "FETCH" and self.selected:
                self.fetch(tag, uid, args)
            elif command == "STORE" and self.selected == "rw":
                for number, message in self.chosen(uid, args[0]):
                    message.flags.add("\\Seen")
                    self.send(b"* %d FETCH (UID %d FLAGS (\\Seen))" % (number, message.uid))
                self.send(tag + b" OK STORE done")
            elif command == "LOGOUT":
                self.send(b"* BYE see you", tag + b" OK LOGOUT done")
                return True
            else:
                self.send(tag + b" BAD not supported here")
            return False

        def fetch(self, tag: bytes, uid: bool, args: list[bytes]) -> None:
            item = b" ".join(args[1:]).strip(b"()").upper()
            if item not in (b"RFC822", b"BODY[]", b"BODY.PEEK[]"):
                self.send(tag + b" BAD only RFC822, BODY[] and BODY.PEEK[] here")
                return
            for number, message in self.chosen(uid, args[0]):
                if item != b"BODY.PEEK[]" and self.selected == "rw":
                    message.flags.add("\\Seen")
                name = b"RFC822" if item == b"RFC822" else b"BODY[]"
                head = b"* %d FETCH (UID %d %s {%d}" % (
                    number,
                    message.uid,
                    name,
                    len(message.data),
                )
                self.wfile.write(head + b"\r\n" + message.data + b")\r\n")
            self.send(tag + b" OK FETCH done")

        def chosen(self, uid: bool, numbers: bytes) -> list[tuple[int, Stored]]:
            wanted: set[int] = set()
            for part in numbers.decode().split(","):
                low, _, high = part.partition(":")
                wanted.update(range(int(low), int(high or low) + 1))
            return [
                (n, m) for n, m in enumerate(imap.messages, 1) if (m.uid if uid else n) in wanted
            ]

    return Handler
