"""Runs the relay as a CGI program, the way a web server does (RFC 3875).

    r = run_cgi(config_for([bot]), event_body(), query='app=demo')
    assert r.status == 200, r

The binary is $PGYER_RELAY_BIN (default cgi-bin/pgyer-relay.cgi), prefixed
by the words of $PGYER_RELAY_WRAP (a valgrind command) when set.  A run
that exits non-zero, dies of a signal, reports a sanitizer or valgrind
error, or prints no valid CGI response raises CgiError: no test passes
over a crash.
"""
import json
import os
import shlex
import signal
import subprocess
import tempfile
import threading
import time

ROOT = os.path.normpath(os.path.join(os.path.dirname(__file__), '..', '..'))
WRAP = shlex.split(os.environ.get('PGYER_RELAY_WRAP', ''))
# "cgi" (the default) or "fastcgi": the front end run_cgi() drives.
FRONT = os.environ.get('PGYER_RELAY_FRONT', 'cgi')
# valgrind is about 20 times slower: scale timeouts and timing margins.
SLOW = 20 if WRAP else 1

# Environment a sanitizer build reads; everything else is left out.
PASS_ENV = ('ASAN_OPTIONS', 'UBSAN_OPTIONS', 'LSAN_OPTIONS')
SANITIZER_MARKS = ('ERROR: AddressSanitizer', 'ERROR: LeakSanitizer',
                   'runtime error:', 'ERROR: UndefinedBehaviorSanitizer')

APP = 'oooplay_test'
# A real capture of PGYER's update event (https://www.pgyer.com/doc/view/webhook).
EVENT = {
    'action': '应用更新', 'title': 'QQ',
    'link': 'https://www.pgyer.com/' + APP,
    'message': '您的应用QQ有了新的版本(0.4.0)更新。',
    'type': 'updateVersion', 'os_version': '0.4.0', 'build_version': '2',
    'created': '2020-07-15 10:50:54', 'updated': '2020-07-15 10:50:54',
    'timestamp': 1594781454, 'appsize': '26662364', 'device_type': 'iOS',
    'notes': '',
}


class CgiError(Exception):
    pass


class Result:
    def __init__(self, status, headers, body, stderr, elapsed, stdin_left):
        self.status = status
        self.headers = headers
        self.body = body
        self.stderr = stderr
        self.elapsed = elapsed
        # True when the CGI exited before reading all of its stdin.
        self.stdin_left = stdin_left
        self.json = None
        if 'json' in headers.get('content-type', ''):
            try:
                self.json = json.loads(body.decode('utf-8'))
            except ValueError:
                pass

    def __repr__(self):
        return '<%d %r stderr=%r>' % (self.status, self.body[:300],
                                      self.stderr[-600:])


def binary():
    path = os.environ.get('PGYER_RELAY_BIN')
    if path:
        return os.path.abspath(path)
    return os.path.join(ROOT, 'cgi-bin', 'pgyer-relay.cgi')


def event_body(**fields):
    """The sample event as JSON bytes, with fields replaced (None drops)."""
    ev = dict(EVENT)
    for k, v in fields.items():
        if v is None:
            ev.pop(k, None)
        else:
            ev[k] = v
    return json.dumps(ev, ensure_ascii=False).encode('utf-8')


def webhook_for(bot, name=None, events=('*',), **extra):
    """A webhook entry for a MockRobot."""
    wh = {'name': name or bot.kind, 'type': bot.kind, 'url': bot.url,
          'events': list(events)}
    if bot.secret is not None:
        wh['secret'] = bot.secret
    if bot.keyword is not None:
        wh['keyword'] = bot.keyword
    wh.update(extra)
    return wh


def config_for(bots, app=APP, token=None, events=('*',), **top):
    """A config with one app whose webhooks are the given mocks."""
    names = {}
    hooks = []
    for bot in bots:
        n = names[bot.kind] = names.get(bot.kind, 0) + 1
        name = bot.kind if n == 1 else '%s-%d' % (bot.kind, n)
        hooks.append(webhook_for(bot, name, events))
    entry = {'webhooks': hooks}
    if token is not None:
        entry['token'] = token
    cfg = {'timeout_ms': 5000}
    cfg.update(top)
    cfg['apps'] = {app: entry}
    return cfg


