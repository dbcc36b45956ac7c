"""The relay's FastCGI mode, driven by a FastCGI client (tests/lib/fcgirun.py):
what only a long-lived worker can get wrong.  The CGI's request matrix runs
through this front end too (tests/run.sh: PGYER_RELAY_FRONT=fastcgi).

Run from the repository root:
    PGYER_RELAY_BIN=cgi-bin/pgyer-relay.cgi python3 tests/cgi/test_fastcgi.py
"""
import os
import signal
import sys
import threading
import time

sys.path.insert(0, os.path.join(os.path.dirname(__file__), '..', 'lib'))
from cgirun import APP, SLOW, CgiError, config_for, event_body  # noqa: E402
from fcgirun import FcgiRelay  # noqa: E402
from harness import main, test  # noqa: E402
from mockrobot import MockRobot  # noqa: E402
from spoolrelay import Relay, fault_binary  # noqa: E402

QUERY = 'app=' + APP


def until(cond, what, timeout=30):
    """Waits for cond() to hold (a state another process reaches)."""
    end = time.monotonic() + timeout * SLOW
    while not cond():
        if time.monotonic() > end:
            raise AssertionError('timed out waiting for ' + what)
        time.sleep(0.01)


def delivered(relay, n=1):
    r = relay.request(event_body(), query=QUERY)
    assert r.status == 200, r
    assert r.json['delivered'] == n, r
    return r


@test
def robot_reached_over_one_kept_alive_connection():
    with MockRobot('wecom', keepalive=True) as wc, \
            MockRobot('dingtalk', secret='SEC', keepalive=True) as dt, \
            FcgiRelay(config_for([wc, dt])) as relay:
        for _ in range(5):
            delivered(relay, 2)
        assert len(wc.received) == 5 and len(dt.received) == 5
        assert all(r['accepted'] for r in wc.received + dt.received)
        # One worker: one connection to each robot for all five requests.
        assert (wc.connections, dt.connections) == (1, 1), \
            (wc.connections, dt.connections)


@test
def robot_restarted_between_requests():
    first = MockRobot('json', keepalive=True)
    port = first.port
    with FcgiRelay(config_for([first])) as relay:
        delivered(relay)
        first.close()
        # The kept connection is gone: the next request opens another,
        # and the robot's restart is not a failure.
        with MockRobot('json', keepalive=True, port=port) as second:
            r = delivered(relay)
            assert 'failed' not in r.stderr, r
            assert len(second.received) == 1 and second.connections == 1
        assert len(first.received) == 1


@test
def config_edited_while_serving():
    with MockRobot('json') as a, MockRobot('json') as b, \
            FcgiRelay(config_for([a])) as relay:
        delivered(relay)
        relay.set_config(config_for([b]))
        delivered(relay)
        assert (len(a.received), len(b.received)) == (1, 1)
        # A broken edit: logged (once), the last good config serves on.
        relay.set_config('{"apps": ')
        start = relay.log_size()
        delivered(relay)
        delivered(relay)
        log = relay.log(start)
        assert log.count('not reloaded') == 1, log
        assert len(b.received) == 3 and len(a.received) == 1
        relay.set_config(config_for([a]))
        delivered(relay)
        assert len(a.received) == 2


class Held:
    """A request whose body's end waits for release(): the worker that
    takes it is busy till then.  Connected first, it is accepted first
    (the listening socket's queue is in order), so a request sent next
    goes to another worker."""

    def __init__(self, relay):
        self.gate, sent = threading.Event(), threading.Event()
        self.got = {}
        self.t = threading.Thread(target=lambda: self.got.update(
            r=relay.request(event_body(), query=QUERY, gate=self.gate,
                            sent=sent)))
        self.t.start()
        assert sent.wait(30 * SLOW), 'the held request was not sent'

    def release(self):
        self.gate.set()
        self.t.join(30 * SLOW)
        return self.got['r']


