"""End to end: the relay behind real Apache (mod_cgid) and real nginx +
fcgiwrap, started from the shipped snippets (servers.py), posted to with
the curl command line as users do, delivering to loopback mock robots.
The same cases run against the FastCGI mode: Apache + mod_fcgid and nginx
+ the relay's own workers (--fastcgi), with what only long-lived workers
can get wrong (config edits, robot restarts, a worker killed, memory).

Every case runs against each server: Apache from a minimal config,
Apache as Debian ships it (a copy of /etc/apache2, a2enmod cgid, a2enconf
pgyer-relay), nginx + fcgiwrap.  A server that does not start fails its
cases.  As root: PGYER_RELAY_BIN=cgi-bin/pgyer-relay.cgi python3 this.
"""
import json
import os
import signal
import subprocess
import sys
import tempfile
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path[:0] = [os.path.join(HERE, '..', 'lib'), HERE]

import harness  # noqa: E402
import servers  # noqa: E402
from mockrobot import MockRobot  # noqa: E402

APP = 'e2e_app'
TOKEN = 'e2e-token-5d1f0c'
SECRET = 'SECe2e-dingtalk-secret'
FEISHU_SECRET = 'e2e-feishu-secret'
MAX_BODY = 65536
SERVER_LIMIT = 1048576      # the snippets' LimitRequestBody and
                            # client_max_body_size
DELAY = 0.4                 # each robot's delay in the parallel case

with open(os.path.join(HERE, 'events', 'update.json'), 'rb') as f:
    UPDATE = f.read()


class Reply:
    def __init__(self, status, headers, body, seconds):
        self.status = status
        self.headers = headers
        self.body = body
        self.seconds = seconds
        try:
            self.json = json.loads(body)
        except ValueError:
            self.json = None

    def __str__(self):
        return '%d %s' % (self.status,
                          self.body[:300].decode('utf-8', 'replace'))


def curl(url, body=None, *args):
    """POSTs body (bytes) with the curl command line; extra curl args
    (headers, -X GET) as given.  Returns a Reply."""
    with tempfile.TemporaryDirectory() as d:
        argv = ['curl', '-sS', '--max-time', '30', '-o', d + '/out',
                '-D', d + '/head', '-w', '%{http_code}']
        if body is not None:
            with open(d + '/body', 'wb') as f:
                f.write(body)
            argv += ['-H', 'Content-Type: application/json',
                     '--data-binary', '@' + d + '/body']
        start = time.monotonic()
        r = subprocess.run(argv + list(args) + [url], capture_output=True)
        seconds = time.monotonic() - start
        assert r.returncode == 0, 'curl: %s' % r.stderr.decode()
        with open(d + '/head', 'rb') as f:
            # The last block: a 100 Continue may come first.
            block = f.read().decode('latin-1').strip().split('\r\n\r\n')[-1]
        headers = {}
        for line in block.split('\r\n')[1:]:
            k, _, v = line.partition(':')
            headers[k.strip().lower()] = v.strip()
        with open(d + '/out', 'rb') as f:
            out = f.read()
        return Reply(int(r.stdout), headers, out, seconds)


def hook(name, bot, **kw):
    h = {'name': name, 'type': bot.kind, 'url': bot.url, 'events': ['*']}
    h.update(kw)
    return h


def config(*hooks, timeout_ms=5000):
    return {'timeout_ms': timeout_ms, 'max_body_bytes': MAX_BODY,
            'language': 'en', 'timezone': 'Asia/Shanghai', 'proxy': '',
            'apps': {APP: {'token': TOKEN, 'webhooks': list(hooks)}}}


def event_url(srv, app=APP, token=TOKEN):
    return '%s?app=%s&token=%s' % (srv.url, app, token)


def by_relay(reply):
    """True when the relay wrote the answer (its JSON), not the server."""
    return reply.headers.get('content-type', '').startswith(
        'application/json') and isinstance(reply.json, dict)


