"""Two relay hosts sharing one Redis (state_url) behave like one host.

Two "hosts": two configs with their own spool_dir and no state_dir, one
real redis-server (tests/lib/redisserver.py; host A reaches it over
loopback TCP, host B over its unix socket), the same mock robots.

- 60 events split across both hosts at once, to one WeCom robot: exactly
  20 sent (its limit a minute), 40 queued in the two journals.
- The same event posted to both hosts at the same moment: sent once, the
  other answered as a duplicate.
- "Too fast" from the robot on one host holds the other host back too.
- Both hosts draining their own journals at once: 20 sent in all.
- Redis stopped (killed, or paused: it accepts and never answers) in the
  middle: every request is answered within timeout_ms + 2 s, logged once,
  and nothing is lost; Redis back: sharing resumes.
- Keys are namespaced, expire, and name no robot URL or key.
- --check: bad state_url values are errors with their place; whether
  Redis answers; the password is never printed.

Run from the repository root:
    PGYER_RELAY_BIN=cgi-bin/pgyer-relay.cgi python3 tests/cgi/test_redis.py
"""
import concurrent.futures
import os
import subprocess
import sys
import threading
import time

sys.path.insert(0, os.path.join(os.path.dirname(__file__), '..', 'lib'))
from cgirun import APP, SLOW, WRAP, binary, event_body, run_cgi  # noqa: E402
from harness import main, test  # noqa: E402
from mockrobot import MockRobot  # noqa: E402
from redisserver import RedisServer  # noqa: E402
from spoolrelay import DRAIN_LINE, Relay  # noqa: E402

SHARED_OFF = 'going on without the shared duplicate filter'
_seq = [0]


def fresh_event():
    """An event neither host has seen (a new upload: a new timestamp)."""
    _seq[0] += 1
    return event_body(timestamp=1700000000 + _seq[0] * 7 + os.getpid() % 7)


class Hosts:
    """Two relay hosts on one Redis: A over TCP, B over the socket."""

    def __init__(self, rs, bots, **top):
        top.setdefault('state_dir', '')
        self.a = Relay(bots, state_url=rs.tcp_url(), **top)
        self.b = Relay(bots, state_url=rs.unix_url(), **top)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.a.close()
        self.b.close()

    def both(self):
        return (self.a, self.b)


def post(relay, body, timeout=30):
    """One CGI run on relay's config; the Result."""
    return run_cgi(relay.cfg, body, query='app=' + APP, timeout=timeout)


def at_once(calls):
    """Runs the callables at the same moment (a barrier); their results."""
    barrier = threading.Barrier(len(calls))
    results = [None] * len(calls)

    def run(i):
        barrier.wait()
        results[i] = calls[i]()

    threads = [threading.Thread(target=run, args=(i,))
               for i in range(len(calls))]
    for t in threads:
        t.start()
    for t in threads:
        t.join(120 * SLOW)
    assert all(r is not None for r in results), results
    return results


# Under valgrind (20 times slower) 60 runs would not fit in the robot's
# one-minute window: 24 (20 sent, 4 queued) still cross the limit.
EVENTS = 24 if WRAP else 60


@test
def sixty_events_two_hosts_one_wecom_robot_twenty_sent():
    with RedisServer() as rs, MockRobot('wecom') as bot, \
            Hosts(rs, [bot]) as h:
        bodies = [fresh_event() for _ in range(EVENTS)]
        t0 = time.monotonic()
        with concurrent.futures.ThreadPoolExecutor(6) as pool:
            results = list(pool.map(
                lambda i: post(h.both()[i % 2], bodies[i]), range(EVENTS)))
        # The window is a real minute: every event must land inside it,
        # or more than 20 would rightly be sent.
        assert time.monotonic() - t0 < 55, 'too slow to test'
        sent = sum(r.json['delivered'] for r in results)
        queued = sum(r.json['queued'] for r in results)
        assert all(r.status in (200, 202) for r in results), results
        assert sent == 20, (sent, queued)
        assert queued == EVENTS - 20, (sent, queued)
        assert sum(1 for r in bot.received if r['accepted']) == 20
        assert len(bot.received) == 20, len(bot.received)
        # The 40 wait in the two hosts' own journals.
        assert len(h.a.pending()) + len(h.b.pending()) == EVENTS - 20
        # Both hosts held some back: the limit was counted across both.
        assert sum(r.json['queued'] for r in results[0::2]) > 0
        assert sum(r.json['queued'] for r in results[1::2]) > 0


