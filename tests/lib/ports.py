"""free_port(): a loopback TCP port nothing listens on.

The kernel picks a free port for a socket bound to port 0; the socket is
closed again, so the port is free for a server to bind, or refuses
connections when a test wants a robot that is not there.
"""
import socket


def free_port():
    """A port on 127.0.0.1 that nothing listens on now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(('127.0.0.1', 0))
        return s.getsockname()[1]
