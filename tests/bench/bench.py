#!/usr/bin/env python3
"""make bench: pgyer-relay's speed and memory against references measured
in the same run.  Prints one table; every figure has its ratio to
a reference from this run, and every target says PASS or FAIL.

Sections (BENCH_ONLY picks some, e.g. BENCH_ONLY="cpu ir"):
  cpu     CPU (user+sys of the child, from wait4) and wall per request,
          median of BENCH_N runs, each program run directly as a CGI;
  ir      the same requests under valgrind --tool=callgrind: instructions
          (user space only: the kernel's exec and page faults are not
          counted), repeatable whatever the machine is doing;
  fanout  3 robots each answering after 200 ms: total wall;
  rss     peak RSS (ru_maxrss) for a 1 KiB body and a max_body_bytes body;
  journal the 1-robot path with spool_dir (the write-ahead journal's
          fsyncs) next to the same without: CPU and wall;
  tls     an HTTPS robot (test CA made here with openssl);
  redis   the 1-robot path with the shared rules in Redis (state_url,
          a redis-server started here) next to the same in state_dir;
  wrk     throughput through nginx + fcgiwrap (BENCH_FCGI_CHILDREN
          children), php-cgi and Debian's webhook under the same load;
  fastcgi the relay's FastCGI mode through nginx against php-cgi -b, the
          relay as a CGI and the trivial CGI, robots an nginx fast
          enough not to be the bottleneck (benchfcgi.py).

Environment: CGI (the relay, default cgi-bin/pgyer-relay.cgi), BENCH_N
(21), BENCH_IR_RUNS (1), BENCH_WRK_SECONDS (8), BENCH_WRK_CONNS (8),
BENCH_FCGI_CHILDREN (4), BENCH_DIR (keep the work directory there),
BENCH_CURL_STATIC (a trimmed libcurl built by static-curl.sh: adds its
floor, with the aim of <= 4x the trivial CGI), BENCH_STRICT=1
(exit 1 when a target fails).
A row whose tool is missing is skipped and says so.
"""
import json
import os
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time

sys.dont_write_bytecode = True     # leave no __pycache__ in the tree
HERE = os.path.dirname(os.path.abspath(__file__))
TOP = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, os.path.join(TOP, 'tests', 'lib'))
sys.path.insert(0, HERE)

from cgirun import EVENT                   # noqa: E402
from mockrobot import MockRobot           # noqa: E402
import benchlib as bl                      # noqa: E402

N = int(os.environ.get('BENCH_N', '21'))
IR_RUNS = int(os.environ.get('BENCH_IR_RUNS', '1'))
ONLY = os.environ.get('BENCH_ONLY',
                      'cpu ir fanout rss journal tls redis wrk '
                      'fastcgi').split()
CGI = os.path.abspath(os.path.join(TOP, os.environ.get(
    'CGI', 'cgi-bin/pgyer-relay.cgi')))

APP = 'oooplay_test'          # cgirun.EVENT's link ends in it
TOKEN = 'bench-token'
MAX_BODY = 65536
DELAY = 0.2                 # the fan-out robots' answer time, seconds

def event_body(size=1024, **change):
    """The event as JSON, padded with notes to exactly size bytes."""
    ev = dict(EVENT, **change)
    base = json.dumps(ev, ensure_ascii=False).encode()
    ev['notes'] = 'n' * (size - len(base))
    body = json.dumps(ev, ensure_ascii=False).encode()
    assert len(body) == size, (len(body), size)
    return body


class Robots:
    """The loopback mock robots every program in the run posts to."""

    def __init__(self, tls=None):
        self.all = []
        self.one = self._bot('wecom', token='k-one')
        self.three = [
            self._bot('wecom', token='k-w'),
            self._bot('dingtalk', token='k-d', secret='SECd',
                      keyword='应用'),
            self._bot('feishu', token='k-f', secret='secf'),
        ]
        self.slow = [self._bot(k, token='k-s', delay=DELAY)
                     for k in ('wecom', 'dingtalk', 'feishu')]
        # Over HTTPS (tls: the test CA's server context): one robot
        # taking three tokens, as three webhooks of one robot would be,
        # and the kinds of 'three'.
        self.tls = self.tls3 = None
        self.tls_three = []
        if tls is not None:
            self.tls = self._bot('wecom', token='k-tls', tls=tls,
                                 tokens=['k-tls%d' % i for i in range(3)])
            self.tls3 = [self.tls.url_for('k-tls%d' % i) for i in range(3)]
            self.tls_three = [
                self._bot(b.kind, token=b.token + '-tls', secret=b.secret,
                          keyword=b.keyword, tls=tls) for b in self.three]

    def _bot(self, kind, **kw):
        b = MockRobot(kind, **kw)
        self.all.append(b)
        return b

    def close(self):
        for b in self.all:
            b.close()


