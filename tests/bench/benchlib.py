"""The bench's machinery: building the reference programs, running a
program as a CGI and measuring it, a test CA and an HTTPS robot, and the
table.  bench.py says what is measured; this file says how.
"""
import os
import re
import shutil
import ssl
import statistics
import subprocess
import tempfile
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
N = int(os.environ.get('BENCH_N', '21'))
IR_RUNS = int(os.environ.get('BENCH_IR_RUNS', '1'))

# The relay's own build flags (Makefile), so the references pay the same
# start-up: -z now resolves every symbol before main.
CFLAGS = ['-std=c11', '-D_POSIX_C_SOURCE=200809L', '-O2', '-g', '-Wall',
          '-Wextra', '-D_FORTIFY_SOURCE=2', '-fstack-protector-strong']
LDFLAGS = ['-Wl,-z,relro,-z,now']
REFERENCES = {
    # name: (source, pkg-config packages)
    'floor': ('floor.c', []),
    'cryptofloor': ('cryptofloor.c', ['libcrypto', 'yajl']),
    'curlfloor': ('curlfloor.c', ['libcurl']),
    'curlpost': ('curlpost.c', ['libcurl']),
    # not a reference: the launcher that measures a child's rusage
    'rusage': ('rusage.c', []),
}


def static_curl_flags():
    """Compiler flags for the trimmed static libcurl built by
    static-curl.sh (BENCH_CURL_STATIC: its source tree), or None."""
    d = os.environ.get('BENCH_CURL_STATIC')
    if not d:
        return None
    lib = os.path.join(d, 'lib', '.libs', 'libcurl.a')
    if not os.path.exists(lib):
        print('bench: BENCH_CURL_STATIC=%s has no lib/.libs/libcurl.a: '
              'run tests/bench/static-curl.sh' % d)
        return None
    p = subprocess.run(['pkg-config', '--libs', 'libssl', 'libcrypto'],
                       capture_output=True, text=True)
    return ['-DCURL_STATICLIB', '-I' + os.path.join(d, 'include'), lib] + \
        p.stdout.split() + ['-lpthread']


def build_references(work):
    """Compiles each reference into work/bin; {name: path}, or None for
    one that does not build (its rows are skipped, saying so).  With
    BENCH_CURL_STATIC, curlfloor and curlpost are also built against the
    trimmed static libcurl, as curlfloor-static and curlpost-static."""
    out = {}
    bindir = os.path.join(work, 'bin')
    os.makedirs(bindir, exist_ok=True)
    cc = os.environ.get('CC', 'cc')
    todo = [(name, src, pkgs, None) for name, (src, pkgs)
            in REFERENCES.items()]
    static = static_curl_flags()
    if static is not None:
        todo += [(name + '-static', REFERENCES[name][0], [], static)
                 for name in ('curlfloor', 'curlpost')]
    for name, src, pkgs, extra in todo:
        flags = list(extra or [])
        if pkgs:
            p = subprocess.run(['pkg-config', '--cflags', '--libs'] + pkgs,
                               capture_output=True, text=True)
            if p.returncode != 0:
                print('bench: %s: pkg-config %s: %s' % (
                    name, ' '.join(pkgs), p.stderr.strip()))
                out[name] = None
                continue
            flags = p.stdout.split()
        exe = os.path.join(bindir, name)
        p = subprocess.run([cc] + CFLAGS + LDFLAGS + ['-o', exe,
                           os.path.join(HERE, src)] + flags,
                           capture_output=True, text=True)
        if p.returncode != 0:
            print('bench: cannot build %s:\n%s' % (name, p.stderr))
            out[name] = None
        else:
            out[name] = exe
    return out


# --- running a program as a CGI ---------------------------------------

class Run:
    def __init__(self, status, out, err, cpu, wall, maxrss):
        self.status = status    # from the Status: header; 200 without
        self.out = out
        self.err = err
        self.cpu = cpu          # seconds, user + sys
        self.wall = wall        # seconds
        self.maxrss = maxrss    # KiB


def cgi_env(prog, body, query, cfg, extra):
    """RFC 3875 variables as nginx + fcgiwrap would set them, nothing
    else from our environment (the relay must not need it)."""
    env = {
        'PATH': '/usr/bin:/bin',
        'GATEWAY_INTERFACE': 'CGI/1.1',
        'REQUEST_METHOD': 'POST',
        'CONTENT_TYPE': 'application/json',
        'CONTENT_LENGTH': str(len(body)),
        'QUERY_STRING': query,
        'REQUEST_URI': '/pgyer-relay?' + query,
        'SCRIPT_NAME': '/pgyer-relay',
        'SCRIPT_FILENAME': prog,
        'SERVER_NAME': '127.0.0.1',
        'SERVER_PORT': '80',
        'SERVER_PROTOCOL': 'HTTP/1.1',
        'SERVER_SOFTWARE': 'pgyer-relay-bench',
        'REMOTE_ADDR': '127.0.0.1',
        'PGYER_RELAY_CONFIG': cfg,
    }
    env.update(extra)
    return env