@test
def same_event_to_both_hosts_at_once_sent_once():
    with RedisServer() as rs, MockRobot('json') as bot, \
            Hosts(rs, [bot]) as h:
        for round_ in range(5):
            body = fresh_event()
            ra, rb = at_once([lambda: post(h.a, body),
                              lambda: post(h.b, body)])
            dups = sorted(bool(r.json.get('duplicate')) for r in (ra, rb))
            assert dups == [False, True], (round_, ra, rb)
            assert all(r.status == 200 for r in (ra, rb)), (ra, rb)
        assert len(bot.received) == 5, len(bot.received)
        # A retry later, on either host, is a duplicate too.
        r = post(h.b, body)
        assert r.json.get('duplicate'), r
        assert len(bot.received) == 5


@test
def too_fast_on_one_host_holds_the_other_back():
    with RedisServer() as rs, MockRobot('wecom', mode='ratelimit') as bot, \
            Hosts(rs, [bot]) as h:
        r = post(h.a, fresh_event())
        assert len(bot.received) == 1 and r.json['queued'] == 1, r
        # Host B does not even try: the robot said "too fast" to A.
        r = post(h.b, fresh_event())
        assert r.json['queued'] == 1, r
        assert 'rate limit' in r.json['webhooks'][0]['error'], r
        assert len(bot.received) == 1, len(bot.received)


@test
def two_hosts_draining_at_once_share_the_robot_limit():
    with RedisServer() as rs, MockRobot('wecom') as bot, \
            Hosts(rs, [bot]) as h:
        h.a.write_records('wecom', 15, 0)
        h.b.write_records('wecom', 15, 100)
        pa, pb = (r.start_cli('--drain') for r in h.both())
        outs = [p.communicate(timeout=120 * SLOW)[0] for p in (pa, pb)]
        assert pa.returncode == 0 and pb.returncode == 0, outs
        counts = [tuple(int(x) for x in DRAIN_LINE.search(o).groups())
                  for o in outs]
        # delivered, and held back by the rate limit, across both.
        assert counts[0][0] + counts[1][0] == 20, outs
        assert counts[0][2] + counts[1][2] == 10, outs
        assert len(bot.received) == 20
        assert len(h.a.pending()) + len(h.b.pending()) == 10


def check_down(h, bot, rs_state, timeout_ms):
    """Posts one new event to each host while Redis is rs_state; each is
    answered within timeout_ms + 2 s, delivered, and logged once."""
    for relay in h.both():
        before = len(bot.received)
        t0 = time.monotonic()
        r = post(relay, fresh_event())
        took = time.monotonic() - t0
        assert took < (timeout_ms / 1000 + 2) * SLOW, (rs_state, took, r)
        assert r.status == 200 and r.json['delivered'] == 1, (rs_state, r)
        assert len(bot.received) == before + 1, rs_state
        assert r.stderr.count(SHARED_OFF) == 1, (rs_state, r)


@test
def redis_down_in_the_middle_never_stops_the_relay():
    with RedisServer() as rs, MockRobot('json') as bot, \
            Hosts(rs, [bot], timeout_ms=1000) as h:
        body = fresh_event()
        ra, rb = post(h.a, body), post(h.b, body)
        assert not ra.json.get('duplicate') and rb.json.get('duplicate')
        assert SHARED_OFF not in ra.stderr
        # Paused: connections are accepted, nothing is answered.
        rs.pause()
        try:
            check_down(h, bot, 'paused', 1000)
        finally:
            rs.resume()
        rs.stop()
        check_down(h, bot, 'stopped', 1000)
        # Nothing lost: each event posted while Redis was away reached
        # the robot (4), besides the first.
        assert len(bot.received) == 5
        rs.start()
        body = fresh_event()
        ra, rb = at_once([lambda: post(h.a, body), lambda: post(h.b, body)])
        dups = sorted(bool(r.json.get('duplicate')) for r in (ra, rb))
        assert dups == [False, True], (ra, rb)
        assert len(bot.received) == 6
        assert all(SHARED_OFF not in r.stderr for r in (ra, rb))