# --- the servers: each started once, on first use, stopped at exit ---

running = {}


def server(cls):
    """The started server of class cls; a failed start fails every case
    of that server with the same reason."""
    s = running.get(cls)
    first = s is None
    if s is None:
        stop_all()      # one server at a time
        try:
            s = cls(config())
        except Exception as e:
            s = e
        else:
            try:
                s.start()
            except Exception as e:
                s.close()
                s = e
        running[cls] = s
    if isinstance(s, Exception):
        # The whole reason once, in "starts"; a line elsewhere.
        reason = str(s) if first else str(s).splitlines()[0][:200]
        raise AssertionError('%s did not start: %s' % (cls.name, reason))
    return s


def stop_all():
    for cls, s in running.items():
        if isinstance(s, servers.Server):
            s.close()
            running[cls] = ServerGone()


class ServerGone(Exception):
    def __str__(self):
        return 'stopped already'


def check(reply, status, srv):
    assert reply.status == status, 'want %d, got %s\n--- %s log:\n%s' % (
        status, reply, srv.name, srv.log()[-2000:])


# --- the cases, for each server ---

def case_starts(srv):
    """The server answers on its port from the shipped snippet."""
    assert srv.port


def case_parallel(srv):
    """One update to 3 robots: all delivered, in parallel."""
    with MockRobot('wecom', token='wecom-key-7f3a', delay=DELAY) as wecom, \
            MockRobot('dingtalk', token='ding-token-2b9e', secret=SECRET,
                      keyword='应用', delay=DELAY) as ding, \
            MockRobot('feishu', token='feishu-hook-c41d',
                      secret=FEISHU_SECRET, delay=DELAY) as fei:
        srv.set_config(config(
            hook('wecom group', wecom),
            hook('dingtalk QA', ding, secret=SECRET, keyword='应用'),
            hook('feishu PM', fei, secret=FEISHU_SECRET)))
        r = curl(event_url(srv), UPDATE)
        check(r, 200, srv)
        assert r.json['delivered'] == 3 and r.json['failed'] == 0, r
        for bot in (wecom, ding, fei):
            assert len(bot.received) == 1, (bot.kind, bot.received)
            rec = bot.received[0]
            assert rec['accepted'], (bot.kind, rec['errcode'],
                                     rec['errmsg'])
            assert 'OooPlay' in bot.text(), (bot.kind, bot.text())
        assert DELAY <= r.seconds < 3 * DELAY, \
            'took %.2f s: not in parallel' % r.seconds
    # The relay logs (to its file, as shipped), and never a secret.
    log = '\n'.join(srv.relay_log())
    assert 'webhook="wecom group" delivered' in log, \
        'no relay log line in:\n' + srv.log()[-1500:]
    for secret in (TOKEN, SECRET, FEISHU_SECRET, wecom.token, ding.token,
                   fei.token):
        assert secret not in log, 'secret %r in the log' % secret


def case_chunked(srv):
    """A chunked POST (Apache passes no CONTENT_LENGTH, nginx a computed
    one) arrives whole: the json robot gets it byte for byte."""
    with MockRobot('json') as bot:
        srv.set_config(config(hook('raw', bot)))
        r = curl(event_url(srv), UPDATE, '-H', 'Transfer-Encoding: chunked')
        check(r, 200, srv)
        assert len(bot.received) == 1 and bot.received[0]['body'] == UPDATE


def oversize(n):
    """A valid event of about n bytes (long release notes)."""
    ev = json.loads(UPDATE)
    ev['notes'] = ''
    pad = n - len(json.dumps(ev).encode())
    ev['notes'] = 'x' * max(pad, 0)
    return json.dumps(ev).encode()


