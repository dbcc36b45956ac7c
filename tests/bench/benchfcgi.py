"""The FastCGI mode under load: wrk through nginx to the relay's own
workers (--fastcgi, as pgyer-relay.service runs them), next to php-cgi -b
running relay.php (as php-fpm would), the relay as a CGI behind fcgiwrap,
and the trivial CGI, all posting to robots fast enough not to be the
bottleneck: an nginx answering each robot's success JSON.  That nginx
logs every request with its connection number and whether its TLS
session was resumed, so the rows also say how many connections each
robot saw (keep-alive: at most one per worker) and, over HTTPS, how many
handshakes resumed a session.

Targets: FastCGI >= 2x PHP's requests/s and >= 10x the CGI mode's, with 1
and with 3 robots.
"""
import json
import os
import shutil
import subprocess
import tempfile

import benchlib as bl
import benchwrk as bw

# The success replies of https://developer.work.weixin.qq.com/document/path/91770,
# https://open.dingtalk.com/document/orgapp/custom-bot-send-message-type and
# https://open.feishu.cn/document/client-docs/bot-v3/add-custom-bot.
OK_WECOM = '{"errcode":0,"errmsg":"ok"}'
OK_FEISHU = ('{"StatusCode":0,"StatusMessage":"success","code":0,'
             '"data":{},"msg":"success"}')
# As many workers as PHP has children (BENCH_FCGI_CHILDREN): the same
# number of requests in progress at once.
WORKERS = bw.CHILDREN
# HTTPS robot: nginx closes a connection after this many requests, so
# that new connections are made and TLS session resumption shows.
TLS_KEEPALIVE_REQUESTS = 100


class FastRobot:
    """nginx answering the robots' success JSON over HTTP and HTTPS."""

    def __init__(self, work, ca, servers):
        self.dir = os.path.join(work, 'fastrobot')
        os.makedirs(os.path.join(self.dir, 'tmp'), exist_ok=True)
        self.log = os.path.join(self.dir, 'access.log')
        self.port = bw.free_port()
        self.tls_port = bw.free_port() if ca is not None and ca.ok else None
        # The test CA where the relay's user (www-data) can read it.
        self.pub = tempfile.mkdtemp(prefix='pgyer-relay-bench-ca.')
        os.chmod(self.pub, 0o755)
        self.ca_file = None
        if self.tls_port:
            self.ca_file = os.path.join(self.pub, 'ca.pem')
            shutil.copyfile(ca.cert, self.ca_file)
            os.chmod(self.ca_file, 0o644)
        tls = ''
        if self.tls_port:
            tls = """
    server {
        listen 127.0.0.1:%d ssl;
        ssl_certificate %s;
        ssl_certificate_key %s;
        ssl_session_cache shared:bench:1m;
        keepalive_requests %d;
        %s
    }""" % (self.tls_port, ca.server_cert, ca.server_key,
                TLS_KEEPALIVE_REQUESTS, self._locations())
        # The PHP relay opens a connection a request, thousands a
        # second; short of worker_connections, nginx closes idle
        # keep-alive connections to make room (logged at "warn":
        # "worker_connections are not enough, reusing connections"),
        # and the relay's workers would count new connections for it.
        conf = """
worker_processes 1;
daemon off;
pid %(d)s/nginx.pid;
error_log %(d)s/error.log warn;
worker_rlimit_nofile 20000;
events { worker_connections 8192; }
http {
    log_format bench '$server_port $connection $connection_requests '
                     '$ssl_session_reused $arg_who';
    access_log %(d)s/access.log bench;
    client_body_temp_path %(d)s/tmp;
    keepalive_requests 1000000;
    keepalive_timeout 300s;
    server {
        listen 127.0.0.1:%(port)d;
        %(loc)s
    }%(tls)s
}
""" % {'d': self.dir, 'port': self.port, 'loc': self._locations(),
       'tls': tls}
        path = os.path.join(self.dir, 'nginx.conf')
        with open(path, 'w') as f:
            f.write(conf)
        self.proc = subprocess.Popen(
            [servers.NGINX, '-e', os.path.join(self.dir, 'error.log'),
             '-c', path], stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL, start_new_session=True)
        for port in filter(None, (self.port, self.tls_port)):
            end = bw.time.monotonic() + 15
            while not servers._connects(servers.socket.AF_INET,
                                        ('127.0.0.1', port)):
                if self.proc.poll() is not None or \
                        bw.time.monotonic() > end:
                    raise servers.ServerError('robot nginx did not start')
                bw.time.sleep(0.02)

    @staticmethod
    def _locations():
        return ' '.join(
            'location %s { default_type application/json; '
            'return 200 \'%s\'; }' % (path, reply) for path, reply in (
                ('/cgi-bin/webhook/send', OK_WECOM),
                ('/robot/send', OK_WECOM),
                ('/open-apis/bot/v2/hook/', OK_FEISHU)))

    def urls(self, tls=False, who='-'):
        """Each robot's URL; who tags what the relay under test sends,
        so that since() counts only its requests."""
        base = 'http%s://127.0.0.1:%d' % ('s' if tls else '',
                                          self.tls_port if tls else
                                          self.port)
        return {'wecom': base + '/cgi-bin/webhook/send?key=k&who=' + who,
                'dingtalk': base + '/robot/send?access_token=k&who=' + who,
                'feishu': base + '/open-apis/bot/v2/hook/k?who=' + who}

    def mark(self):
        try:
            return os.path.getsize(self.log)
        except OSError:
            return 0

    def since(self, start, who):
        """(requests, the set of connections, resumed TLS sessions)
        logged since mark() said start, of those tagged who.  A CGI
        still running when its wrk run ended posts during the next
        server's run: the tag keeps it out of that server's count."""
        with open(self.log) as f:
            f.seek(start)
            lines = [x.split() for x in f.read().splitlines()]
        lines = [x for x in lines if x[4:] == [who]]
        conns = {(x[0], x[1]) for x in lines}
        resumed = sum(1 for x in lines if x[2] == '1' and x[3] == 'r')
        return len(lines), conns, resumed

    def close(self):
        self.proc.terminate()
        self.proc.wait()
        shutil.rmtree(self.pub, ignore_errors=True)


