"""The drain like a mail queue, concurrent drains, bounded lock waits.

- 1000 records for a robot that accepts connections and never answers,
  and 1 for a healthy robot: the healthy one is sent within 2 s, the dead
  robot is skipped for the rest of the run (its records wait, untouched),
  and the run ends within its budget; likewise a robot that refuses
  connections.
- A slow robot and a small --max-seconds: the drain stops starting work
  in time and leaves the rest for the next run, nothing lost.
- Two and four drains at once over 400 records: each delivered once.
- A lock under state_dir held by a stopped process: the CGI answers
  within timeout_ms + 2 s anyway, and says so in the log.

Records are written straight into spool_dir (the journal's format) where
hundreds are needed: posting them one CGI run at a time would only make
the test slow.

Run from the repository root:
    PGYER_RELAY_BIN=cgi-bin/pgyer-relay.cgi python3 tests/cgi/test_queue.py
"""
import hashlib
import os
import signal
import socket
import subprocess
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(__file__), '..', 'lib'))
from cgirun import APP, SLOW  # noqa: E402
from harness import main, test  # noqa: E402
from mockrobot import MockRobot  # noqa: E402
from ports import free_port  # noqa: E402
from spoolrelay import DRAIN_LINE, Relay  # noqa: E402

T0 = 1594781454


def write_records(relay, webhook, n, first=0):
    """n pending records for webhook, due now; returns their bodies."""
    return relay.write_records(webhook, n, first, T0)


def counts(out):
    m = DRAIN_LINE.search(out)
    assert m, out
    keys = ('delivered', 'retry', 'deferred', 'dead', 'busy', 'waiting',
            'errors', 'skipped', 'left')
    return dict(zip(keys, (int(x) for x in m.groups())))


class BlackHole:
    """A robot that accepts connections (the kernel does, from the
    backlog) and never answers."""

    def __init__(self):
        self.sock = socket.socket()
        self.sock.bind(('127.0.0.1', 0))
        self.sock.listen(64)
        self.url = 'http://127.0.0.1:%d/hook' % self.sock.getsockname()[1]

    def close(self):
        self.sock.close()


@test
def dead_robot_does_not_hold_up_a_healthy_one():
    hole = BlackHole()
    with MockRobot('json') as good, Relay([good], timeout_ms=1000) as relay:
        hooks = relay.cfg['apps'][APP]['webhooks']
        hooks.append({'name': 'hole', 'type': 'json', 'url': hole.url,
                      'events': ['*']})
        relay.save()
        write_records(relay, 'hole', 1000)
        healthy = write_records(relay, 'json', 1, first=1000)[0]
        start = time.monotonic()
        p = relay.start_cli('--drain', '--max-seconds', '20')
        out, err = p.communicate(timeout=60 * SLOW)
        elapsed = time.monotonic() - start
        hole.close()
        assert p.returncode == 0, (out, err)
        n = counts(out)
        # The healthy robot's record, the newest of all, went at once.
        got = [r for r in good.received if r['accepted']]
        assert len(got) == 1 and got[0]['body'] == healthy, good.received
        assert got[0]['time'] - start < 2 * SLOW, got[0]['time'] - start
        # Two transfers to the hole timed out; the rest were left alone.
        assert n['delivered'] == 1 and n['retry'] == 2, n
        assert n['skipped'] == 998 and n['dead'] == 0, n
        assert elapsed < 20, elapsed
        assert len(relay.pending()) == 1000
        untouched = sum(1 for f in relay.pending()
                        if relay.item(f)['attempts'] == 0)
        assert untouched == 998, untouched


@test
def refused_connection_skips_the_robot():
    """Nobody listens: the first transfers fail at once, the robot's
    other records are left for the next run, untouched."""
    with MockRobot('json') as good, Relay([good]) as relay:
        relay.cfg['apps'][APP]['webhooks'].append({
            'name': 'gone', 'type': 'json', 'events': ['*'],
            'url': 'http://127.0.0.1:%d/hook' % free_port()})
        relay.save()
        write_records(relay, 'gone', 20)
        write_records(relay, 'json', 1, first=20)
        n = counts(relay.cli('--drain', ok=True))
        # At most DRAIN_ROBOT_MAX (2) were tried before it was skipped.
        assert n['delivered'] == 1 and 1 <= n['retry'] <= 2, n
        assert n['retry'] + n['skipped'] == 20, n
        untouched = sum(1 for f in relay.pending()
                        if relay.item(f)['attempts'] == 0)
        assert untouched == n['skipped'], untouched