def case_oversize_relay(srv):
    """Over max_body_bytes, under the server's limit: the relay answers
    413 (JSON), with and without Content-Length, and drained the body
    (fcgiwrap would answer 502 for an unread body)."""
    with MockRobot('json') as bot:
        srv.set_config(config(hook('raw', bot)))
        body = oversize(MAX_BODY * 3)
        for extra in ([], ['-H', 'Transfer-Encoding: chunked']):
            r = curl(event_url(srv), body, *extra)
            check(r, 413, srv)
            assert by_relay(r) and 'max_body_bytes' in r.json['error'], r
        assert bot.received == []


def case_oversize_server(srv):
    """Over the server's own limit: the server answers 413 (HTML) and the
    relay never runs.  mod_fcgid 2.3.9 instead passes the relay an empty
    body when LimitRequestBody refuses one: the relay's 400."""
    with MockRobot('json') as bot:
        srv.set_config(config(hook('raw', bot)))
        r = curl(event_url(srv), oversize(SERVER_LIMIT * 2))
        if isinstance(srv, servers.ApacheFcgid):
            check(r, 400, srv)
            assert 'empty body' in r.json['error'], r
        else:
            check(r, 413, srv)
            assert not by_relay(r), 'the relay answered: %s' % r
        assert bot.received == []


def case_bad_json(srv):
    with MockRobot('json') as bot:
        srv.set_config(config(hook('raw', bot)))
        r = curl(event_url(srv), b'{"type": "updateVersion", "title": ')
        check(r, 400, srv)
        assert by_relay(r), r
        assert bot.received == []


def case_unknown_app(srv):
    with MockRobot('json') as bot:
        srv.set_config(config(hook('raw', bot)))
        r = curl(event_url(srv, app='no_such_app'), UPDATE)
        check(r, 404, srv)
        assert by_relay(r) and bot.received == [], r


def case_wrong_token(srv):
    with MockRobot('json') as bot:
        srv.set_config(config(hook('raw', bot)))
        r = curl(event_url(srv, token='wrong'), UPDATE)
        check(r, 403, srv)
        assert by_relay(r) and bot.received == [], r


def case_get(srv):
    """Not a POST: 405 with Allow: POST.  nginx answers it itself; Apache
    lets GET through to the relay, which answers it (Apache's own 405
    would say "Allow: TRACE"), and refuses other methods at its
    authorization step (Require method): 403, the relay never starts."""
    r = curl(event_url(srv), None, '-X', 'GET')
    check(r, 405, srv)
    assert r.headers.get('allow') == 'POST', r.headers
    if isinstance(srv, servers.Apache):
        assert by_relay(r), 'not the relay: %s' % r
        r = curl(event_url(srv), UPDATE, '-X', 'PUT')
        check(r, 403, srv)
        assert not by_relay(r), 'the relay answered: %s' % r
        assert 'AH01630' in srv.log(), 'no authz refusal in the log'
    else:
        assert not by_relay(r), 'the relay answered: %s' % r


def case_config_unreadable(srv):
    """The config readable by root only (`make install` as root without
    the chgrp): 500, and the error log says why (Apache), or --check as
    the server's user does (nginx drops the relay's stderr from this
    location: its lines would carry the token)."""
    with MockRobot('json') as bot:
        srv.set_config(config(hook('raw', bot)))
        os.chown(srv.config, 0, 0)
        r = curl(event_url(srv), UPDATE)
        check(r, 500, srv)
        assert by_relay(r) and bot.received == [], r
        assert '--check' in r.json['error'], r
        if isinstance(srv, servers.Apache):
            assert any('Permission denied' in line
                       for line in srv.relay_log()), srv.relay_log()
        c = subprocess.run([srv.cgi, '--check', srv.config],
                           capture_output=True, text=True,
                           user=srv.user.pw_uid, group=srv.user.pw_gid)
        assert c.returncode != 0 and 'Permission denied' in c.stderr, c


