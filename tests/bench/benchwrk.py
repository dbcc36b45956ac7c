"""Throughput under load: wrk POSTing events through nginx + fcgiwrap
(started by the end-to-end tests' own module, from the shipped snippet),
against the trivial CGI on the same stack, and what users would deploy
instead under the same load: php-cgi (as a CGI, and as a persistent
FastCGI server like php-fpm) and Debian's webhook running a shell script
that calls curl.
"""
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request

import benchlib as bl

HERE = os.path.dirname(os.path.abspath(__file__))
TOP = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, os.path.join(TOP, 'tests', 'lib'))
from ports import free_port  # noqa: E402
SECONDS = int(os.environ.get('BENCH_WRK_SECONDS', '8'))
CONNS = int(os.environ.get('BENCH_WRK_CONNS', '8'))
CHILDREN = int(os.environ.get('BENCH_FCGI_CHILDREN', '4'))


def _servers():
    sys.path.insert(0, os.path.join(TOP, 'tests', 'e2e'))
    try:
        import servers
    except ImportError as e:
        return None, str(e)
    return servers, None


def bench_nginx(servers):
    class BenchNginx(servers.Nginx):
        """The end-to-end tests' nginx + fcgiwrap with CHILDREN fcgiwrap
        children (fcgiwrap -c; Debian's socket unit starts one), or with
        php-cgi -b (PHP_FCGI_CHILDREN) in fcgiwrap's place."""

        def __init__(self, config, cgi, php_fastcgi=False):
            self.php_fastcgi = php_fastcgi
            super().__init__(config, cgi=cgi)

        def spawn(self, name, argv, log, **kw):
            if name == 'fcgiwrap' and self.php_fastcgi:
                sock = argv[-1][len('unix:'):]
                argv = [shutil.which('php-cgi'), '-b', sock]
                kw['env'] = dict(kw.get('env') or {},
                                 PHP_FCGI_CHILDREN=str(CHILDREN),
                                 PHP_FCGI_MAX_REQUESTS='0')
            elif name == 'fcgiwrap':
                argv = argv[:1] + ['-c', str(CHILDREN)] + argv[1:]
            return super().spawn(name, argv, log, **kw)

    return BenchNginx


def lua_script(work, body):
    """wrk needs a script to POST a body."""
    bpath = os.path.join(work, 'wrk-body.json')
    with open(bpath, 'wb') as f:
        f.write(body)
    spath = os.path.join(work, 'post.lua')
    with open(spath, 'w') as f:
        f.write('wrk.method = "POST"\n'
                'wrk.headers["Content-Type"] = "application/json"\n'
                'local f = assert(io.open(%s, "rb"))\n'
                'wrk.body = f:read("*a")\n'
                'f:close()\n' % json.dumps(bpath))
    return spath


def post(url, body):
    req = urllib.request.Request(url, data=body, method='POST', headers={
        'Content-Type': 'application/json'})
    try:
        with urllib.request.urlopen(req, timeout=30) as r:
            return r.status, r.read()
    except urllib.error.HTTPError as e:
        return e.code, e.read()
    except OSError as e:
        return None, str(e).encode()


def wrk(url, script, want, seconds=None):
    """Runs wrk (for seconds, default BENCH_WRK_SECONDS); a Measure of
    requests/s with p50/p99 latency in label, bad when answers were not
    all `want`."""
    p = subprocess.run(['wrk', '-t', '2', '-c', str(CONNS), '-d',
                        '%ds' % (seconds or SECONDS), '--latency', '-s',
                        script, url],
                       capture_output=True, text=True)
    out = p.stdout
    rps = re.search(r'Requests/sec:\s+([\d.]+)', out)
    total = re.search(r'(\d+) requests in', out)
    non2xx = re.search(r'Non-2xx or 3xx responses: (\d+)', out)
    errors = re.search(r'Socket errors: (.*)', out)
    lat = dict(re.findall(r'^\s+(50|99)%\s+(\S+)', out, re.M))
    if rps is None or total is None:
        return bl.Measure('rps', [], bad='wrk: %s' % (
            p.stderr.strip() or out.strip())[:200])
    n, bad = int(total.group(1)), None
    k = int(non2xx.group(1)) if non2xx else 0
    if want < 300 and k:
        bad = '%d of %d answers not 2xx' % (k, n)
    elif want >= 300 and k != n:
        bad = '%d of %d answers 2xx, expected %d' % (n - k, n, want)
    if errors:
        bad = (bad + '; ' if bad else '') + 'socket errors: ' + \
            errors.group(1)
    return bl.Measure('rps', [float(rps.group(1))],
                      label='p50 %s, p99 %s, %d req' % (
                          lat.get('50', '?'), lat.get('99', '?'), n),
                      bad=bad)