@test
def budget_stops_new_work():
    """A robot that takes 0.3 s a message, 100 messages, 2 s of budget:
    the run stops starting work in time and the next run goes on."""
    with MockRobot('json', delay=0.3) as slow, \
            Relay([slow], timeout_ms=1000) as relay:
        bodies = write_records(relay, 'json', 100)
        start = time.monotonic()
        p = relay.start_cli('--drain', '--max-seconds', '2')
        out, err = p.communicate(timeout=60 * SLOW)
        elapsed = time.monotonic() - start
        assert p.returncode == 0, (out, err)
        n = counts(out)
        assert elapsed < 2 + 1 * SLOW, elapsed
        assert 0 < n['delivered'] < 100, n
        assert n['delivered'] + n['left'] == 100, n
        assert len(relay.pending()) == 100 - n['delivered']
        sent = {r['body'] for r in slow.received if r['accepted']}
        assert len(sent) == n['delivered'] == len(
            [r for r in slow.received if r['accepted']])
        # Oldest first.
        assert sent == set(bodies[:n['delivered']])


def concurrent_drains(k):
    def run():
        with MockRobot('json') as bot, Relay([bot]) as relay:
            bodies = write_records(relay, 'json', 400)
            procs = [relay.start_cli('--drain', '--all') for _ in range(k)]
            outs = []
            for p in procs:
                out, err = p.communicate(timeout=120 * SLOW)
                assert p.returncode == 0, (out, err)
                outs.append(counts(out))
            assert sum(n['delivered'] for n in outs) == 400, outs
            assert sum(n['errors'] for n in outs) == 0, outs
            got = [r['body'] for r in bot.received if r['accepted']]
            assert len(got) == 400 and set(got) == set(bodies)
            assert relay.pending() == [] and relay.dead() == []
    run.__name__ = 'drains_%d_at_once_send_each_once' % k
    return run


test(concurrent_drains(2))
test(concurrent_drains(4))


def hold_lock(path):
    """A process that takes the flock on path and stops itself
    (SIGSTOP), as a stopped drain would; returns it once it holds it."""
    code = ('import fcntl, os, signal, sys\n'
            'fd = os.open(sys.argv[1], os.O_RDWR | os.O_CREAT, 0o600)\n'
            'fcntl.flock(fd, fcntl.LOCK_EX)\n'
            'print("held", flush=True)\n'
            'os.kill(os.getpid(), signal.SIGSTOP)\n')
    p = subprocess.Popen([sys.executable, '-c', code, path],
                         stdout=subprocess.PIPE, text=True)
    assert p.stdout.readline() == 'held\n'
    return p


def rate_file(state, url):
    """state_dir/rate/<key>: the URL without signature parameters,
    hashed (ratelimit.h); a WeCom URL has none."""
    return os.path.join(state, 'rate', hashlib.sha256(url.encode())
                        .hexdigest())


@test
def lock_held_by_a_stopped_process():
    with MockRobot('wecom') as bot, Relay([bot], timeout_ms=1000) as relay:
        os.makedirs(os.path.join(relay.state, 'dedup'), mode=0o700)
        os.makedirs(os.path.join(relay.state, 'rate'), mode=0o700)
        holders = [hold_lock(os.path.join(relay.state, 'dedup', '.lock')),
                   hold_lock(rate_file(relay.state, bot.url))]
        try:
            start = time.monotonic()
            p = relay.start_cgi(relay.event())
            out, err = p.communicate(timeout=30 * SLOW)
            elapsed = time.monotonic() - start
        finally:
            for h in holders:
                h.send_signal(signal.SIGKILL)
                h.wait()
        assert p.returncode == 0, err
        assert elapsed < 1 + 2 * SLOW, elapsed
        assert b'Status: 200' in out, out
        assert b'lock held by another process for too long' in err, err
        assert len([r for r in bot.received if r['accepted']]) == 1


if __name__ == '__main__':
    main()
