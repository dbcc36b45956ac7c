"""A relay with spool_dir and state_dir in a scratch directory, for the
spool, drain and crash tests: the CGI and the spool commands on it, and a
ledger of every (event, webhook) it received.

    with MockRobot('json') as bot, Relay([bot]) as relay:
        relay.post(status=200)
        relay.balanced()
"""
import json
import os
import re
import shutil
import signal
import subprocess
import tempfile
import time

from cgirun import (APP, PASS_ENV, ROOT, SANITIZER_MARKS, SLOW, WRAP,
                    CgiError, binary, config_for, event_body, run_cgi)

DRAIN_LINE = re.compile(r'^(\d+) delivered, (\d+) to retry, (\d+) rate '
                        r'limited, (\d+) dead, (\d+) busy, (\d+) not due, '
                        r'(\d+) errors, (\d+) skipped \(robot not '
                        r'answering\), (\d+) left for the next run$', re.M)


class Relay:
    """A config with spool_dir and state_dir in a scratch directory, the
    CGI and the spool commands on it, and the ledger."""

    def __init__(self, bots, **top):
        self.dir = tempfile.mkdtemp(prefix='pgyer-relay-spool-')
        self.spool = os.path.join(self.dir, 'spool')
        self.state = os.path.join(self.dir, 'state')
        os.mkdir(self.state, 0o700)
        top.setdefault('spool_dir', self.spool)
        top.setdefault('state_dir', self.state)
        self.cfg = config_for(bots, **top)
        self.path = os.path.join(self.dir, 'config.json')
        self.save()
        self.received = self.delivered = self.refused = 0
        self.seq = 0

    @staticmethod
    def env(extra=None):
        """The environment of a command-line run."""
        env = {'PATH': os.environ.get('PATH', '/usr/bin:/bin')}
        for k in PASS_ENV:
            if k in os.environ:
                env[k] = os.environ[k]
        env.update(extra or {})
        return env

    def cgi_env(self, extra=None):
        """The environment of a CGI run on this config."""
        env = self.env({
            'REQUEST_METHOD': 'POST', 'QUERY_STRING': 'app=' + APP,
            'GATEWAY_INTERFACE': 'CGI/1.1', 'SERVER_PROTOCOL': 'HTTP/1.1',
            'CONTENT_TYPE': 'application/json',
            'PGYER_RELAY_CONFIG': self.path})
        env.update(extra or {})
        return env

    def start_cgi(self, body, argv=None, fault=None):
        """Starts the CGI on body without waiting (to kill it)."""
        env = self.cgi_env({'CONTENT_LENGTH': str(len(body))})
        if fault is not None:
            env['PGYER_FAULT'] = fault
        p = subprocess.Popen(argv or [binary()], env=env,
                             stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE, start_new_session=True)
        p.stdin.write(body)
        p.stdin.close()
        # Written and closed: communicate() must not touch it again.
        p.stdin = None
        return p

    def start_cli(self, *args, argv=None, fault=None):
        """Starts a command-line run without waiting (to kill it)."""
        env = self.env({'PGYER_FAULT': fault} if fault else None)
        return subprocess.Popen((argv or [binary()]) + list(args) +
                                ['--config', self.path], env=env,
                                stdin=subprocess.DEVNULL,
                                stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE, text=True,
                                start_new_session=True)

    def save(self):
        with open(self.path, 'w', encoding='utf-8') as f:
            json.dump(self.cfg, f, ensure_ascii=False)
        os.chmod(self.path, 0o600)

    def close(self):
        shutil.rmtree(self.dir, ignore_errors=True)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def event(self):
        """A new event each call (a new upload: a new timestamp)."""
        self.seq += 1
        return event_body(timestamp=1594781454 + self.seq)

    def post(self, body=None, status=None):
        """Posts an event; checks the summary's shape; books it."""
        r = run_cgi(self.cfg, body if body is not None else self.event(),
                    query='app=' + APP)
        s = r.json
        assert isinstance(s, dict), r
        if status is not None:
            assert r.status == status, r
        if s.get('duplicate'):
            assert s['delivered'] == 0 and s['webhooks'] == [], s
            return s
        spool = bool(self.cfg.get('spool_dir'))
        assert set(s) == {'app', 'type', 'delivered', 'failed',
                          'webhooks'} | ({'queued'} if spool else set()), s
        assert (s['delivered'] + s.get('queued', 0) + s['failed'] ==
                len(s['webhooks'])), s
        for w in s['webhooks']:
            assert set(w) == {'name', 'ok', 'error'} | (
                {'queued'} if spool else set()), w
            assert not (w['ok'] and w.get('queued')), w
            assert (w['error'] is None) == w['ok'], w
        self.received += len(s['webhooks'])
        self.delivered += s['delivered']
        # With a journal, a refusal is kept in dead/ with its reason.
        if not self.cfg.get('spool_dir'):
            self.refused += s['failed']
        return s

    def cli(self, *args, ok=True):
        """Runs a spool command as cron would; returns its stdout."""
        p = subprocess.run(WRAP + [binary()] + list(args) +
                           ['--config', self.path], env=self.env(),
                           capture_output=True, text=True,
                           timeout=60 * SLOW)
        if p.returncode == 99 and WRAP:
            raise CgiError('valgrind: %s' % p.stderr)
        for mark in SANITIZER_MARKS:
            if mark in p.stderr:
                raise CgiError('sanitizer: %s' % p.stderr)
        assert p.returncode in (0, 1), p
        assert (p.returncode == 0) == ok, p
        for bot in self.cfg['apps'][APP]['webhooks']:
            assert bot['url'] not in p.stdout + p.stderr, p
        return p.stdout

    def drain(self, *args, ok=True):
        """--drain; returns (stdout, counts); books what it delivered."""
        out = self.cli('--drain', *args, ok=ok)
        m = DRAIN_LINE.search(out)
        counts = tuple(int(x) for x in m.groups()) if m else (0,) * 9
        self.delivered += counts[0]
        return out, counts

    def write_records(self, webhook, n, first=0, t0=1594781454):
        """n pending records for webhook, due now, oldest first, written
        straight into spool_dir (the journal's format): hundreds are
        quicker so than posted; returns their bodies."""
        os.makedirs(os.path.join(self.spool, 'dead'), mode=0o700,
                    exist_ok=True)
        now = int(time.time())
        bodies = []
        for i in range(first, first + n):
            body = event_body(timestamp=t0 + i)
            rec = {'v': 1, 'app': APP, 'webhook': webhook, 'received': now,
                   'attempts': 0, 'next_at': now,
                   'body': body.decode('utf-8')}
            name = '%010d.%09d.1.%d.json' % (now - 100, i, i)
            path = os.path.join(self.spool, name)
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(fd, 'w', encoding='utf-8') as f:
                json.dump(rec, f, ensure_ascii=False)
            bodies.append(body)
        return bodies

    def files(self, sub=''):
        d = os.path.join(self.spool, sub)
        if not os.path.isdir(d):
            return []
        return sorted(n for n in os.listdir(d)
                      if n.endswith('.json') and not n.startswith('.'))

    def pending(self):
        return self.files()

    def dead(self):
        return self.files('dead')

    def item(self, name, sub=''):
        with open(os.path.join(self.spool, sub, name), 'rb') as f:
            return json.loads(f.read())

    def balanced(self):
        """Every (event, webhook) received is accounted for, once."""
        assert self.received == (self.delivered + len(self.pending()) +
                                 len(self.dead()) + self.refused), (
            self.received, self.delivered, self.pending(), self.dead(),
            self.refused)