def parse_status(out):
    head = re.split(rb'\r?\n\r?\n', out, 1)[0]
    for line in head.splitlines():
        if line.lower().startswith(b'status:'):
            try:
                return int(line.split()[1])
            except (IndexError, ValueError):
                return None
    return 200 if head else None


def run_cgi(argv, env, body, rusage=None):
    """Runs argv once with env and body on stdin; returns a Run with the
    child's own rusage.  With rusage (the launcher built from rusage.c)
    the figures come from a parent that is not Python: see rusage.c."""
    rfd = wfd = None
    if rusage is not None:
        rfd, wfd = os.pipe()
        argv = [rusage, str(wfd)] + list(argv)
    with tempfile.TemporaryFile() as errf:
        t0 = time.perf_counter()
        p = subprocess.Popen(argv, stdin=subprocess.PIPE,
                             stdout=subprocess.PIPE, stderr=errf, env=env,
                             pass_fds=(wfd,) if wfd is not None else ())
        if wfd is not None:
            os.close(wfd)
        writer = threading.Thread(target=_feed, args=(p.stdin, body))
        writer.start()
        out = p.stdout.read()
        _, status, ru = os.wait4(p.pid, 0)
        wall = time.perf_counter() - t0
        p.returncode = os.waitstatus_to_exitcode(status)
        p.stdout.close()
        writer.join()
        errf.seek(0)
        err = errf.read().decode('utf-8', 'replace')
    cpu, maxrss = ru.ru_utime + ru.ru_stime, ru.ru_maxrss
    if rfd is not None:
        with os.fdopen(rfd) as f:
            fig = f.read().split()
        if len(fig) != 3:
            raise RuntimeError('rusage launcher failed for %s: %s' %
                               (argv[2], err.strip()))
        cpu = (int(fig[0]) + int(fig[1])) / 1e6
        maxrss = int(fig[2])
    return Run(parse_status(out), out, err, cpu, wall, maxrss)


def _feed(pipe, body):
    try:
        pipe.write(body)
    except BrokenPipeError:
        pass
    try:
        pipe.close()
    except BrokenPipeError:
        pass


IR_RE = re.compile(r'==\d+== Collected : (\d+)')


class Measure:
    """Repeated figures of one metric; median() is what the table shows.
    status is the first unexpected status seen (None: all as expected)."""
    UNITS = {'cpu': 'ms', 'wall': 'ms', 'ir': 'M instr', 'rss': 'MiB',
             'rps': 'req/s'}

    def __init__(self, metric, values, label='', walls=None, status=None,
                 bad=None):
        self.metric = metric
        self.values = values
        self.walls = walls or []
        self.label = label
        self.status = status
        self.bad = bad          # text: why these figures do not count

    def median(self):
        return statistics.median(self.values) if self.values else None

    def shown(self):
        v = self.median()
        if v is None:
            return '-'
        if self.metric in ('cpu', 'wall'):
            return '%.2f ms' % (v * 1000)
        if self.metric == 'ir':
            return '%.2f M' % (v / 1e6)
        if self.metric == 'rss':
            return '%.1f MiB' % (v / 1024)
        if self.metric == 'rps':
            return '%.0f /s' % v
        return str(v)