def _parse(out):
    """Splits CGI output into (status, headers, body)."""
    for sep in (b'\r\n\r\n', b'\n\n'):
        head, found, body = out.partition(sep)
        if found:
            break
    else:
        raise CgiError('no header/body separator in %r' % out[:300])
    headers = {}
    for line in head.decode('latin-1').splitlines():
        name, colon, value = line.partition(':')
        if not colon or not name or name != name.strip():
            raise CgiError('bad header line %r' % line)
        headers[name.lower()] = value.strip()
    status = headers.get('status', '200')  # RFC 3875 6.3.3
    try:
        code = int(status.split()[0])
    except (ValueError, IndexError):
        raise CgiError('bad Status: %r' % status) from None
    return code, headers, body


def _feed(stream, data, state, hold):
    """Writes the body; closes stdin unless a stalled client is wanted."""
    try:
        if data:
            stream.write(data)
            stream.flush()
        if not hold:
            stream.close()
    except BrokenPipeError:
        state['left'] = True


def _slurp(stream, into):
    into.append(stream.read())


def request_vars(body, method, query, content_type, content_length):
    """The request's variables as a web server sets them (RFC 3875 4.1):
    content_length 'auto' is the body's, None leaves it unset."""
    v = {'REQUEST_METHOD': method, 'QUERY_STRING': query,
         'GATEWAY_INTERFACE': 'CGI/1.1', 'SERVER_PROTOCOL': 'HTTP/1.1'}
    if content_type is not None:
        v['CONTENT_TYPE'] = content_type
    if content_length == 'auto':
        v['CONTENT_LENGTH'] = str(len(body))
    elif content_length is not None:
        v['CONTENT_LENGTH'] = content_length
    return v


def run_cgi(config, body, method='POST', query='',
            content_type='application/json', content_length='auto',
            env=None, timeout=30, hold_stdin=False):
    """Runs the CGI once; returns a Result.  See the module comment.
    With PGYER_RELAY_FRONT=fastcgi, the same request goes to the relay's
    FastCGI front end instead (fcgirun.run_fcgi())."""
    if FRONT == 'fastcgi':
        from fcgirun import run_fcgi
        return run_fcgi(config, body, method, query, content_type,
                        content_length, env, timeout, hold_stdin)
    if isinstance(body, str):
        body = body.encode('utf-8')
    body = body or b''
    fd, cfgpath = tempfile.mkstemp(prefix='pgyer-relay-test-',
                                   suffix='.json')
    try:
        with os.fdopen(fd, 'w', encoding='utf-8') as f:
            if isinstance(config, str):
                f.write(config)
            else:
                json.dump(config, f, ensure_ascii=False, indent=1)
        e = request_vars(body, method, query, content_type, content_length)
        e['PATH'] = os.environ.get('PATH', '/usr/bin:/bin')
        e['PGYER_RELAY_CONFIG'] = cfgpath
        for k in PASS_ENV:
            if k in os.environ:
                e[k] = os.environ[k]
        e.update(env or {})
        return _run(WRAP + [binary()], e, body, timeout * SLOW, hold_stdin)
    finally:
        os.unlink(cfgpath)


def _run(argv, env, body, timeout, hold=False):
    state = {'left': False}
    out, err = [], []
    start = time.monotonic()
    p = subprocess.Popen(argv, env=env, stdin=subprocess.PIPE,
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                         start_new_session=True)
    threads = [threading.Thread(target=_feed,
                                args=(p.stdin, body, state, hold)),
               threading.Thread(target=_slurp, args=(p.stdout, out)),
               threading.Thread(target=_slurp, args=(p.stderr, err))]
    for t in threads:
        t.daemon = True
        t.start()
    try:
        rc = p.wait(timeout)
    except subprocess.TimeoutExpired:
        os.killpg(p.pid, signal.SIGKILL)
        p.wait()
        raise CgiError('no exit within %d s' % timeout) from None
    elapsed = time.monotonic() - start
    if hold:
        try:
            p.stdin.close()
        except BrokenPipeError:
            pass
    for t in threads:
        t.join(timeout)
    stdout = out[0] if out else b''
    stderr = (err[0] if err else b'').decode('utf-8', 'replace')
    if rc < 0:
        raise CgiError('killed by signal %d; stderr: %s' % (-rc, stderr))
    if rc == 99 and WRAP:
        raise CgiError('valgrind: %s' % stderr)
    if rc != 0:
        raise CgiError('exit %d; stderr: %s' % (rc, stderr))
    for mark in SANITIZER_MARKS:
        if mark in stderr:
            raise CgiError('sanitizer: %s' % stderr)
    status, headers, resp = _parse(stdout)
    return Result(status, headers, resp, stderr, elapsed, state['left'])
