"""The relay's own log as installed: what `make install` lays out (names,
owners, modes), the installed CGI appending to the installed log as
www-data from many processes at once, and the syslog setting through a
real /dev/log socket (in a private mount namespace: the host's /dev is
left alone).  As root:
    PGYER_RELAY_BIN=cgi-bin/pgyer-relay.cgi python3 tests/e2e/test_logs.py
"""
import json
import os
import pwd
import grp
import re
import shutil
import stat
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
TOP = os.path.dirname(os.path.dirname(HERE))
sys.path[:0] = [os.path.join(HERE, '..', 'lib'), HERE]

import harness  # noqa: E402
from servers import WORKER, as_worker  # noqa: E402

LOG = '/var/log/pgyer-relay/pgyer-relay.log'
with open(os.path.join(HERE, 'events', 'update.json'), 'rb') as f:
    UPDATE = f.read()


def make_install(dest, *args):
    r = subprocess.run(['make', '-s', '-C', TOP, 'install',
                        'DESTDIR=' + dest] + list(args),
                       capture_output=True, text=True)
    assert r.returncode == 0, 'make install: %s%s' % (r.stdout, r.stderr)
    return r.stdout


def owner(path):
    st = os.lstat(path)
    return '%s:%s %04o' % (pwd.getpwuid(st.st_uid).pw_name,
                           grp.getgrgid(st.st_gid).gr_name,
                           stat.S_IMODE(st.st_mode))


class Installed:
    """`make install DESTDIR=tmp`, reachable by www-data."""

    def __init__(self, *args):
        self.dest = tempfile.mkdtemp(prefix='pgyer-relay-install.',
                                     dir='/tmp')
        os.chmod(self.dest, 0o755)
        self.out = make_install(self.dest, *args)

    def path(self, p):
        return self.dest + p

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        shutil.rmtree(self.dest, ignore_errors=True)


@harness.test
def install_layout():
    """The names, owners and modes README's table gives; the snippets
    under the names they take in /etc/apache2 and /etc/nginx, with the
    installed paths; the config and logrotate naming the log."""
    with Installed() as i:
        want = {
            '/usr/local/lib/cgi-bin/pgyer-relay.cgi': 'root:root 0755',
            '/etc/pgyer-relay/config.json': 'root:www-data 0640',
            '/var/log/pgyer-relay': 'root:root 0755',
            LOG: 'root:www-data 0620',
            '/etc/logrotate.d/pgyer-relay': 'root:root 0644',
        }
        for p, w in want.items():
            assert owner(i.path(p)) == w, (p, owner(i.path(p)), w)
        share = '/usr/local/share/pgyer-relay/'
        for installed, src in (
                ('apache2/conf-available/pgyer-relay.conf',
                 'apache-conf/pgyer-relay.conf'),
                ('nginx/snippets/pgyer-relay.conf',
                 'nginx-conf/pgyer-relay.conf'),
                ('nginx/conf.d/pgyer-relay-log.conf',
                 'nginx-conf/conf.d/pgyer-relay-log.conf')):
            with open(i.path(share + installed)) as f, \
                    open(os.path.join(TOP, src)) as g:
                assert f.read() == g.read(), installed
        with open(i.path('/etc/pgyer-relay/config.json')) as f:
            assert '"log": "%s"' % LOG in f.read()
        with open(i.path('/etc/logrotate.d/pgyer-relay')) as f:
            text = f.read()
        assert LOG + ' {' in text and 'create 0620 root www-data' in text
        # A second install keeps the log and the config.
        with open(i.path(LOG), 'w') as f:
            f.write('old line\n')
        out = make_install(i.dest)
        assert 'kept' in out and LOG in out, out
        with open(i.path(LOG)) as f:
            assert f.read() == 'old line\n'


@harness.test
def install_elsewhere():
    """LOGDIR, BINDIR and SYSCONFDIR reach the config, the logrotate file
    and the snippets."""
    with Installed('LOGDIR=/srv/log/relay', 'BINDIR=/opt/cgi',
                   'SYSCONFDIR=/opt/etc') as i:
        assert owner(i.path('/srv/log/relay/pgyer-relay.log')) == \
            'root:www-data 0620'
        with open(i.path('/opt/etc/pgyer-relay/config.json')) as f:
            assert '"log": "/srv/log/relay/pgyer-relay.log"' in f.read()
        with open(i.path('/opt/etc/logrotate.d/pgyer-relay')) as f:
            assert '/srv/log/relay/pgyer-relay.log {' in f.read()
        share = i.path('/usr/local/share/pgyer-relay/')
        with open(share + 'nginx/snippets/pgyer-relay.conf') as f:
            text = f.read()
        assert 'SCRIPT_FILENAME /opt/cgi/pgyer-relay.cgi;' in text, text
        assert 'PGYER_RELAY_CONFIG /opt/etc/pgyer-relay/config.json' in text
        with open(share + 'apache2/conf-available/pgyer-relay.conf') as f:
            assert '"/opt/cgi/pgyer-relay.cgi"' in f.read()