class Context:
    """What every section needs: references, robots, the config, the
    table, the CA; ref holds reference measures by (metric, key)."""

    def __init__(self, work, refs, robots, cfg, table, ca):
        self.work = work
        self.refs = refs
        self.robots = robots
        self.cfg = cfg
        self.table = table
        self.ca = ca
        self.ref = {}

    def measure(self, metric, argv, extra_env, body, query, want,
                runs=None):
        """Runs argv as a CGI `runs` times (after one warm-up run) and
        collects metric: 'cpu' (s), 'wall' (s), 'rss' (KiB), 'ir'
        (instructions, under callgrind).  want: the expected status, or
        None to accept any (the measure then records what it got)."""
        return self.measure_many(metric, [(argv, extra_env, body, query,
                                           want)], runs)[0]

    def measure_many(self, metric, jobs, runs=None):
        """measure() for several programs, run in turn: one run of each,
        then the next round.  A program and its reference then share
        whatever else the machine is doing, which a ratio of medians
        taken minutes apart does not.  jobs: (argv, extra_env, body,
        query, want) each; returns a Measure for each, in order."""
        # The launcher's extra fork would only add to wall time.
        launcher = self.refs.get('rusage') if metric in ('cpu', 'rss') \
            else None
        todo = []
        for argv, extra_env, body, query, want in jobs:
            env = cgi_env(argv[0], _body(body), query, self.cfg, extra_env)
            if metric == 'ir':
                argv = ['valgrind', '--tool=callgrind',
                        '--callgrind-out-file=/dev/null'] + list(argv)
            todo.append(_Job(argv, env, body, want))
        if metric == 'ir':
            runs = runs or IR_RUNS
        else:
            runs = runs or N
            for j in todo:
                run_cgi(j.argv, j.env, _body(j.body), launcher)  # cache
        for _ in range(runs):
            for j in todo:
                j.record(metric, run_cgi(j.argv, j.env, _body(j.body),
                                         launcher))
        return [Measure(metric, j.values, walls=j.walls, status=j.got,
                        bad=j.bad) for j in todo]


def _body(body):
    """A body, or a callable giving a new one of the same length for each
    run (a new event each time, for the duplicate filter)."""
    return body() if callable(body) else body


class _Job:
    """One program of measure_many() and what its runs gave."""

    def __init__(self, argv, env, body, want):
        self.argv, self.env, self.body, self.want = argv, env, body, want
        self.values, self.walls, self.got, self.bad = [], [], None, None

    def record(self, metric, r):
        if self.want is not None and r.status != self.want:
            self.got = r.status
            log = [x for x in r.err.strip().splitlines()
                   if not x.startswith('==')][-1:] or ['']
            self.bad = 'expected %s, got %s: %s' % (
                self.want, r.status, log[0][:100])
        elif self.got is None:
            self.got = r.status if self.want is None else None
        if metric == 'ir':
            m = IR_RE.search(r.err)
            if m is None:
                self.bad = 'no callgrind total'
                return
            self.values.append(int(m.group(1)))
        elif metric == 'cpu':
            self.values.append(r.cpu)
        elif metric == 'wall':
            self.values.append(r.wall)
        elif metric == 'rss':
            self.values.append(r.maxrss)
        self.walls.append(r.wall)


def relay_status(cgi, cfg, table):
    """True when the relay binary is there; says so when not."""
    if not os.access(cgi, os.X_OK):
        table.note('relay: no binary at %s (run make): relay rows '
                   'skipped' % cgi)
        return False
    return True


# --- a test CA and an HTTPS robot ---------------------------------------

DEBIAN_BUNDLE = '/etc/ssl/certs/ca-certificates.crt'
DEBIAN_CERTS = '/etc/ssl/certs'


class TestCA:
    """A CA and a server certificate for 127.0.0.1, made with openssl in
    dir; also bundle (Debian's bundle + the CA: what loading the default
    bundle costs) and hashdir (Debian's hashed links + the CA's)."""

    def __init__(self, d):
        self.dir = d
        self.cert = os.path.join(d, 'ca.pem')
        self.server_cert = os.path.join(d, 'server.pem')
        self.server_key = os.path.join(d, 'server.key')
        self.bundle = os.path.join(d, 'bundle.pem')
        self.hashdir = os.path.join(d, 'hashed')
        self.ok = False
        if not shutil.which('openssl'):
            return
        os.makedirs(d, exist_ok=True)
        try:
            self._make()
            self.ok = True
        except (subprocess.CalledProcessError, OSError) as e:
            print('bench: test CA: %s' % e)

    def _ssl(self, *args):
        subprocess.run(['openssl'] + list(args), check=True,
                       capture_output=True, cwd=self.dir)

    def _make(self):
        ext = os.path.join(self.dir, 'server.ext')
        with open(ext, 'w') as f:
            f.write('subjectAltName=IP:127.0.0.1,DNS:localhost\n'
                    'basicConstraints=CA:FALSE\n'
                    'extendedKeyUsage=serverAuth\n')
        self._ssl('req', '-x509', '-newkey', 'rsa:2048', '-nodes',
                  '-keyout', 'ca.key', '-out', 'ca.pem', '-days', '2',
                  '-subj', '/CN=pgyer-relay bench CA',
                  '-addext', 'basicConstraints=critical,CA:TRUE',
                  '-addext', 'keyUsage=critical,keyCertSign,cRLSign')
        self._ssl('req', '-newkey', 'rsa:2048', '-nodes', '-keyout',
                  'server.key', '-out', 'server.csr', '-subj',
                  '/CN=127.0.0.1')
        self._ssl('x509', '-req', '-in', 'server.csr', '-CA', 'ca.pem',
                  '-CAkey', 'ca.key', '-CAcreateserial', '-out',
                  'server.pem', '-days', '2', '-extfile', ext)
        with open(self.bundle, 'wb') as out:
            if os.path.exists(DEBIAN_BUNDLE):
                with open(DEBIAN_BUNDLE, 'rb') as f:
                    out.write(f.read())
            with open(self.cert, 'rb') as f:
                out.write(f.read())
        os.makedirs(self.hashdir, exist_ok=True)
        hashed = re.compile(r'^[0-9a-f]{8}\.\d+$')
        if os.path.isdir(DEBIAN_CERTS):
            for name in os.listdir(DEBIAN_CERTS):
                if hashed.match(name):
                    os.symlink(os.path.realpath(os.path.join(
                        DEBIAN_CERTS, name)), os.path.join(self.hashdir,
                                                           name))
        h = subprocess.run(['openssl', 'x509', '-hash', '-noout', '-in',
                            self.cert], check=True, capture_output=True,
                           text=True).stdout.strip()
        i = 0
        while os.path.exists(os.path.join(self.hashdir, '%s.%d' % (h, i))):
            i += 1
        os.symlink(self.cert, os.path.join(self.hashdir, '%s.%d' % (h, i)))