def case_robot_fails(srv):
    """A robot that refuses: 502, and the summary says which."""
    with MockRobot('wecom') as good, MockRobot('wecom', mode='errcode') as bad:
        srv.set_config(config(hook('good', good), hook('bad', bad)))
        r = curl(event_url(srv), UPDATE)
        check(r, 502, srv)
        assert r.json['delivered'] == 1 and r.json['failed'] == 1, r
        failed = [w for w in r.json['webhooks'] if not w['ok']]
        assert [w['name'] for w in failed] == ['bad'], r
        assert '93000' in str(failed[0]['error']), r


def case_slow_robot(srv):
    """A robot slower than the deadline: 504 from the relay by its
    deadline, well before the server's own timeout."""
    timeout_ms = 1000
    with MockRobot('feishu', delay=4 * timeout_ms / 1000) as slow:
        srv.set_config(config(hook('slow', slow), timeout_ms=timeout_ms))
        r = curl(event_url(srv), UPDATE)
        check(r, 504, srv)
        assert by_relay(r), r
        # curl's deadline, or at worst the alarm() backstop 2 s later.
        assert timeout_ms / 1000 <= r.seconds < timeout_ms / 1000 + 2.5, \
            'answered after %.2f s' % r.seconds
        assert r.json['webhooks'][0]['ok'] is False, r


def case_proxy_header(srv):
    """httpoxy: a client's Proxy: header must not become the relay's
    outgoing proxy."""
    with MockRobot('json') as bot, MockRobot('json') as proxy:
        srv.set_config(config(hook('raw', bot)))
        r = curl(event_url(srv), UPDATE, '-H',
                 'Proxy: http://127.0.0.1:%d' % proxy.port)
        check(r, 200, srv)
        assert len(bot.received) == 1
        assert proxy.received == [], 'went through the client\'s proxy'


def probe(cls, *curl_args):
    """What the server hands a CGI (probe.cgi in the relay's place, same
    shipped snippet) for the update event POSTed with curl_args."""
    with cls(config(), cgi=os.path.join(HERE, 'probe.cgi')) as srv:
        r = curl(event_url(srv), UPDATE, '-H', 'Proxy: http://192.0.2.1:3128',
                 *curl_args)
        check(r, 200, srv)
    env = dict(line.split('=', 1) for line in
               r.body.decode().splitlines() if '=' in line)
    assert env['BODY_BYTES'] == str(len(UPDATE)), env['BODY_BYTES']
    assert env['PGYER_RELAY_CONFIG'] == srv.config, env
    return env


def case_probe_environment(srv):
    """The server's side of the CGI contract: the config path is set,
    a client's Proxy: header is not passed on as HTTP_PROXY (httpoxy:
    Apache drops it, the nginx snippet blanks it), and a chunked body
    comes without CONTENT_LENGTH from Apache, with a computed one from
    nginx."""
    env = probe(type(srv))
    assert env.get('HTTP_PROXY', '') == '', 'HTTP_PROXY passed: %r' % env
    assert env['CONTENT_LENGTH'] == str(len(UPDATE)), env
    env = probe(type(srv), '-H', 'Transfer-Encoding: chunked')
    if isinstance(srv, servers.Apache):
        assert env.get('CONTENT_LENGTH', '') == '', env
    else:
        assert env['CONTENT_LENGTH'] == str(len(UPDATE)), env


# The allow-list lines of each snippet, as shipped (commented out).
ALLOW_LOOPBACK = {
    servers.Apache.snippet: [('#Require ip 127.0.0.1 ::1',
                              'Require ip 127.0.0.1 ::1')],
    servers.Nginx.snippet: [('#allow 127.0.0.1;', 'allow 127.0.0.1;'),
                            ('#deny all;', 'deny all;')],
}
ALLOW_OTHERS = {
    servers.Apache.snippet: [('#Require ip 203.0.113.0/24',
                              'Require ip 203.0.113.0/24')],
    servers.Nginx.snippet: [('#allow 203.0.113.0/24;',
                             'allow 203.0.113.0/24;'),
                            ('#deny all;', 'deny all;')],
}
# The FastCGI snippets have the same lines.
for _d in (ALLOW_LOOPBACK, ALLOW_OTHERS):
    _d[servers.ApacheFcgid.snippet] = _d[servers.Apache.snippet]
    _d[servers.NginxFastcgi.snippet] = _d[servers.Nginx.snippet]