def run_relay(cgi, config, query, body=UPDATE, worker=True):
    env = {'REQUEST_METHOD': 'POST', 'CONTENT_TYPE': 'application/json',
           'CONTENT_LENGTH': str(len(body)), 'QUERY_STRING': query,
           'PGYER_RELAY_CONFIG': config, 'PATH': '/usr/bin:/bin'}
    run = as_worker if worker else subprocess.run
    return run([cgi], input=body, env=env, capture_output=True)


@harness.test
def installed_log_concurrent():
    """The installed CGI, as www-data, 16 at once, each with a long
    hostile app key: every line whole (one write each), escaped, cut, in
    the installed log, which www-data appends to but cannot read;
    nothing on stderr."""
    with Installed() as i:
        cgi = i.path('/usr/local/lib/cgi-bin/pgyer-relay.cgi')
        if os.environ.get('PGYER_RELAY_BIN'):
            shutil.copyfile(os.environ['PGYER_RELAY_BIN'], cgi)
        conf = i.path('/etc/pgyer-relay/config.json')
        with open(conf) as f:
            text = f.read().replace('"%s"' % LOG, '"%s"' % i.path(LOG))
        with open(conf, 'w') as f:
            f.write(text)
        env = {'REQUEST_METHOD': 'POST', 'CONTENT_TYPE': 'application/json',
               'CONTENT_LENGTH': str(len(UPDATE)), 'PATH': '/usr/bin:/bin',
               'PGYER_RELAY_CONFIG': conf}
        u = pwd.getpwnam(WORKER)
        procs = []
        for n in range(16):
            key = 'k%02d' % n + 'A' * 4000 + '%1b%5b2J%e2%80%ae'
            procs.append(subprocess.Popen(
                [cgi], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                stderr=subprocess.PIPE, user=u.pw_uid, group=u.pw_gid,
                extra_groups=os.getgrouplist(WORKER, u.pw_gid),
                env=dict(env, QUERY_STRING='app=' + key)))
        for p in procs:
            out, err = p.communicate(UPDATE)
            assert b'Status: 404' in out, out[:200]
            assert err == b'', err
        with open(i.path(LOG), encoding='utf-8') as f:
            lines = f.read().splitlines()
        assert len(lines) == 16, lines
        line_re = re.compile(r'\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ '
                             r'pgyer-relay\[\d+\]: 404 unknown app '
                             r'app=k(\d\d)A+\.\.\.\(\d+ more bytes\)$')
        seen = set()
        for line in lines:
            m = line_re.match(line)
            assert m, line[:120] + '...' + line[-80:]
            seen.add(m.group(1))
        assert len(seen) == 16, seen
        r = as_worker(['cat', i.path(LOG)], capture_output=True)
        assert r.returncode != 0, 'www-data can read the log'
        # The whole key is kept only where it is short: the escapes.
        r = run_relay(cgi, conf, 'app=x%1b%5b2J%e2%80%ae%0aforged')
        assert r.stderr == b'', r.stderr
        with open(i.path(LOG), encoding='utf-8') as f:
            last = f.read().splitlines()[-1]
        assert last.endswith(': 404 unknown app app=x\\x1b[2J\\u202e'
                             '\\x0aforged'), last


def check(setting):
    """pgyer-relay.cgi --check on a config with "log": setting."""
    d = tempfile.mkdtemp(prefix='pgyer-relay-check.')
    try:
        conf = os.path.join(d, 'config.json')
        with open(conf, 'w') as f:
            json.dump({'log': setting, 'apps': {}}, f)
        os.chmod(conf, 0o640)
        cgi = os.environ.get('PGYER_RELAY_BIN') or \
            os.path.join(TOP, 'cgi-bin', 'pgyer-relay.cgi')
        return subprocess.run([cgi, '--check', conf], capture_output=True,
                              text=True, env={'PATH': '/usr/bin:/bin'})
    finally:
        shutil.rmtree(d, ignore_errors=True)