def config(robot, who):
    u = robot.urls(who=who)
    t = robot.urls(tls=True, who=who) if robot.tls_port else None

    def hooks(urls):
        return [{'name': 'wecom', 'type': 'wecom', 'url': urls['wecom'],
                 'events': ['*']},
                {'name': 'dingtalk', 'type': 'dingtalk',
                 'url': urls['dingtalk'], 'secret': 'SECd',
                 'events': ['*']},
                {'name': 'feishu', 'type': 'feishu', 'url': urls['feishu'],
                 'secret': 'secf', 'events': ['*']}]
    apps = {'one': {'token': 'bench-token', 'webhooks': hooks(u)[:1]},
            'three': {'token': 'bench-token', 'webhooks': hooks(u)}}
    cfg = {'timeout_ms': 5000, 'max_body_bytes': 65536, 'proxy': '',
           'timezone': 'Asia/Shanghai', 'language': 'zh', 'apps': apps}
    if t is not None:
        apps['tls'] = {'token': 'bench-token', 'webhooks': hooks(t)[:1]}
        cfg['ca_file'] = robot.ca_file
    return cfg


def throughput(ctx, relay_ok):
    import bench
    t = ctx.table
    t.section('FastCGI: wrk -t2 -c%d, %d s through nginx; robots: nginx '
              'answering success JSON (req/s; ratio to the reference)'
              % (bw.CONNS, bw.SECONDS))
    if not shutil.which('wrk'):
        t.skip('FastCGI rows', 'wrk not installed (apt-get install wrk)')
        return
    servers, why = bw._servers()
    if servers is None or not relay_ok:
        t.skip('FastCGI rows', why or 'the relay does not work yet')
        return
    try:
        robot = FastRobot(ctx.work, ctx.ca, servers)
    except (servers.ServerError, OSError) as e:
        t.skip('FastCGI rows', 'robot nginx: %s' % e)
        return
    try:
        _rows(ctx, bench, servers, robot)
    finally:
        robot.close()


# Each server's wrk runs alternate with the others' (ROUNDS each, of
# BENCH_WRK_SECONDS / ROUNDS), so that all share whatever else the
# machine is doing; the row shows the median run.
ROUNDS = 3