def delivered_by_both(relay):
    """One request to each of the two workers, both delivered once."""
    held = Held(relay)
    delivered(relay)
    r = held.release()
    assert r.status == 200 and r.json['delivered'] == 1, r


@test
def config_edited_one_last_good_for_all_workers():
    """nginx's semantics: after a broken edit, the newest config that
    loaded serves in every worker, not each worker's own last one."""
    with MockRobot('json') as a, MockRobot('json') as b, \
            FcgiRelay(config_for([a]), workers=2) as relay:
        delivered_by_both(relay)
        assert len(a.received) == 2
        # Both workers hold a; one of them loads b.
        relay.set_config(config_for([b]))
        delivered(relay)
        relay.set_config('{"apps": ')
        # The one that did not load b serves b too.
        for _ in range(3):
            delivered_by_both(relay)
        assert (len(a.received), len(b.received)) == (2, 7), \
            (len(a.received), len(b.received))


@test
def refusals_leave_the_worker_serving():
    with MockRobot('json') as bot, \
            FcgiRelay(config_for([bot], token='s3cret',
                                 max_body_bytes=4096)) as relay:
        q = QUERY + '&token=s3cret'
        assert relay.request(b'', method='GET').status == 405
        assert relay.request(b'x' * 5000, query=q).status == 413
        assert relay.request(b'{', query=q).status == 400
        assert relay.request(event_body(), query=QUERY).status == 403
        assert relay.request(event_body(), query='app=nope').status == 404
        # Chunked: no CONTENT_LENGTH, the body in pieces, to its end.
        body = event_body()
        r = relay.request(body, query=q, content_length=None,
                          chunks=[body[:10], body[10:]])
        assert r.status == 200, r
        assert len(bot.received) == 1


@test
def slow_body_is_408():
    with MockRobot('json') as bot, \
            FcgiRelay(config_for([bot], read_timeout_ms=1000)) as relay:
        body = event_body()
        # Part of the body, then nothing: the client stalls.
        r = relay.request(body, query=QUERY, chunks=[body[:10]], hold=True)
        assert r.status == 408, r
        assert 'did not arrive in time' in r.json['error'], r
        delivered(relay)


@test
def sigterm_lets_the_request_in_progress_finish():
    with MockRobot('json', delay=1.0) as bot:
        relay = FcgiRelay(config_for([bot]), workers=2)
        got = {}
        t = threading.Thread(target=lambda: got.update(
            r=relay.request(event_body(), query=QUERY)))
        t.start()
        until(lambda: bot.received, 'the robot to be reached')
        relay.proc.send_signal(signal.SIGTERM)
        t.join(30 * SLOW)
        assert got['r'].status == 200, got
        assert relay.close() == 0


@test
def worker_killed_mid_request():
    with MockRobot('json', mode='hang') as bot, Relay([bot]) as spool:
        relay = FcgiRelay(spool.cfg, workers=1)
        try:
            # The supervisor listens before it starts its worker.
            until(relay.workers, 'a worker')
            before = relay.workers()
            got = {}

            def post():
                try:
                    got['r'] = relay.request(event_body(), query=QUERY)
                except CgiError as e:
                    got['e'] = e
            t = threading.Thread(target=post)
            t.start()
            until(lambda: bot.received, 'the robot to be reached')
            os.kill(before[0], signal.SIGKILL)
            t.join(30 * SLOW)
            # The web server sees the connection close unanswered.
            assert 'e' in got, got
            # The record was journaled before the attempt: --drain has it.
            assert len(spool.pending()) == 1, spool.pending()
            until(lambda: relay.workers() and relay.workers() != before,
                  'a new worker')
            assert 'killed by signal 9' in relay.log()
        finally:
            relay.close()