def case_allow_list(srv):
    """The commented allow-list, uncommented as a user would: a listed
    address may POST (and still only POST: <RequireAll>), any other gets
    the server's 403."""
    cls = type(srv)
    with MockRobot('json') as bot:
        cfg = config(hook('raw', bot))
        with cls(cfg, edits=ALLOW_LOOPBACK[cls.snippet]) as s:
            check(curl(event_url(s), UPDATE), 200, s)
            r = curl(event_url(s), UPDATE, '-X', 'PUT')
            assert r.status in (403, 405) and not by_relay(r), r
        with cls(cfg, edits=ALLOW_OTHERS[cls.snippet]) as s:
            r = curl(event_url(s), UPDATE)
            check(r, 403, s)
            assert not by_relay(r), 'the relay answered: %s' % r
        assert len(bot.received) == 1


def read_bytes(path):
    with open(path, 'rb') as f:
        return f.read()


def post_all_kinds(srv, bot):
    """Events that reach the relay and are delivered or refused, and
    ones the server refuses itself; all with the right token."""
    srv.set_config(config(hook('raw', bot)))
    check(curl(event_url(srv), UPDATE), 200, srv)
    check(curl(event_url(srv), b'{"type": "updateVersion", '), 400, srv)
    check(curl(event_url(srv), None, '-H', 'Content-Type: text/plain',
               '--data-binary', 'x'), 415, srv)
    check(curl(event_url(srv), oversize(SERVER_LIMIT * 2)),
          400 if isinstance(srv, servers.ApacheFcgid) else 413, srv)
    check(curl(event_url(srv), None, '-X', 'GET'), 405, srv)


def leaks(srv):
    """The log files holding the token, each with whether the web
    server's user can read it."""
    return [(p, srv.readable_by_worker(p)) for p in srv.log_files()
            if TOKEN.encode() in read_bytes(p)]


def case_token_not_in_logs(srv):
    """The token, POSTed through the shipped setup, is in no log file
    the web server's user can read (any web application on the host
    could), and in none at all where the snippet's advice was followed
    (nginx; Debian's Apache with env=!pgyer_relay): only the plain
    Apache's access.log keeps it, root:adm 0640 in a 0750 directory.
    The relay's lines are all there, whole, and each request is in an
    access log without its query string."""
    with MockRobot('json') as bot:
        post_all_kinds(srv, bot)
        assert len(bot.received) == 1
    found = leaks(srv)
    assert not [p for p, readable in found if readable], \
        'www-data can read the token in %s' % found
    if type(srv) not in (servers.Apache, servers.ApacheFcgid):
        assert found == [], 'the token is in %s' % found
    else:
        assert [os.path.basename(p) for p, _ in found] == ['access.log'], \
            found
    lines = srv.relay_log()
    want = ['pgyer-relay: app=%s type=updateVersion webhook="raw" '
            'delivered ms=' % APP,
            'pgyer-relay: 200 app=%s type=updateVersion webhooks=1 ms=' % APP,
            'pgyer-relay: 400 invalid JSON: ',
            'pgyer-relay: 415 Content-Type must be application/json']
    for w in want:
        assert any(line.startswith(w) for line in lines), \
            'no %r in the relay log:\n%s' % (w, '\n'.join(lines))
    assert all(line.startswith('pgyer-relay: ') for line in lines), lines
    access = b''.join(read_bytes(p) for p in srv.log_files()
                      if 'access' in os.path.basename(p))
    assert b'"POST /pgyer-relay HTTP/1.1" 200 ' in access, access[-600:]