def webhook(name, bot, events=('*',), url=None):
    w = {'name': name, 'type': bot.kind, 'url': url or bot.url,
         'events': list(events)}
    if bot.secret:
        w['secret'] = bot.secret
    if bot.keyword:
        w['keyword'] = bot.keyword
    return w


def relay_config(robots):
    """One config for every case: apps are picked with ?app=."""
    apps = {
        # 1 robot; its only webhook takes updates, so a feedback event
        # has no subscriber.
        APP: {'token': TOKEN, 'webhooks': [
            webhook('one', robots.one, ['updateVersion'])]},
        'three': {'token': TOKEN, 'webhooks': [
            webhook(b.kind, b) for b in robots.three]},
        'slow': {'token': TOKEN, 'webhooks': [
            webhook(b.kind, b) for b in robots.slow]},
    }
    if robots.tls is not None:
        apps['tls'] = {'token': TOKEN, 'webhooks': [
            webhook('tls', robots.tls, url=robots.tls.url)]}
    return {'timeout_ms': 5000, 'max_body_bytes': MAX_BODY,
            'timezone': 'Asia/Shanghai', 'language': 'zh', 'proxy': '',
            'apps': apps}


def query(app, token=TOKEN):
    return 'app=%s&token=%s' % (app, token)


def main():
    work = os.environ.get('BENCH_DIR') or tempfile.mkdtemp(
        prefix='pgyer-relay-bench.')
    os.makedirs(work, exist_ok=True)
    table = bl.Table()
    robots = None
    try:
        refs = bl.build_references(work)
        ca = bl.TestCA(os.path.join(work, 'ca'))
        robots = Robots(bl.tls_server_context(ca) if ca.ok else None)
        cfg_path = os.path.join(work, 'config.json')
        with open(cfg_path, 'w') as f:
            json.dump(relay_config(robots), f, ensure_ascii=False, indent=1)
        ctx = bl.Context(work, refs, robots, cfg_path, table, ca)
        relay_ok = bl.relay_status(CGI, cfg_path, table)
        if 'cpu' in ONLY or 'ir' in ONLY:
            cpu_and_ir(ctx, relay_ok)
        if 'fanout' in ONLY:
            fanout(ctx, relay_ok)
        if 'rss' in ONLY:
            rss(ctx, relay_ok)
        if 'journal' in ONLY:
            journal(ctx, relay_ok)
        if 'tls' in ONLY:
            tls(ctx, relay_ok)
        if 'redis' in ONLY:
            redis(ctx, relay_ok)
        if 'wrk' in ONLY:
            import benchwrk
            benchwrk.throughput(ctx, relay_ok)
        if 'fastcgi' in ONLY:
            import benchfcgi
            benchfcgi.throughput(ctx, relay_ok)
    finally:
        if robots is not None:
            robots.close()
        table.show()
        if not os.environ.get('BENCH_DIR'):
            shutil.rmtree(work, ignore_errors=True)
    # BENCH_STRICT=1: a failed target fails the run (for a CI gate).
    if os.environ.get('BENCH_STRICT') == '1' and table.failed():
        return 1
    return 0


def cases(ctx):
    """(row name, query, body, expected status, reference, target)."""
    ev = event_body()
    fb = event_body(type='feedback')
    return [
        ('reject: wrong token', query(APP, 'wrong'), ev, 403, 'floor', 1.5),
        ('no subscriber', query(APP), fb, 200, 'floor', 1.5),
        ('1 robot', query(APP), ev, 200, 'curl', 1.25),
        ('3 robots', query('three'), ev, 200, 'curl', 1.5),
    ]