@test
def worker_past_its_deadline_answered_by_its_backstop():
    """A worker stuck past its request's deadline (here: the disk under
    the journal stops answering once the robot has the message) answers
    as the CGI's backstop does, with the relay's 504, not the web
    server's 502; then it ends and the supervisor starts another."""
    timeout_ms = 1000
    with MockRobot('json') as bot, \
            Relay([bot], timeout_ms=timeout_ms) as spool:
        relay = FcgiRelay(spool.cfg, workers=1,
                          program=fault_binary()[0],
                          env={'PGYER_FAULT': 'journal-before-done',
                               'PGYER_FAULT_HANG': '1'})
        try:
            # The supervisor listens before it starts its worker.
            until(relay.workers, 'a worker')
            before = relay.workers()
            start = time.monotonic()
            r = relay.request(event_body(), query=QUERY)
            took = time.monotonic() - start
            assert r.status == 504, r
            assert r.json == {'error': 'deadline passed before the '
                              'robots answered'}, r
            # The backstop's time (timeout_ms + 2 s), not the
            # supervisor's 5 s later.
            assert timeout_ms / 1000 + 2 <= took < \
                timeout_ms / 1000 + 2 + 2 * SLOW, took
            assert len(bot.received) == 1
            # Not removed: --drain sends it again (at least once).
            assert len(spool.pending()) == 1, spool.pending()
            until(lambda: relay.workers() and relay.workers() != before,
                  'a new worker')
            log = relay.log()
            assert 'deadline passed, answered by the backstop' in log, log
            assert 'answered a request past its deadline' in log, log
        finally:
            relay.close()


@test
def listening_socket_on_stdin():
    with MockRobot('json') as bot, \
            FcgiRelay(config_for([bot]), stdin=True) as relay:
        delivered(relay)
        delivered(relay)


@test
def supervisor_on_a_socket_from_stdin():
    with MockRobot('json') as bot, \
            FcgiRelay(config_for([bot]), stdin=True, supervised=True,
                      workers=2) as relay:
        until(lambda: len(relay.workers()) == 2, 'two workers')
        delivered(relay)
        delivered(relay)


@test
def shared_state_kept_across_requests_and_redis_restarts():
    """state_url: a worker keeps its Redis connection from one request
    to the next.  Redis restarted between two requests: the kept
    connection is found closed and the command sent again on a new one,
    so the very next request still has the shared duplicate rule."""
    from redisserver import RedisServer
    with RedisServer() as rs, MockRobot('json') as bot, \
            Relay([bot], state_url=rs.unix_url(), state_dir='') as spool, \
            FcgiRelay(spool.cfg) as relay:
        for ts in (1700000001, 1700000002):
            for dup in (False, True):
                r = relay.request(event_body(timestamp=ts), query=QUERY)
                assert r.status == 200 and \
                    bool(r.json.get('duplicate')) == dup, (r, relay.log())
        rs.stop()
        rs.start()
        for dup in (False, True):
            r = relay.request(event_body(timestamp=1700000003), query=QUERY)
            assert r.status == 200 and \
                bool(r.json.get('duplicate')) == dup, (r, relay.log())
        assert 'going on without' not in relay.log(), relay.log()
        assert len(bot.received) == 3


@test
def bad_arguments():
    import subprocess
    from cgirun import binary
    for argv in (['--fastcgi'], ['--fastcgi', 'nowhere'],
                 ['--fastcgi', 'unix:/x', '--workers', '0'],
                 ['--fastcgi', 'unix:/nonexistent/dir/sock'],
                 ['--fastcgi', '-'],
                 # Not replaced: libfcgi would remove it to listen.
                 ['--fastcgi', 'unix:' + os.path.abspath(__file__)]):
        p = subprocess.run([binary()] + argv, capture_output=True,
                           stdin=subprocess.DEVNULL, timeout=30,
                           env={'PATH': '/usr/bin:/bin'})
        assert p.returncode != 0 and p.stderr, (argv, p)
    assert os.path.isfile(__file__)


if __name__ == '__main__':
    main()