def case_stderr_log(srv):
    """"log": "stderr" (the default when the config has none): Apache's
    error log carries the relay's lines and no request line, so no
    token; nginx drops them in this location (they would carry it)."""
    with MockRobot('json') as bot:
        cfg = config(hook('raw', bot))
        cfg['log'] = 'stderr'
        srv.set_config(cfg)
        check(curl(event_url(srv), UPDATE), 200, srv)
        assert len(bot.received) == 1
    found = leaks(srv)
    if isinstance(srv, servers.Apache):
        err = read_bytes(srv.path('log', 'error.log')).decode('utf-8')
        assert 'webhook=\"raw\" delivered' in err or \
            'webhook="raw" delivered' in err, err[-1500:]
        found = [(p, r) for p, r in found
                 if os.path.basename(p) != 'access.log']
    assert found == [], 'the token is in %s' % found


CASES = [case_starts, case_parallel, case_chunked, case_oversize_relay,
         case_oversize_server, case_bad_json, case_unknown_app,
         case_wrong_token, case_get, case_config_unreadable,
         case_robot_fails, case_slow_robot,
         case_proxy_header, case_probe_environment, case_allow_list,
         case_token_not_in_logs, case_stderr_log]



# --- the FastCGI mode ---

def case_config_edited(srv):
    """The config edited while the workers run: the next request uses
    it; a broken edit is logged and the last good config serves on."""
    with MockRobot('json') as a, MockRobot('json') as b:
        srv.set_config(config(hook('a', a)))
        check(curl(event_url(srv), UPDATE), 200, srv)
        srv.set_config(config(hook('b', b)))
        check(curl(event_url(srv), UPDATE), 200, srv)
        assert (len(a.received), len(b.received)) == (1, 1)
        with open(srv.config, 'w') as f:
            f.write('{"apps": ')
        # The last good config, b, in every worker: none answers with a
        # (a worker that served nothing since a), nor without one.
        for _ in range(6):
            check(curl(event_url(srv), UPDATE), 200, srv)
        assert (len(a.received), len(b.received)) == (1, 7), \
            'not the last good config: %d to a, %d to b' % (
                len(a.received), len(b.received))
        assert any('not reloaded' in line for line in srv.relay_log()), \
            srv.log()[-1500:]


def case_robot_restarted(srv):
    """A robot restarted between two requests (the connection the
    worker kept is gone): both delivered."""
    first = MockRobot('wecom', keepalive=True)
    port = first.port
    try:
        srv.set_config(config(hook('wecom', first)))
        check(curl(event_url(srv), UPDATE), 200, srv)
    finally:
        first.close()
    with MockRobot('wecom', keepalive=True, port=port) as second:
        for _ in range(3):
            r = curl(event_url(srv), UPDATE)
            check(r, 200, srv)
            assert r.json['delivered'] == 1, r
        assert len(second.received) == 3


FASTCGI_CASES = [c for c in CASES if c not in (
    # The CGI's own contract (probe.cgi is a CGI), and a first read:
    # the FastCGI workers keep the last good config (case_config_edited).
    case_probe_environment, case_config_unreadable, case_stderr_log)] + \
    [case_config_edited, case_robot_restarted]

for cls in (servers.Apache, servers.DebianApache, servers.Nginx):
    for fn in CASES:
        harness.add('%s: %s' % (cls.name, fn.__name__[5:].replace('_', ' ')),
                    lambda fn=fn, cls=cls: fn(server(cls)))
for cls in (servers.ApacheFcgid, servers.NginxFastcgi):
    for fn in FASTCGI_CASES:
        harness.add('%s: %s' % (cls.name, fn.__name__[5:].replace('_', ' ')),
                    lambda fn=fn, cls=cls: fn(server(cls)))