def tls_server_context(ca):
    """An HTTPS server context with the test CA's server certificate, for
    the mock robots (tests/lib/mockrobot.py) that serve HTTPS."""
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(ca.server_cert, ca.server_key)
    return ctx


# --- the table -------------------------------------------------------------

class Table:
    """Rows printed together at the end, so nothing scrolls away."""

    def __init__(self):
        self.lines = []         # ('section', text) / ('row', dict) / ...
        self.verdicts = []

    def section(self, text):
        self.lines.append(('section', text))

    def note(self, text):
        self.lines.append(('note', text))

    def skip(self, name, why):
        self.lines.append(('row', {'name': name, 'value': 'skipped',
                                   'note': why}))

    def row(self, name, metric, m, base=None, base_name=None, target=None,
            note='', target_min=None):
        """target: the ratio to base must be at most this; target_min:
        at least this (a throughput)."""
        ratio = None
        if base is not None and base.median() and m.median() is not None:
            ratio = m.median() / base.median()
        verdict = ''
        if m.bad:
            note = (note + '; ' if note else '') + m.bad
        if target is not None or target_min is not None:
            if m.bad or ratio is None:
                verdict = 'ERROR'
            elif target is not None:
                verdict = 'PASS' if ratio <= target else 'FAIL'
            else:
                verdict = 'PASS' if ratio >= target_min else 'FAIL'
            self.verdicts.append((name, metric, verdict))
        if metric == 'cpu' and m.walls:
            note = ('wall %.1f ms' % (statistics.median(m.walls) * 1000) +
                    ('; ' + note if note else ''))
        self.lines.append(('row', {
            'name': name, 'metric': metric, 'value': m.shown(),
            'vs': base_name or '',
            'ratio': '%.2fx' % ratio if ratio is not None else '',
            'target': '<= %.2fx' % target if target is not None else
            '>= %.2fx' % target_min if target_min is not None else '',
            'verdict': verdict, 'note': note}))

    def failed(self):
        return any(v[2] != 'PASS' for v in self.verdicts)

    def show(self):
        cols = ('name', 'metric', 'value', 'vs', 'ratio', 'target',
                'verdict', 'note')
        head = {'name': 'row', 'metric': 'metric', 'value': 'median',
                'vs': 'vs', 'ratio': 'ratio', 'target': 'target',
                'verdict': 'verdict', 'note': 'note'}
        rows = [r for k, r in self.lines if k == 'row']
        width = {c: max([len(head[c])] + [len(r.get(c, '')) for r in rows])
                 for c in cols[:-1]}
        fmt = '  '.join('%%-%ds' % width[c] for c in cols[:-1]) + '  %s'
        print()
        print('pgyer-relay bench: every ratio is against a reference '
              'measured in this run')
        print(fmt % tuple(head[c] for c in cols))
        for kind, x in self.lines:
            if kind == 'section':
                print('-- ' + x)
            elif kind == 'note':
                print('   note: ' + x)
            else:
                print((fmt % tuple(x.get(c, '') for c in cols)).rstrip())
        n_pass = sum(1 for v in self.verdicts if v[2] == 'PASS')
        n_fail = len(self.verdicts) - n_pass
        print('targets: %d pass, %d fail or error' % (n_pass, n_fail))