def _interleaved(servers, started, q, body, script, robot):
    """{key: (Measure, (requests, connections, resumed))} for started
    {key: server}, their runs alternating.  script: wrk's script, or a
    function of nothing giving a new one for each run."""
    seconds = max(2, bw.SECONDS // ROUNDS)
    runs = {key: [] for key in started}
    for _ in range(ROUNDS):
        for key, srv in started.items():
            start = robot.mark()
            m = bw.wrk(srv.url + '?' + q,
                       script() if callable(script) else script, 200,
                       seconds)
            runs[key].append((m, robot.since(start, key)))
    out = {}
    for key, rs in runs.items():
        bad = [m.bad for m, _ in rs if m.bad]
        good = sorted((r for r in rs if r[0].values),
                      key=lambda r: r[0].values[0])
        mid = good[len(good) // 2] if good else rs[0]
        fig = (sum(f[0] for _, f in rs),
               len(set().union(*(f[1] for _, f in rs))),
               sum(f[2] for _, f in rs))
        m = bl.Measure('rps', [x.values[0] for x, _ in good],
                       label=mid[0].label, bad=bad[0] if bad else None)
        # Every run's answered requests, for a check against the robot's.
        m.answered = sum(int(x) for r, _ in rs
                         for x in bw.re.findall(r'(\d+) req', r.label))
        out[key] = (m, fig)
    return out


def _rows(ctx, bench, servers, robot):
    t = ctx.table
    body = bench.event_body()
    script = bw.lua_script(ctx.work, body)
    php = os.path.join(bw.HERE, 'relay.php')
    nginx_cls = bw.bench_nginx(servers)

    class Fastcgi(servers.NginxFastcgi):
        workers = WORKERS

    kinds = [
        ('floor', 'ref: trivial C CGI',
         lambda: nginx_cls(config(robot, 'floor'),
                           ctx.refs.get('floor'))),
        ('cgi', 'relay as CGI (fcgiwrap -c %d)' % bw.CHILDREN,
         lambda: nginx_cls(config(robot, 'cgi'), bench.CGI)),
        ('php', 'PHP php-cgi -b (%d children)' % bw.CHILDREN,
         lambda: nginx_cls(config(robot, 'php'), php, php_fastcgi=True)),
        ('fcgi', 'relay FastCGI (%d workers)' % WORKERS,
         lambda: Fastcgi(config(robot, 'fcgi'), cgi=bench.CGI)),
    ]
    for app, n in (('one', 1), ('three', 3), ('tls', 1)):
        if app == 'tls' and robot.tls_port is None:
            t.skip('relay FastCGI: 1 HTTPS robot', 'no test CA (openssl)')
            continue
        q = 'app=%s&token=bench-token' % app
        what = '%d %srobot%s' % (n, 'HTTPS ' if app == 'tls' else '',
                                 's' if n > 1 else '')
        started, names = {}, {}
        try:
            for key, name, make in kinds:
                name = '%s: %s' % (name, what)
                if (key == 'floor' and app != 'one') or \
                        (app == 'tls' and key != 'fcgi'):
                    continue
                if key == 'floor' and ctx.refs.get('floor') is None:
                    t.skip(name, 'not built')
                    continue
                if key == 'php' and not shutil.which('php-cgi'):
                    t.skip(name, 'php-cgi not installed')
                    continue
                srv = make()
                try:
                    srv.start()
                except servers.ServerError as e:
                    srv.close()
                    t.skip(name, 'server: %s' % str(e).splitlines()[0])
                    continue
                st, reply = bw.post(srv.url + '?' + q, body)
                if st != 200:
                    srv.close()
                    t.skip(name, 'answered %s: %s' % (st, reply[:100]))
                    continue
                started[key], names[key] = srv, name
            got = _interleaved(servers, started, q, body, script, robot)
        finally:
            for srv in started.values():
                srv.close()
        for key in [k for k, _, _ in kinds if k in got]:
            m, (reqs, conns, resumed) = got[key]
            name = names[key]
            note = m.label
            if key != 'floor':
                note += '; robots: %d requests, %d connections' % (reqs,
                                                                   conns)
            if app == 'tls':
                note += ' (closed every %d requests), %d TLS sessions ' \
                    'resumed' % (TLS_KEEPALIVE_REQUESTS, resumed)
                # Every connection after each worker's first resumes.
                if resumed < conns - WORKERS:
                    m.bad = 'TLS sessions renegotiated'
            elif key == 'fcgi' and conns > WORKERS * n:
                m.bad = '%d connections to %d robots from %d workers: ' \
                    'keep-alive lost' % (conns, n, WORKERS)
            if key == 'fcgi' and app != 'tls':
                for ref, target in (('php', 2.0), ('cgi', 10.0)):
                    if ref in got:
                        t.row(name, 'rps', m, got[ref][0], ref,
                              target_min=target, note=note)
                        note = ''
            elif key in ('floor', 'fcgi'):
                t.row(name, 'rps', m, note=note)
            else:
                t.row(name, 'rps', m, got['floor'][0] if 'floor' in got
                      else None, 'floor' if 'floor' in got else '',
                      note=note)


def _fresh_events(work, body):
    """A function giving a new wrk script each call: every request's
    event has a timestamp no other request of the run had (threads and
    runs apart), so the duplicate filter lets each one through."""
    runs = [0]
    bpath = os.path.join(work, 'wrk-body.json')
    with open(bpath, 'wb') as f:
        f.write(body)

    def script():
        runs[0] += 1
        path = os.path.join(work, 'post-fresh-%d.lua' % runs[0])
        with open(path, 'w') as f:
            f.write("""wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
local f = assert(io.open(%s, "rb"))
local body = f:read("*a")
f:close()
local k = 0
function setup(thread)
  thread:set("id", k)
  k = k + 1
end
local n = 0
function request()
  n = n + 1
  local ts = %d + id * 1000000 + n
  local b = body:gsub('"timestamp": %%d+', '"timestamp": ' .. ts, 1)
  return wrk.format(nil, nil, nil, b)
end
""" % (json.dumps(bpath), 1600000000 + runs[0] * 10000000))
        return path
    return script


def redis_throughput(ctx, rs):
    """The FastCGI workers (1 JSON robot: no rate limit to hold them
    back) with state_url, redis-server's unix socket, next to the same
    with state_dir: each request a new event (a duplicate claim and its
    settling in the store), the runs interleaved."""
    import bench
    t = ctx.table
    what = 'relay FastCGI (%d workers): 1 robot, ' % WORKERS
    t.section('Shared rules under load: wrk -t2 -c%d, %d s through '
              'nginx, robot: nginx (req/s)' % (bw.CONNS, bw.SECONDS))
    if not shutil.which('wrk'):
        t.skip(what + 'Redis', 'wrk not installed (apt-get install wrk)')
        return
    servers, why = bw._servers()
    if servers is None:
        t.skip(what + 'Redis', why)
        return
    try:
        robot = FastRobot(ctx.work, None, servers)
    except (servers.ServerError, OSError) as e:
        t.skip(what + 'Redis', 'robot nginx: %s' % e)
        return
    # The workers run as www-data: their state directory, and the
    # redis socket, where that user can reach them.
    pub = tempfile.mkdtemp(prefix='pgyer-relay-bench-state.')
    started = {}
    try:
        os.chmod(pub, 0o755)
        state = os.path.join(pub, 'state')
        os.mkdir(state, 0o700)
        user = servers.pwd.getpwnam(servers.WORKER)
        os.chown(state, user.pw_uid, user.pw_gid)
        os.chmod(rs.dir, 0o711)
        os.chown(rs.sock, user.pw_uid, user.pw_gid)

        class Fastcgi(servers.NginxFastcgi):
            workers = WORKERS

        body = bench.event_body()
        q = 'app=one&token=bench-token'
        names = {'file': what + 'state_dir', 'redis': what +
                 'Redis (unix socket)'}
        for key, top in (('file', {'state_dir': state}),
                         ('redis', {'state_url': rs.unix_url()})):
            cfg = config(robot, key)
            cfg['apps'] = {'one': {'token': 'bench-token', 'webhooks': [
                {'name': 'json', 'type': 'json', 'events': ['*'],
                 'url': robot.urls(who=key)['wecom']}]}}
            cfg.update(top)
            srv = Fastcgi(cfg, cgi=bench.CGI)
            try:
                srv.start()
            except servers.ServerError as e:
                srv.close()
                t.skip(names[key], 'server: %s' % str(e).splitlines()[0])
                continue
            started[key] = srv
            st, reply = bw.post(srv.url + '?' + q, body)
            if st != 200:
                t.skip(names[key], 'answered %s: %s' % (st, reply[:100]))
                del started[key]
                srv.close()
        got = _interleaved(servers, started, q, body,
                           _fresh_events(ctx.work, body), robot)
    finally:
        for srv in started.values():
            srv.close()
        robot.close()
        shutil.rmtree(pub, ignore_errors=True)
    for key in ('file', 'redis'):
        if key not in got:
            continue
        m, (reqs, conns, _) = got[key]
        if reqs < m.answered:
            m.bad = 'robot got %d of %d: duplicates filtered' % (
                reqs, m.answered)
        note = m.label + '; robot: %d requests' % reqs
        if key == 'file':
            t.row(names[key], 'rps', m, note=note)
        elif 'file' in got:
            t.row(names[key], 'rps', m, got['file'][0], 'state_dir',
                  target_min=REDIS_TARGET, note=note)
        else:
            t.row(names[key], 'rps', m, note=note)


# Redis's requests/s at least this share of state_dir's (see README.md).
REDIS_TARGET = 0.8