def until(cond, what, timeout=30):
    """Waits for cond() (a state other processes reach)."""
    end = time.monotonic() + timeout
    while not cond():
        assert time.monotonic() < end, 'timed out waiting for ' + what
        time.sleep(0.01)


def worker_killed():
    """A worker killed while a robot holds its request: nginx answers
    502, the record is in the spool for --drain, the supervisor starts
    another worker, which serves the next request."""
    with MockRobot('json', mode='hang') as hung, MockRobot('json') as ok:
        cfg = config(hook('raw', hung))
        with servers.NginxFastcgi(cfg) as srv:
            spool = srv.path('spool')
            os.mkdir(spool, 0o700)
            os.chown(spool, srv.user.pw_uid, srv.user.pw_gid)
            cfg['spool_dir'] = spool
            srv.set_config(cfg)
            before = srv.relay_workers()
            got = {}
            t = threading.Thread(target=lambda: got.update(
                r=curl(event_url(srv), UPDATE)))
            t.start()
            until(lambda: hung.received, 'the robot to be reached')
            busy = [pid for pid in before if pid in srv.relay_workers()]
            for pid in busy:
                # The one holding the request: its connection to the robot.
                os.kill(pid, signal.SIGKILL)
            t.join(60)
            check(got['r'], 502, srv)
            assert not by_relay(got['r']), got['r']
            assert len(os.listdir(spool)) >= 1, os.listdir(spool)
            until(lambda: len(srv.relay_workers()) == srv.workers and
                  set(srv.relay_workers()) != set(before), 'new workers')
            cfg['apps'][APP]['webhooks'] = [hook('raw', ok)]
            srv.set_config(cfg)
            check(curl(event_url(srv), UPDATE), 200, srv)


def rss_kib(pid):
    with open('/proc/%d/status' % pid) as f:
        for line in f:
            if line.startswith('VmRSS:'):
                return int(line.split()[1])
    raise AssertionError('no VmRSS for %d' % pid)


class OneWorker(servers.NginxFastcgi):
    workers = 1


def memory_flat():
    """20 000 requests through nginx to one worker: its RSS after them
    within 1 MiB of its RSS after the first 1 000."""
    import http.client
    with MockRobot('json', keepalive=True) as bot:
        with OneWorker(config(hook('raw', bot))) as srv:
            conn = http.client.HTTPConnection('127.0.0.1', srv.port,
                                              timeout=30)
            path = '/pgyer-relay?app=%s&token=%s' % (APP, TOKEN)

            def post(n):
                for _ in range(n):
                    conn.request('POST', path, UPDATE, {
                        'Content-Type': 'application/json'})
                    r = conn.getresponse()
                    r.read()
                    assert r.status == 200, r.status
            post(1000)
            pid, = srv.relay_workers()
            after_1k = rss_kib(pid)
            post(19000)
            after_20k = rss_kib(pid)
            assert srv.relay_workers() == [pid], 'the worker was replaced'
            assert after_20k - after_1k <= 1024, \
                'RSS %d KiB after 1 000, %d KiB after 20 000' % (
                    after_1k, after_20k)
            assert bot.connections == 1, bot.connections
            conn.close()


harness.add('nginx-fastcgi: worker killed mid-request', worker_killed)
harness.add('nginx-fastcgi: memory flat over 20 000 requests', memory_flat)

def forgot_a2enmod():
    """a2enconf without a2enmod cgid: Apache refuses to start and says
    what to do, rather than serve the program as a file."""
    class Forgot(servers.DebianApache):
        a2enmod = []
    try:
        with Forgot(config()):
            pass
    except servers.ServerError as e:
        assert 'a2enmod cgid' in str(e), e
    else:
        raise AssertionError('Apache started without a CGI module')


harness.add('apache-debian: forgot a2enmod cgid', forgot_a2enmod)

if __name__ == '__main__':
    servers.exit_on_signals()
    try:
        harness.main()
    finally:
        stop_all()