def throughput(ctx, relay_ok):
    import bench
    t = ctx.table
    t.section('Throughput: wrk -t2 -c%d, %d s; nginx + fcgiwrap -c %d '
              '(req/s; ratio to the floor on the same stack)'
              % (CONNS, SECONDS, CHILDREN))
    if not shutil.which('wrk'):
        t.skip('throughput rows', 'wrk not installed (apt-get install wrk)')
        return
    servers, why = _servers()
    if servers is None:
        t.skip('nginx + fcgiwrap rows', 'tests/e2e/servers.py: %s' % why)
    body = bench.event_body()
    script = lua_script(ctx.work, body)
    config = json.load(open(ctx.cfg))
    floor = None
    q_one = bench.query(bench.APP)
    rows = [
        ('ref: trivial C CGI', ctx.refs.get('floor'), False, '', 200),
        ('ref: links+inits libcurl', ctx.refs.get('curlfloor'), False, '',
         200),
    ]
    if relay_ok:
        rows += [
            ('relay: reject: wrong token', bench.CGI, False,
             bench.query(bench.APP, 'wrong'), 403),
            ('relay: 1 robot', bench.CGI, False, q_one, 200),
            ('relay: 3 robots', bench.CGI, False, bench.query('three'), 200),
        ]
    else:
        t.skip('relay rows', 'the relay does not work yet')
    php = shutil.which('php-cgi')
    if php:
        rows += [
            ('PHP php-cgi as CGI: 1 robot', os.path.join(HERE, 'relay.php'),
             False, q_one, 200),
            ('PHP php-cgi -b (FastCGI, like php-fpm): 1 robot',
             os.path.join(HERE, 'relay.php'), True, q_one, 200),
        ]
    else:
        t.skip('PHP rows', 'php-cgi not installed (apt-get install '
               'php-cgi php-curl)')
    if servers is not None:
        cls = bench_nginx(servers)
        for name, prog, fastcgi, q, want in rows:
            if prog is None:
                t.skip(name, 'not built')
                continue
            try:
                with cls(config, prog, php_fastcgi=fastcgi) as srv:
                    url = srv.url + '?' + q
                    st, reply = post(url, body)
                    if st != want:
                        t.skip(name, 'answered %s, expected %s: %s' % (
                            st, want, reply[:100]))
                        continue
                    m = wrk(url, script, want)
            except servers.ServerError as e:
                t.skip(name, 'server: %s' % str(e).splitlines()[0])
                continue
            if name == 'ref: trivial C CGI':
                floor = m
            t.row(name, 'rps', m, floor if m is not floor else None,
                  'floor' if m is not floor else '', note=m.label)
    webhook_row(ctx, script, body, floor)


def webhook_hooks(work, token):
    """adnanh/webhook's hooks file: ?token= must match; the event's
    fields go to the script as PGYER_* variables."""
    fields = ('type', 'title', 'action', 'message', 'link', 'os_version',
              'build_version', 'device_type')
    hooks = [{
        'id': 'pgyer',
        'execute-command': os.path.join(HERE, 'webhook-relay.sh'),
        'command-working-directory': work,
        'include-command-output-in-response': True,
        'http-methods': ['POST'],
        'pass-environment-to-command': [
            {'source': 'payload', 'name': f,
             'envname': 'PGYER_' + f.upper()} for f in fields],
        'trigger-rule': {'match': {
            'type': 'value', 'value': token,
            'parameter': {'source': 'url', 'name': 'token'}}},
        'trigger-rule-mismatch-http-response-code': 403,
    }]
    path = os.path.join(work, 'hooks.json')
    with open(path, 'w') as f:
        json.dump(hooks, f, indent=1)
    return path


def webhook_row(ctx, script, body, floor):
    import bench
    t = ctx.table
    exe = shutil.which('webhook')
    if exe is None or shutil.which('curl') is None:
        t.skip('webhook + sh + curl: 1 robot', 'webhook or curl not '
               'installed (apt-get install webhook curl)')
        return
    port = free_port()
    hooks = webhook_hooks(ctx.work, bench.TOKEN)
    env = {'PATH': '/usr/bin:/bin', 'ROBOT_URLS': ctx.robots.one.url}
    log = open(os.path.join(ctx.work, 'webhook.log'), 'wb')
    p = subprocess.Popen([exe, '-hooks', hooks, '-ip', '127.0.0.1',
                          '-port', str(port)], env=env, stdout=log,
                         stderr=subprocess.STDOUT, start_new_session=True)
    try:
        url = 'http://127.0.0.1:%d/hooks/pgyer?token=%s' % (port,
                                                           bench.TOKEN)
        for _ in range(100):
            with socket.socket() as s:
                if s.connect_ex(('127.0.0.1', port)) == 0:
                    break
            time.sleep(0.05)
        st, reply = post(url, body)
        if st != 200 or not re.search(rb'"errcode":\s*0\b', reply):
            t.skip('webhook + sh + curl: 1 robot', 'answered %s: %s' % (
                st, reply[:100]))
            return
        m = wrk(url, script, 200)
        t.row('webhook + sh + curl: 1 robot', 'rps', m, floor, 'floor',
              note=m.label + '; no nginx in front')
    finally:
        os.killpg(p.pid, signal.SIGTERM)
        p.wait()
        log.close()