def accepted(bot):
    return sum(1 for r in bot.received if r['accepted'])




def killed(p, timeout=30):
    """Waits for p, which must die of SIGKILL; returns its stderr."""
    try:
        p.wait(timeout * SLOW)
    except subprocess.TimeoutExpired:
        os.killpg(p.pid, signal.SIGKILL)
        p.wait()
        raise AssertionError('the fault did not fire') from None
    err = p.stderr.read()
    p.stdout.close()
    p.stderr.close()
    assert p.returncode == -signal.SIGKILL, (p.returncode, err)
    return err


def kill(p):
    """kill -9 of p's whole process group; waits for it."""
    os.killpg(p.pid, signal.SIGKILL)
    p.wait()
    p.stdout.close()
    p.stderr.close()


def fault_binary():
    """The crash-injection build (make faults)."""
    path = os.environ.get('PGYER_RELAY_FAULT_BIN')
    if path:
        return [os.path.abspath(path)]
    # make check runs the tests with BUILD set; by hand, build/.
    build = os.environ.get('BUILD') or 'build'
    for cand in (os.path.join(ROOT, build, 'faults', 'pgyer-relay.cgi'),
                 os.path.join(build, 'faults', 'pgyer-relay.cgi')):
        if os.access(cand, os.X_OK):
            return [cand]
    raise AssertionError('no crash-injection build: run make faults')