def cpu_and_ir(ctx, relay_ok):
    t = ctx.table
    ev = event_body()
    three = ' '.join(b.url for b in ctx.robots.three)
    refs = [
        ('floor', 'trivial C CGI', ctx.refs.get('floor'), {}),
        ('crypto', 'links libcrypto+yajl', ctx.refs.get('cryptofloor'), {}),
        ('curl', 'links+inits libcurl', ctx.refs.get('curlfloor'), {}),
        ('post1', 'libcurl, 1 POST only', ctx.refs.get('curlpost'),
         {'BENCH_URLS': ctx.robots.one.url}),
        ('post3', 'libcurl, 3 POSTs only', ctx.refs.get('curlpost'),
         {'BENCH_URLS': three}),
    ]
    if ctx.refs.get('curlfloor-static'):
        refs += [
            ('static', 'trimmed static libcurl, links+inits',
             ctx.refs['curlfloor-static'], {}),
            ('static1', 'trimmed static libcurl, 1 POST',
             ctx.refs.get('curlpost-static'),
             {'BENCH_URLS': ctx.robots.one.url}),
        ]
    php = shutil.which('php-cgi')
    php_cases = (('reject: wrong token', query(APP, 'wrong'), 403),
                 ('1 robot', query(APP), 200),
                 ('3 robots', query('three'), 200))
    for metric in ('cpu', 'ir'):
        if metric not in ONLY:
            continue
        if metric == 'ir' and not shutil.which('valgrind'):
            t.skip('Ir rows', 'valgrind not installed')
            continue
        sec = 'CPU per request (user+sys of the child, median of %d, ' \
            'all programs in turn)' % N if metric == 'cpu' else \
            'Instructions per request (callgrind Ir, user space only)'
        t.section(sec)
        # Every program of the section is measured in the same rounds
        # (measure_many): a ratio then compares runs made side by side.
        jobs = [([prog], env, ev, 'app=' + APP, 200)
                for _, _, prog, env in refs if prog is not None]
        if relay_ok:
            jobs += [([CGI], {}, body, q, want)
                     for _, q, body, want, _, _ in cases(ctx)]
        if metric == 'cpu' and php:
            jobs += [([os.path.join(HERE, 'relay.php')], {}, ev, q, want)
                     for _, q, want in php_cases]
        got = iter(ctx.measure_many(metric, jobs))
        for key, label, prog, env in refs:
            if prog is None:
                t.skip('ref: ' + label, 'could not be built')
                continue
            m = next(got)
            ctx.ref[(metric, key)] = m
            if key in ('static', 'static1'):
                # The aim for a trimmed libcurl: <= 4x the floor
                # (CPU; Ir misses the kernel time of the floor).
                t.row('ref: ' + label, metric, m,
                      ctx.ref.get((metric, 'floor')), 'floor',
                      4.0 if metric == 'cpu' else None)
            else:
                t.row('ref: ' + label, metric, m)
        for name, q, body, want, ref, target in cases(ctx):
            if not relay_ok:
                t.skip('relay: ' + name, 'the relay does not work yet')
                continue
            m = next(got)
            base = ctx.ref.get((metric, ref))
            note = ''
            if name == '3 robots':
                # What the libcurl reference does not do: see the "2
                # signed" HTTPS row for what it costs next to TLS.
                note = '2 of 3 signed (HMAC-SHA256 sets up OpenSSL)'
            if metric == 'ir' and ref == 'floor':
                # The floor's cost is mostly the kernel's (exec, page
                # faults), which callgrind does not see: its Ir is tiny
                # and a ratio to it says nothing about the CPU target.
                target, note = None, 'no verdict: Ir misses the ' \
                    'kernel time that is most of the floor'
            t.row('relay: ' + name, metric, m, base, ref, target,
                  note=note)
            post = {'1 robot': 'post1', '3 robots': 'post3'}.get(name)
            if post and ctx.ref.get((metric, post)):
                t.row('  same vs libcurl sends only', metric, m,
                      ctx.ref[(metric, post)], post)
        if metric == 'cpu' and php:
            for name, q, want in php_cases:
                t.row('PHP php-cgi: ' + name, metric, next(got),
                      ctx.ref.get((metric, 'floor')), 'floor')
        elif metric == 'cpu':
            t.skip('PHP php-cgi rows', 'php-cgi not installed')