@harness.test
def check_says_where():
    """--check says where the lines go, refuses a bad setting with its
    place, and warns about a log that would lose them."""
    r = check('syslog:local3')
    assert r.returncode == 0, r
    assert 'log: syslog, ident pgyer-relay, facility local3 ' \
        '(journalctl -t pgyer-relay)' in r.stdout, r.stdout
    if not os.path.exists('/dev/log'):
        assert 'nothing listens on /dev/log' in r.stderr, r.stderr
    r = check('syslog:kern')
    assert r.returncode == 1 and 'log: names an unknown syslog facility' \
        in r.stderr, r
    r = check('relay.log')
    assert r.returncode == 1 and 'absolute file path' in r.stderr, r
    r = check('stderr')
    assert r.returncode == 0 and 'log: stderr' in r.stdout, r
    with tempfile.TemporaryDirectory() as d:
        os.symlink('/etc/passwd', os.path.join(d, 'l.log'))
        r = check(os.path.join(d, 'l.log'))
        assert r.returncode == 0, r
        assert 'log: the file %s/l.log' % d in r.stdout, r.stdout
        assert 'symbolic link' in r.stderr, r.stderr


SYSLOG_HELPER = r'''
import json, os, socket, subprocess, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind('/dev/log')
env = {'REQUEST_METHOD': 'GET', 'PGYER_RELAY_CONFIG': sys.argv[2],
       'PATH': '/usr/bin:/bin'}
r = subprocess.run([sys.argv[1]], env=env, capture_output=True)
# syslog(3) has sent every line by the time the relay exits.
s.setblocking(False)
msgs = []
while True:
    try:
        msgs.append(s.recv(65536).decode('utf-8', 'replace'))
    except BlockingIOError:
        break
print(json.dumps({'stderr': r.stderr.decode('utf-8', 'replace'),
                  'status': r.stdout.split(b'\r\n')[0].decode(),
                  'msgs': msgs}))
'''


def through_syslog(setting):
    """What reaches /dev/log when the relay, with "log": setting, refuses
    a GET.  /dev/log is ours in a private mount namespace."""
    d = tempfile.mkdtemp(prefix='pgyer-relay-syslog.')
    try:
        conf = os.path.join(d, 'config.json')
        with open(conf, 'w') as f:
            json.dump({'log': setting, 'apps': {}}, f)
        helper = os.path.join(d, 'helper.py')
        with open(helper, 'w') as f:
            f.write(SYSLOG_HELPER)
        cgi = os.environ.get('PGYER_RELAY_BIN') or \
            os.path.join(TOP, 'cgi-bin', 'pgyer-relay.cgi')
        script = ('set -e; mkdir -p "$1/olddev"; '
                  'mount --rbind /dev "$1/olddev"; '
                  'mount -t tmpfs tmpfs /dev; '
                  'for n in null zero urandom random; do '
                  ': > /dev/$n; mount --bind "$1/olddev/$n" /dev/$n; done; '
                  'exec python3 "$2" "$3" "$4"')
        r = subprocess.run(['unshare', '--mount', '--propagation', 'private',
                            'sh', '-c', script, 'sh', d, helper,
                            os.path.abspath(cgi), conf],
                           capture_output=True, text=True)
        assert r.returncode == 0, 'unshare: %s' % r.stderr
        return json.loads(r.stdout)
    finally:
        shutil.rmtree(d, ignore_errors=True)


@harness.test
def syslog_facility():
    """"syslog" and "syslog:local0": ident pgyer-relay with the PID,
    facility daemon (3) or local0 (16), priority info (6), the line as
    it would be in the file; nothing on stderr."""
    for setting, pri in (('syslog', 3 * 8 + 6), ('syslog:local0', 16 * 8 + 6)):
        got = through_syslog(setting)
        assert got['status'] == 'Status: 405 Method Not Allowed', got
        assert got['stderr'] == '', got
        assert len(got['msgs']) == 1, got
        m = re.match(r'<(\d+)>.* pgyer-relay\[\d+\]: (.*)$', got['msgs'][0])
        assert m and int(m.group(1)) == pri, (setting, got['msgs'])
        assert m.group(2) == '405 only POST is accepted', m.group(2)


if __name__ == '__main__':
    if os.geteuid() != 0:
        print('0 passed, 1 failed\nrun as root: make install and unshare')
        sys.exit(1)
    harness.main()
