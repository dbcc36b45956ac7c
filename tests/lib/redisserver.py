"""A real redis-server for the tests: on a free loopback port and a unix
socket in a scratch directory, nothing saved to disk.

    with RedisServer() as rs:
        cfg['state_url'] = rs.tcp_url()     # or rs.unix_url()
        rs.stop(); rs.start()               # the same address again

start() returns only once the server answers PING (a bounded poll), and
fails the test when it does not: no test runs against a server that did
not start.
"""
import os
import shutil
import signal
import socket
import subprocess
import tempfile
import time

from ports import free_port

SERVER = shutil.which('redis-server') or '/usr/bin/redis-server'


def _ask(path, *words):
    """One command over the unix socket (RESP); the reply's first line."""
    msg = '*%d\r\n' % len(words) + ''.join(
        '$%d\r\n%s\r\n' % (len(w.encode()), w) for w in words)
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as s:
        s.settimeout(5)
        s.connect(path)
        s.sendall(msg.encode())
        data = b''
        while not data.endswith(b'\r\n'):
            chunk = s.recv(65536)
            if not chunk:
                break
            data += chunk
        return data.decode('utf-8', 'replace')


class RedisServer:
    def __init__(self, password=None):
        if not os.access(SERVER, os.X_OK):
            raise AssertionError('redis-server is not installed: '
                                 'apt-get install redis-server '
                                 '(.ci/deps.sh)')
        self.dir = tempfile.mkdtemp(prefix='pgyer-relay-redis-')
        self.sock = os.path.join(self.dir, 'redis.sock')
        self.port = free_port()
        self.password = password
        self.proc = None
        self.start()

    def tcp_url(self):
        return 'redis://127.0.0.1:%d/0' % self.port

    def unix_url(self):
        return 'unix:' + self.sock

    def start(self):
        self.proc = subprocess.Popen(
            [SERVER, '--port', str(self.port), '--bind', '127.0.0.1',
             '--unixsocket', self.sock, '--unixsocketperm', '700',
             '--save', '', '--appendonly', 'no', '--dir', self.dir,
             '--daemonize', 'no', '--logfile', ''] +
            (['--requirepass', self.password] if self.password else []),
            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise AssertionError('redis-server exited %d' %
                                     self.proc.returncode)
            try:
                # NOAUTH: up, and wants the password.
                if _ask(self.sock, 'PING').startswith(('+PONG',
                                                       '-NOAUTH')):
                    return
            except OSError:
                pass
            time.sleep(0.02)
        self.stop()
        raise AssertionError('redis-server did not answer PING in 20 s')

    def stop(self):
        if self.proc is not None and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()
        self.proc = None
        if os.path.exists(self.sock):
            os.unlink(self.sock)

    def pause(self):
        """SIGSTOP: it accepts connections and answers nothing."""
        self.proc.send_signal(signal.SIGSTOP)

    def resume(self):
        self.proc.send_signal(signal.SIGCONT)

    def ask(self, *words):
        return _ask(self.sock, *words)

    def keys(self):
        """Every key, with its TTL in ms (-1: none)."""
        out = {}
        for k in self.ask_list('KEYS', '*'):
            out[k] = int(self.ask('PTTL', k)[1:].strip())
        return out

    def ask_list(self, *words):
        """A command whose reply is an array of bulk strings."""
        msg = '*%d\r\n' % len(words) + ''.join(
            '$%d\r\n%s\r\n' % (len(w.encode()), w) for w in words)
        with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as s:
            s.settimeout(5)
            s.connect(self.sock)
            s.sendall(msg.encode())
            f = s.makefile('rb')
            head = f.readline()
            assert head.startswith(b'*'), head
            items = []
            for _ in range(int(head[1:])):
                n = int(f.readline()[1:])
                items.append(f.read(n + 2)[:-2].decode())
            return items

    def close(self):
        if self.proc is not None and self.proc.poll() is None:
            self.resume()
        self.stop()
        shutil.rmtree(self.dir, ignore_errors=True)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()
