"""Runs the relay as a FastCGI server and talks FastCGI to it, the way a
web server does (https://fastcgi-archives.github.io/FastCGI_Specification.html).

    with FcgiRelay(config_for([bot])) as relay:
        r = relay.request(event_body(), query='app=demo')
        assert r.status == 200, r

The server is `pgyer-relay.cgi --fastcgi unix:PATH --workers N`, or, with
stdin=True, the bare program given a listening socket as its standard
input (as spawn-fcgi and mod_fcgid start it), with supervised=True too
`--fastcgi - --workers N` on that socket (as pgyer-relay.service runs).  Its config is a
file that set_config() replaces (the workers re-read it on change).  What
it logs is in .log().  request() returns cgirun's Result; a response
that is not a whole FastCGI response raises CgiError.
"""
import atexit
import json
import os
import signal
import socket
import struct
import subprocess
import tempfile
import threading
import time

from cgirun import (PASS_ENV, SANITIZER_MARKS, CgiError, Result, _parse,
                    binary, request_vars)

BEGIN_REQUEST, ABORT_REQUEST, END_REQUEST, PARAMS, STDIN, STDOUT, STDERR = \
    1, 2, 3, 4, 5, 6, 7
RESPONDER = 1
RECORD_MAX = 65535


def _record(kind, content, req_id=1):
    pad = -len(content) % 8
    return struct.pack('>BBHHBx', 1, kind, req_id, len(content), pad) + \
        content + b'\0' * pad


def _length(n):
    return bytes([n]) if n < 128 else struct.pack('>I', n | 0x80000000)


def _pairs(params):
    out = b''
    for k, v in params.items():
        k, v = k.encode('latin-1'), v.encode('latin-1')
        out += _length(len(k)) + _length(len(v)) + k + v
    return out


def _stream(kind, data):
    out = b''
    for i in range(0, len(data), RECORD_MAX):
        out += _record(kind, data[i:i + RECORD_MAX])
    return out


def _recv_exact(sock, n):
    data = b''
    while len(data) < n:
        got = sock.recv(n - len(data))
        if not got:
            raise CgiError('connection closed inside a record')
        data += got
    return data


def exchange(path, params, body, timeout=30, hold=False, chunks=None,
             gate=None, sent=None):
    """One request over a new connection to the unix socket path: returns
    (stdout bytes, stderr bytes, app status).  hold: the body is sent but
    its end never is (a stalled client).  chunks: the body sent in these
    pieces, each its own STDIN record.  gate: a threading.Event; the
    body's end is sent once it is set (the worker waits for it till
    then).  sent: an Event set once all but the body's end is sent."""
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    sock.settimeout(timeout)
    try:
        sock.connect(path)
        msg = _record(BEGIN_REQUEST, struct.pack('>HB5x', RESPONDER, 0))
        msg += _stream(PARAMS, _pairs(params)) + _record(PARAMS, b'')
        for piece in (chunks or [body]):
            if piece:
                msg += _stream(STDIN, piece)
        if gate is not None:
            sock.sendall(msg)
            if sent is not None:
                sent.set()
            if not gate.wait(timeout):
                raise CgiError('the gate was not opened')
            msg = b''
        if not hold:
            msg += _record(STDIN, b'')
        sock.sendall(msg)
        out, err = b'', b''
        while True:
            head = sock.recv(8, socket.MSG_WAITALL)
            if len(head) < 8:
                raise CgiError('connection closed before END_REQUEST; '
                               'stdout so far %r' % out[:300])
            _, kind, _, clen, pad = struct.unpack('>BBHHBx', head)
            content = _recv_exact(sock, clen + pad)[:clen]
            if kind == STDOUT:
                out += content
            elif kind == STDERR:
                err += content
            elif kind == END_REQUEST:
                return out, err, struct.unpack('>I', content[:4])[0]
    finally:
        sock.close()


