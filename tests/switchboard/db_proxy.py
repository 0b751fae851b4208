"""A TCP proxy between the application and PostgreSQL that a test can cut: every connection
through it closed at once and new ones closed as they come, as when the database goes away;
or hang: every connection kept open and new ones accepted, but nothing forwarded either way
(a database that hangs instead of refusing: nothing the application sends is answered, and
neither TCP keepalives nor the server's timeouts notice); then put back (what was held
flows on). Threads, not asyncio: the application's database work blocks its threads."""

from __future__ import annotations

import contextlib
import socket
import threading


class DatabaseProxy:
    def __init__(self, upstream: tuple[str, int]) -> None:
        self.upstream = upstream
        self._server = socket.create_server(("127.0.0.1", 0))
        self.port = int(self._server.getsockname()[1])
        self._open: set[socket.socket] = set()
        self._servers: set[socket.socket] = set()  # the sockets to the database
        self._kept: set[socket.socket] = set()  # left open by a cut the database did not see
        self._lock = threading.Lock()
        self.cut_off = False
        self.refused = 0  # connections closed while cut off
        self._flowing = threading.Event()  # cleared: hung, nothing forwarded
        self._flowing.set()
        self.held = 0  # connections accepted while hung
        threading.Thread(target=self._accept, daemon=True).start()

    def cut(self, *, database_sees_it: bool = True) -> None:
        """Close every connection and refuse new ones. ``database_sees_it=False``: only the
        application's side is closed; the database's side stays open, silent, as when the
        network between them is cut (the server keeps those sessions, and their locks)."""
        with self._lock:
            self.cut_off = True
            if not database_sees_it:
                self._kept.update(self._open & self._servers)
            for sock in self._open - self._kept:
                _hang_up(sock)
            self._open.clear()

    def hang(self) -> None:
        """Forward nothing more, either way, on any connection; accept new ones and let them
        wait. The database's side sees nothing: its sessions (and locks) stay as they were."""
        self._flowing.clear()

    def restore(self) -> None:
        with self._lock:
            self.cut_off = False
        self._flowing.set()

    def close(self) -> None:
        self.cut()
        with self._lock:
            for sock in self._kept:
                _hang_up(sock)
        self._server.close()

    def _accept(self) -> None:
        while True:
            try:
                client, _ = self._server.accept()
            except OSError:
                return
            if not self._flowing.is_set():
                self.held += 1
                threading.Thread(target=self._join_later, args=(client,), daemon=True).start()
                continue
            self._join(client)

    def _join_later(self, client: socket.socket) -> None:
        self._flowing.wait()
        self._join(client)

    def _join(self, client: socket.socket) -> None:
        with self._lock:  # held until the pair is known: a cut cannot slip in between
            if self.cut_off:
                self.refused += 1
                client.close()
                return
            try:
                server = socket.create_connection(self.upstream)
            except OSError:
                client.close()
                return
            self._open.update((client, server))
            self._servers.add(server)
        for a, b in ((client, server), (server, client)):
            threading.Thread(target=self._pump, args=(a, b), daemon=True).start()

    def _pump(self, source: socket.socket, sink: socket.socket) -> None:
        try:
            while data := source.recv(65536):
                self._flowing.wait()  # hung: held here, forwarded once restored
                sink.sendall(data)
        except OSError:
            pass
        finally:  # both ends told (shutdown), not only closed: the pump the other way may
            for sock in (source, sink):  # be blocked in recv on one of them, and a socket
                if sock not in self._kept:  # closed under a blocked recv stays open (no FIN)
                    _hang_up(sock)


def _hang_up(sock: socket.socket) -> None:
    """Close ``sock`` so that its peer hears it (FIN) and a thread blocked on it wakes."""
    with contextlib.suppress(OSError):
        sock.shutdown(socket.SHUT_RDWR)
    sock.close()