@test
def keys_namespaced_expiring_and_without_robot_urls():
    with RedisServer() as rs, MockRobot('wecom', token='SECRETKEY') as bot, \
            Hosts(rs, [bot], state_prefix='prod') as h:
        r = post(h.a, fresh_event())
        assert r.json['delivered'] == 1, r
        keys = rs.keys()
        assert keys, keys
        kinds = set()
        for k, ttl in keys.items():
            assert k.startswith('pgyer-relay:prod:'), k
            assert 'SECRETKEY' not in k and '127.0.0.1' not in k, k
            assert ttl > 0, (k, ttl)
            kinds.add(k.split(':')[2])
        assert kinds == {'dedup', 'rate'}, keys
        # The claim lives dedup_seconds (600 s by default).
        dedup = [t for k, t in keys.items() if ':dedup:' in k]
        assert 590000 < dedup[0] <= 600000, dedup


# A password no temporary path can hold by chance (the config's path is
# printed).
PASSWORD = 'Xq7-not-to-be-printed'


def check_cli(relay, *args):
    p = subprocess.run(WRAP + [binary()] + list(args) +
                       ['--config', relay.path], env=relay.env(),
                       capture_output=True, text=True, timeout=60 * SLOW)
    return p


@test
def check_reports_bad_state_url_with_its_place():
    with MockRobot('json') as bot:
        for url, why in (('redis://', 'needs a host'),
                         ('redis://127.0.0.1:99999', 'port'),
                         ('redis://:' + PASSWORD + '@h/42', 'database'),
                         ('unix:relative.sock', 'absolute path'),
                         ('http://127.0.0.1:6379', 'must be redis://')):
            with Relay([bot], state_url=url) as relay:
                p = check_cli(relay, '--check')
                assert p.returncode == 1, p
                line = [x for x in p.stderr.splitlines()
                        if x.startswith('state_url: ')]
                assert line and why in line[0], (url, p.stderr)
                assert PASSWORD not in p.stdout + p.stderr, p
        with Relay([bot], state_url='redis://127.0.0.1',
                   state_password_file='/nonexistent',
                   state_prefix='has space') as relay:
            p = check_cli(relay, '--check')
            assert p.returncode == 1, p
            assert 'state_prefix: ' in p.stderr, p.stderr


@test
def check_and_test_say_whether_redis_answers():
    with RedisServer(password='hunter2-pw') as rs, MockRobot('json') as bot:
        pwfile = os.path.join(rs.dir, 'pw')
        with open(pwfile, 'w') as f:
            f.write('hunter2-pw\n')
        url = 'redis://:hunter2-pw@127.0.0.1:%d/0' % rs.port
        for top in ({'state_url': url},
                    {'state_url': rs.unix_url(),
                     'state_password_file': pwfile}):
            with Relay([bot], **top) as relay:
                p = check_cli(relay, '--check')
                assert p.returncode == 0, p
                assert 'answers (PING)' in p.stdout, p
                assert 'hunter2' not in p.stdout + p.stderr, p
                p = check_cli(relay, '--test', '--app', APP)
                assert p.returncode == 0, p
                assert 'answers (PING)' in p.stdout, p
                # And the CGI authenticates too: the event is claimed.
                r = post(relay, fresh_event())
                assert r.json['delivered'] == 1, r
                assert SHARED_OFF not in r.stderr, r
                assert 'hunter2' not in r.stderr, r
        with Relay([bot], state_url=rs.unix_url()) as relay:
            p = check_cli(relay, '--check')
            assert 'warning: state_url' in p.stderr, p
            assert 'NOAUTH' in p.stderr or 'auth' in p.stderr.lower(), p
        rs.stop()
        with Relay([bot], state_url=url) as relay:
            p = check_cli(relay, '--check')
            assert p.returncode == 0, p
            assert 'warning: state_url redis://:***@' in p.stderr, p
            assert 'hunter2' not in p.stdout + p.stderr, p


if __name__ == '__main__':
    main()