class FcgiRelay:
    """The relay serving FastCGI on a unix socket in a temporary
    directory; see the module comment."""

    def __init__(self, config, workers=1, stdin=False, env=None,
                 supervised=False, program=None):
        self.dir = tempfile.mkdtemp(prefix='pgyer-relay-fcgi-')
        self.path = os.path.join(self.dir, 'relay.sock')
        self.cfgpath = os.path.join(self.dir, 'config.json')
        self.set_config(config)
        e = {'PATH': os.environ.get('PATH', '/usr/bin:/bin'),
             'PGYER_RELAY_CONFIG': self.cfgpath}
        for k in PASS_ENV:
            if k in os.environ:
                e[k] = os.environ[k]
        e.update(env or {})
        # The relay's stderr is a file: what it logged before a response
        # is there to read when the response has come.
        self.logpath = os.path.join(self.dir, 'stderr')
        logf = open(self.logpath, 'wb')
        lsock = None
        if stdin:
            lsock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            lsock.bind(self.path)
            lsock.listen(16)
            # Bare (mod_fcgid, spawn-fcgi), or with its supervisor on the
            # socket it was given (pgyer-relay.service: --fastcgi -).
            argv = [program or binary()] + (
                ['--fastcgi', '-', '--workers', str(workers)]
                if supervised else [])
        else:
            argv = [program or binary(), '--fastcgi', 'unix:' + self.path,
                    '--workers', str(workers)]
        self.proc = subprocess.Popen(
            argv, env=e, stdin=lsock.fileno() if lsock else
            subprocess.DEVNULL, stdout=subprocess.DEVNULL,
            stderr=logf, start_new_session=True)
        logf.close()
        if lsock is not None:
            lsock.close()
        if supervised or lsock is None:
            self._wait_listening(30)

    def _wait_listening(self, timeout):
        # The supervisor says so once its socket listens (or it exits).
        end = time.monotonic() + timeout
        while 'FastCGI: listening on' not in self.log():
            if self.proc.poll() is not None or time.monotonic() > end:
                log = self.log()
                self.close()
                raise CgiError('the relay did not start listening: %s' %
                               log)
            time.sleep(0.01)

    def log(self, start=0):
        """What the relay wrote to stderr so far, from byte start."""
        with open(self.logpath, 'rb') as f:
            f.seek(start)
            return f.read().decode('utf-8', 'replace')

    def log_size(self):
        return os.path.getsize(self.logpath)

    def request_logged(self, body, method, query, content_type,
                       content_length, env, timeout, hold):
        """request() with Result.stderr what was logged meanwhile."""
        start = self.log_size()
        r = self.request(body, method, query, content_type, content_length,
                         env, timeout, hold)
        r.stderr = self.log(start) + r.stderr
        for mark in SANITIZER_MARKS:
            if mark in r.stderr:
                raise CgiError('sanitizer: %s' % r.stderr)
        return r

    def set_config(self, config):
        """Replaces the config file (a new file renamed over the old)."""
        tmp = self.cfgpath + '.new'
        with open(tmp, 'w', encoding='utf-8') as f:
            if isinstance(config, str):
                f.write(config)
            else:
                json.dump(config, f, ensure_ascii=False, indent=1)
        os.replace(tmp, self.cfgpath)

    def request(self, body, method='POST', query='',
                content_type='application/json', content_length='auto',
                params=None, timeout=30, hold=False, chunks=None,
                gate=None, sent=None):
        """One request; returns a Result (cgirun.py)."""
        if isinstance(body, str):
            body = body.encode('utf-8')
        body = body or b''
        p = request_vars(body, method, query, content_type, content_length)
        p.update(params or {})
        start = time.monotonic()
        out, err, app_status = exchange(self.path, p, body, timeout, hold,
                                        chunks, gate, sent)
        elapsed = time.monotonic() - start
        if app_status != 0:
            raise CgiError('app status %d' % app_status)
        status, headers, resp = _parse(out)
        return Result(status, headers, resp, err.decode('utf-8', 'replace'),
                      elapsed, False)

    def workers(self):
        """The pids of the supervisor's children."""
        with open('/proc/%d/task/%d/children' % (self.proc.pid,
                  self.proc.pid)) as f:
            return [int(x) for x in f.read().split()]

    def close(self, timeout=30):
        """SIGTERM, then waits: returns the exit status."""
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
        try:
            rc = self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait()
            raise CgiError('no exit within %d s of SIGTERM' % timeout) \
                from None
        for mark in SANITIZER_MARKS:
            if mark in self.log():
                raise CgiError('sanitizer: %s' % self.log())
        for name in os.listdir(self.dir):
            os.unlink(os.path.join(self.dir, name))
        os.rmdir(self.dir)
        return rc

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


# --- cgirun's run_cgi() through FastCGI (PGYER_RELAY_FRONT=fastcgi) -------

_shared = None


def _close_shared():
    global _shared
    if _shared is not None:
        relay, _shared = _shared, None
        log = relay.log()
        rc = relay.close()
        if rc != 0:
            raise CgiError('the FastCGI relay exited with %d: %s' %
                           (rc, log[-600:]))


def run_fcgi(config, body, method='POST', query='',
             content_type='application/json', content_length='auto',
             env=None, timeout=30, hold_stdin=False):
    """run_cgi() (cgirun.py) against one long-lived FastCGI relay: its
    config replaced for each request, env given as request params, and
    Result.stderr what the relay logged while serving it.  A config given
    as text (a broken one, usually), a config the running relay refused
    (it keeps its last good one: tested apart) and one named by env get a
    relay of their own, which reads it first, as the CGI does."""
    global _shared
    args = (body, method, query, content_type, content_length, env,
            timeout, hold_stdin)
    own = isinstance(config, str) or 'PGYER_RELAY_CONFIG' in (env or {})
    if not own:
        if _shared is None:
            _shared = FcgiRelay(config)
            atexit.register(_close_shared)
        else:
            _shared.set_config(config)
        r = _shared.request_logged(*args)
        if 'config: not reloaded' not in r.stderr:
            return r
    with FcgiRelay(config, env=env) as relay:
        return relay.request_logged(*args)