def fanout(ctx, relay_ok):
    t = ctx.table
    t.section('Fan-out: 3 robots each answering after %d ms (wall, median '
              'of %d)' % (DELAY * 1000, max(5, N // 2)))
    n = max(5, N // 2)
    ev = event_body()
    slow = ' '.join(b.url for b in ctx.robots.slow)
    robot = bl.Measure('wall', [DELAY] * 1, 'robot delay')
    prog = ctx.refs.get('curlpost')
    if prog:
        m = ctx.measure('wall', [prog], {'BENCH_URLS': slow}, ev,
                        'app=slow', 200, runs=n)
        t.row('ref: libcurl, 3 POSTs only', 'wall', m, robot, 'robot',
              None)
    if not relay_ok:
        t.skip('relay: fan-out', 'the relay does not work yet')
        return
    m = ctx.measure('wall', [CGI], {}, ev, query('slow'), 200, runs=n)
    t.row('relay: fan-out 3 x %d ms' % (DELAY * 1000), 'wall', m, robot,
          'slowest robot', 1.15)
    if shutil.which('php-cgi'):
        m = ctx.measure('wall', [os.path.join(HERE, 'relay.php')], {}, ev,
                        query('slow'), 200, runs=n)
        t.row('PHP php-cgi: fan-out', 'wall', m, robot, 'slowest robot')


def journal(ctx, relay_ok):
    """The price of durability: the 1-robot path with spool_dir (its
    record written, fsynced, renamed and the directory fsynced before the
    send, removed and the directory fsynced after) next to the same path
    without, run in turn.  No state_dir: the same event is sent again."""
    t = ctx.table
    n = max(5, N // 2)
    if not relay_ok:
        t.skip('relay: journaled 1 robot', 'the relay does not work yet')
        return
    cfg = relay_config(ctx.robots)
    cfg['spool_dir'] = os.path.join(ctx.work, 'spool')
    path = os.path.join(ctx.work, 'config-journal.json')
    with open(path, 'w') as f:
        json.dump(cfg, f, ensure_ascii=False, indent=1)
    ev = event_body()
    for metric in ('cpu', 'wall'):
        t.section('The journal: 1 robot, %s, median of %d, in turn' % (
            'CPU' if metric == 'cpu' else 'wall', n))
        plain, journaled = ctx.measure_many(metric, [
            ([CGI], {}, ev, query(APP), 200),
            ([CGI], {'PGYER_RELAY_CONFIG': path}, ev, query(APP), 200),
        ], runs=n)
        t.row('relay: 1 robot, no spool_dir', metric, plain)
        t.row('relay: 1 robot, journaled', metric, journaled, plain,
              'no spool_dir', note='3 fsyncs: the record, the directory '
              'twice' if metric == 'wall' else '')


def redis(ctx, relay_ok):
    """The shared rules' price: the 1-robot path (a WeCom robot: the
    duplicate claim, its settling and a rate slot) with state_url, over
    the unix socket and loopback TCP, next to the same with state_dir,
    run in turn.  A new event each run (a duplicate is not sent); fewer
    runs than the robot's 20 a minute.  Then the same under load in the
    FastCGI mode (benchfcgi.redis_throughput)."""
    from redisserver import RedisServer
    t = ctx.table
    n = min(15, max(5, N // 2))
    if not relay_ok:
        t.skip('relay: 1 robot, Redis state', 'the relay does not work yet')
        return
    try:
        rs = RedisServer()
    except AssertionError as e:
        t.skip('relay: 1 robot, Redis state', str(e))
        return
    # Its own robot, a token (so a rate bucket) per metric and store:
    # each sees fewer sends than the robot's 20 a minute.
    bot = MockRobot('wecom', token='k-redis0',
                    tokens=['k-redis%d' % i for i in range(1, 6)])
    try:
        os.makedirs(os.path.join(ctx.work, 'state'), 0o700, exist_ok=True)
        seq = [0]

        def fresh():
            seq[0] += 1
            return event_body(timestamp=1594781454 + seq[0])

        for i, metric in enumerate(('cpu', 'wall')):
            paths = {}
            for j, (name, top) in enumerate((
                    ('file', {'state_dir': os.path.join(ctx.work,
                                                        'state')}),
                    ('unix', {'state_url': rs.unix_url()}),
                    ('tcp', {'state_url': rs.tcp_url()}))):
                cfg = relay_config(ctx.robots)
                cfg['apps'][APP]['webhooks'] = [webhook(
                    'one', bot, ['updateVersion'],
                    url=bot.url_for('k-redis%d' % (3 * i + j)))]
                cfg.update(top)
                paths[name] = os.path.join(ctx.work, 'config-%s-%s.json'
                                           % (name, metric))
                with open(paths[name], 'w') as f:
                    json.dump(cfg, f, ensure_ascii=False, indent=1)
            t.section('Shared rules: 1 robot, %s, median of %d, in turn' % (
                'CPU' if metric == 'cpu' else 'wall', n))
            m = ctx.measure_many(metric, [
                ([CGI], {'PGYER_RELAY_CONFIG': paths[k]}, fresh,
                 query(APP), 200) for k in ('file', 'unix', 'tcp')],
                runs=n)
            t.row('relay: 1 robot, state_dir', metric, m[0])
            t.row('relay: 1 robot, Redis (unix socket)', metric, m[1], m[0],
                  'state_dir', 1.5, note='connect, 2 scripts, 1 SET')
            t.row('relay: 1 robot, Redis (loopback TCP)', metric, m[2], m[0],
                  'state_dir', 1.5)
        import benchfcgi
        benchfcgi.redis_throughput(ctx, rs)
    finally:
        bot.close()
        rs.close()


def rss(ctx, relay_ok):
    t = ctx.table
    t.section('Peak RSS (ru_maxrss, median of 5)')
    small, big = event_body(), event_body(MAX_BODY)
    for key in ('floor', 'curlfloor'):
        prog = ctx.refs.get(key)
        if prog:
            m = ctx.measure('rss', [prog], {}, small, '', 200, runs=5)
            ctx.ref[('rss', key)] = m
            t.row('ref: %s, 1 KiB body' % key, 'rss', m)
    if not relay_ok:
        t.skip('relay: RSS', 'the relay does not work yet')
        return
    a = ctx.measure('rss', [CGI], {}, small, query(APP), 200, runs=5)
    b = ctx.measure('rss', [CGI], {}, big, query(APP), 200, runs=5)
    t.row('relay: 1 robot, 1 KiB body', 'rss', a,
          ctx.ref.get(('rss', 'curlfloor')), 'curlfloor')
    t.row('relay: 1 robot, %d B body' % MAX_BODY, 'rss', b, a,
          '1 KiB body', 1.10)
    r = ctx.measure('rss', [CGI], {}, big, query(APP, 'wrong'), 403, runs=5)
    t.row('relay: reject, %d B body' % MAX_BODY, 'rss', r,
          ctx.ref.get(('rss', 'floor')), 'floor')


def tls_configs(ctx):
    """The relay's config with a trust setting: {'file': path to a config
    with "ca_file" = the test CA, 'dir': one with "ca_path" = the hashed
    directory (Debian's links + the test CA's)}.  Top-level keys: they
    replace the system's trust for every robot, hence configs of their
    own, given to the relay through PGYER_RELAY_CONFIG.  They also have
    the apps of 3 HTTPS robots, which the main config leaves out (its
    size is part of every request's cost)."""
    with open(ctx.cfg) as f:
        base = json.load(f)
    bot = ctx.robots.tls
    base['apps']['tls3'] = {'token': TOKEN, 'webhooks': [
        webhook('tls%d' % i, bot, url=u)
        for i, u in enumerate(ctx.robots.tls3)]}
    # The kinds of 'three' (two of them signed) over HTTPS.
    base['apps']['tls3s'] = {'token': TOKEN, 'webhooks': [
        webhook(b.kind, b) for b in ctx.robots.tls_three]}
    out = {}
    for key, extra in (('file', {'ca_file': ctx.ca.cert}),
                       ('dir', {'ca_path': ctx.ca.hashdir})):
        path = os.path.join(ctx.work, 'config-tls-%s.json' % key)
        with open(path, 'w') as f:
            json.dump(dict(base, **extra), f, ensure_ascii=False, indent=1)
        out[key] = path
    return out


def tls(ctx, relay_ok):
    t = ctx.table
    t.section('libcurl start-up: TLS, certificates, names (CPU, median '
              'of %d, all programs in turn; HTTPS robot on loopback with '
              'a test CA)' % N)
    if not ctx.ca.ok:
        t.skip('HTTPS rows', 'openssl could not make a test CA')
        return
    ev = event_body()
    prog = ctx.refs.get('curlpost')
    bot = ctx.robots.tls
    base = ctx.ref.get(('cpu', 'curl'))
    one, three = bot.url, ' '.join(ctx.robots.tls3)
    http = ctx.robots.one
    # libcurl alone: (key, label, BENCH_URLS, CA settings, status).
    sends = [
        # The CA loading variants: the test CA alone (what the relay's
        # "ca_file" does), the test CA in a copy of Debian's bundle (what
        # libcurl's default costs), a hashed directory like /etc/ssl/certs
        # (looked up, not loaded: what the relay does by default).
        ('file1', '1 HTTPS POST, CAINFO = test CA only', one,
         {'BENCH_CAINFO': ctx.ca.cert, 'BENCH_CAPATH': ''}, 200),
        ('bundle1', '1 HTTPS POST, CAINFO = Debian bundle + test CA', one,
         {'BENCH_CAINFO': ctx.ca.bundle, 'BENCH_CAPATH': ''}, 200),
        ('dir1', '1 HTTPS POST, CAPATH = hashed dir, no CAINFO', one,
         {'BENCH_CAINFO': '', 'BENCH_CAPATH': ctx.ca.hashdir}, 200),
        # libcurl's defaults: Debian's bundle and /etc/ssl/certs.  The
        # test CA is in neither, so verification fails, but only after
        # the bundle is loaded and the handshake is done.
        ('default1', '1 HTTPS POST, defaults (fails verify)', one, {},
         502),
        # The relay's default trust: /etc/ssl/certs without the bundle.
        # It fails verification the same way (the test CA is not there).
        ('sysdir1', '1 HTTPS POST, CAPATH = /etc/ssl/certs, no CAINFO '
         '(fails verify)', one,
         {'BENCH_CAINFO': '', 'BENCH_CAPATH': bl.DEBIAN_CERTS}, 502),
        # Certificates are loaded once per multi handle (curl >= 7.87
        # caches the store): 3 HTTPS robots pay the bundle once.
        ('default3', '3 HTTPS POSTs, defaults (fails verify)', three, {},
         502),
        ('file3', '3 HTTPS POSTs, CAINFO = test CA only', three,
         {'BENCH_CAINFO': ctx.ca.cert, 'BENCH_CAPATH': ''}, 200),
        ('dir3', '3 HTTPS POSTs, CAPATH = hashed dir, no CAINFO', three,
         {'BENCH_CAINFO': '', 'BENCH_CAPATH': ctx.ca.hashdir}, 200),
        # Name resolution: an IP literal needs none; "localhost" goes
        # through curl's resolver thread and NSS (/etc/hosts), which is
        # the local part of what a robot's host name costs.
        ('ip', '1 POST to http://127.0.0.1', http.url, {}, 200),
        ('name', '1 POST to http://localhost',
         http.url.replace('127.0.0.1', 'localhost'), {}, 200),
    ] if prog else []
    # The relay delivering over HTTPS, each against libcurl doing only
    # the same sends with the same trust (the rows above):
    # (name, config, app, status, libcurl row).
    relay = []
    if relay_ok:
        cfgs = tls_configs(ctx)
        relay = [
            ('1 HTTPS robot, ca_file = test CA', cfgs['file'], 'tls', 200,
             'file1'),
            ('3 HTTPS robots, ca_file = test CA', cfgs['file'], 'tls3',
             200, 'file3'),
            # Signing under TLS: OpenSSL's provider set-up that the first
            # HMAC pays on plain HTTP ("3 robots" above) is TLS's anyway.
            ('3 HTTPS robots, 2 signed, ca_file = test CA', cfgs['file'],
             'tls3s', 200, 'file3'),
            ('1 HTTPS robot, ca_path = hashed dir', cfgs['dir'], 'tls',
             200, 'dir1'),
            # No CA key: what an installation gets.  The test CA is not
            # in /etc/ssl/certs, so this is a 502 after the handshake;
            # its cost is that of the default trust, not of a delivery.
            ('1 HTTPS robot, default trust (fails verify)', ctx.cfg,
             'tls', 502, 'sysdir1')]
    jobs = [([prog], dict(env, BENCH_URLS=urls), ev, 'app=tls', want)
            for _, _, urls, env, want in sends]
    jobs += [([CGI], {'PGYER_RELAY_CONFIG': cfg}, ev, query(app), want)
             for _, cfg, app, want, _ in relay]
    got = iter(ctx.measure_many('cpu', jobs))
    done = {}
    for key, label, _, _, _ in sends:
        done[key] = m = next(got)
        t.row('ref: libcurl ' + label, 'cpu', m, base, 'curl')
    for name, _, _, _, ref in relay:
        m = next(got)
        t.row('relay: ' + name, 'cpu', m, base, 'curl')
        if done.get(ref):
            t.row('  same vs libcurl sends only', 'cpu', m, done[ref], ref)
    if not relay_ok:
        t.skip('relay: HTTPS robots', 'the relay does not work yet')


if __name__ == '__main__':
    sys.exit(main())
