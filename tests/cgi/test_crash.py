"""Nothing lost across crashes: kill -9 at every step of a delivery.

The CGI and --drain are killed (SIGKILL, as the OOM killer or a power cut
would) at each step: inside the journal write (before the rename, after
it, after the directory is synced), while the robot has the request, and
after the robot accepted but before the record is removed.  The exact
kill points come from the crash-injection build (`make faults`,
src/fault.h); "while the robot has the request" is the test killing the
process when the mock robot receives it.  Then PGYER's retry of the same
event arrives and a --drain runs, as cron would.

Every test checks: each (event, webhook) is delivered at least once, and
twice only in the one documented window (the robot accepted, the record
was not yet removed); and every event is accounted for: delivered +
pending + dead + refused = received.

Run from the repository root, after `make faults`:
    PGYER_RELAY_BIN=cgi-bin/pgyer-relay.cgi python3 tests/cgi/test_crash.py
"""
import os
import sys
import threading

sys.path.insert(0, os.path.join(os.path.dirname(__file__), '..', 'lib'))
from cgirun import APP, SLOW  # noqa: E402
from harness import main, test  # noqa: E402
from mockrobot import MockRobot  # noqa: E402
from spoolrelay import Relay, fault_binary, kill, killed  # noqa: E402


class Watched(MockRobot):
    """A mock robot that says when a request reaches it."""

    def __init__(self, *args, **kw):
        self.got = threading.Event()
        super().__init__(*args, **kw)

    def _handle(self, h, body):
        self.got.set()
        super()._handle(h, body)


def kill_when_received(bot, p):
    """kill -9 of p once bot has its request; the robot then recovers."""
    assert bot.got.wait(30 * SLOW), 'the robot got nothing'
    kill(p)
    bot.mode = 'ok'


def times(bot, body):
    """How many times bot accepted the event body (json robots get it
    byte for byte)."""
    return sum(1 for r in bot.received if r['accepted'] and r['body'] == body)


def account(relay, bots, events, refused=0):
    """delivered + pending + dead + refused = received, per (event,
    webhook)."""
    delivered = sum(1 for b in bots for e in events if times(b, e) > 0)
    received = len(bots) * len(events)
    assert (delivered + len(relay.pending()) + len(relay.dead()) +
            refused == received), (delivered, relay.pending(),
                                   relay.dead(), refused, received)


def retry_then_drain(relay, body):
    """PGYER's retry of the same event, then cron's drain."""
    s = relay.post(body)
    assert s['app'], s
    relay.drain('--all')
    return s


# --- the CGI killed ------------------------------------------------------

def cgi_killed_at(fault, drain_first=False):
    def run():
        with MockRobot('json') as a, MockRobot('json') as b, \
                Relay([a, b]) as relay:
            body = relay.event()
            killed(relay.start_cgi(body, argv=fault_binary(), fault=fault))
            # Whatever the crash left, nothing was sent yet.
            assert a.received == [] and b.received == []
            if drain_first:
                relay.drain('--all')
                relay.post(body)
            else:
                retry_then_drain(relay, body)
            assert times(a, body) == 1 and times(b, body) == 1, (
                a.received, b.received)
            account(relay, [a, b], [body])
            # Nothing left behind: another drain has nothing to do.
            out, _ = relay.drain('--all')
            assert out == '', out
    return run


def each_fault(prefix, make, faults):
    """Registers make(fault) for each fault, named after it."""
    for fault in faults:
        run = make(fault)
        run.__name__ = prefix + fault.replace('-', '_').replace(':', '_')
        test(run)


CGI_FAULTS = ('journal-before-rename:1', 'journal-after-rename:1',
              'journal-written:1', 'journal-before-rename:2',
              'journal-written:2')
each_fault('cgi_killed_', cgi_killed_at, CGI_FAULTS)
# Cron's drain may come before PGYER's retry.
each_fault('cgi_killed_drained_first_',
           lambda f: cgi_killed_at(f, drain_first=True), CGI_FAULTS)


@test
def cgi_killed_then_drained_before_the_retry():
    """Killed after journaling both messages, before marking the event
    journaled; cron's drain delivers them before PGYER retries: the retry
    is still a duplicate."""
    with MockRobot('json') as a, MockRobot('json') as b, \
            Relay([a, b]) as relay:
        body = relay.event()
        killed(relay.start_cgi(body, argv=fault_binary(),
                               fault='journal-written:2'))
        relay.drain('--all')
        assert times(a, body) == 1 and times(b, body) == 1
        s = relay.post(body, status=200)
        assert s.get('duplicate') is True, s
        assert times(a, body) == 1 and times(b, body) == 1
        account(relay, [a, b], [body])


@test
def cgi_killed_while_the_robot_has_it():
    """The robot got the request and has not answered: the record is in
    the journal, so PGYER's retry is a duplicate and the drain sends it."""
    with Watched('json', mode='hang') as bot, Relay([bot]) as relay:
        body = relay.event()
        kill_when_received(bot, relay.start_cgi(body))
        s = relay.post(body, status=200)
        assert s.get('duplicate') is True, s
        assert len(relay.pending()) == 1
        relay.drain('--all')
        assert times(bot, body) == 1, bot.received
        account(relay, [bot], [body])


@test
def cgi_killed_after_the_robot_accepted():
    """The one duplicate window: the robot accepted, the record was not
    removed yet.  The drain sends it again: twice, never lost."""
    with MockRobot('json') as bot, Relay([bot]) as relay:
        body = relay.event()
        killed(relay.start_cgi(body, argv=fault_binary(),
                               fault='journal-before-done:1'))
        assert times(bot, body) == 1
        s = relay.post(body, status=200)
        assert s.get('duplicate') is True, s
        relay.drain('--all')
        assert times(bot, body) == 2, bot.received
        account(relay, [bot], [body])


@test
def cgi_killed_without_a_spool():
    """Duplicate filter only: the claim names its owner; the owner is
    dead, so PGYER's retry goes through."""
    with Watched('json', mode='hang') as bot, \
            Relay([bot], spool_dir='') as relay:
        body = relay.event()
        kill_when_received(bot, relay.start_cgi(body))
        s = relay.post(body, status=200)
        assert s['delivered'] == 1, s
        assert times(bot, body) == 1, bot.received
        # Now it is a duplicate.
        s = relay.post(body, status=200)
        assert s.get('duplicate') is True, s
        assert times(bot, body) == 1


# --- the drain killed ----------------------------------------------------

def queued(relay, bot, n):
    """n events queued (the robot answers 500), due now."""
    bodies = []
    for _ in range(n):
        body = relay.event()
        relay.post(body, status=202)
        bodies.append(body)
    assert len(relay.pending()) == n
    return bodies


@test
def drain_killed_after_the_robot_accepted():
    with MockRobot('json', mode='http500') as bot, Relay([bot]) as relay:
        bodies = queued(relay, bot, 3)
        bot.mode = 'ok'
        killed(relay.start_cli('--drain', '--all', argv=fault_binary(),
                               fault='journal-before-done:1'))
        relay.drain('--all')
        # Killed acknowledging the first transfer that ended: it, and the
        # other one in flight to this robot (at most 2) if the robot took
        # it, are sent twice (the window); the third was never started.
        got = [times(bot, b) for b in bodies]
        assert got[0] + got[1] in (3, 4) and got[2] == 1, got
        assert all(g in (1, 2) for g in got), got
        account(relay, [bot], bodies)


def drain_killed_rewriting(fault):
    """Killed rewriting a failed record.  The fixed robot is another
    mock (the config changed): the failing one may still be answering
    transfers of the killed drain, and must not accept them."""
    def run():
        with MockRobot('json', mode='http500') as bad, \
                MockRobot('json') as good, Relay([bad]) as relay:
            bodies = queued(relay, bad, 3)
            killed(relay.start_cli('--drain', '--all',
                                   argv=fault_binary(), fault=fault))
            # Every record is still there, the first one as it was or
            # as it was to become.
            assert len(relay.pending()) == 3, relay.pending()
            relay.cfg['apps'][APP]['webhooks'][0]['url'] = good.url
            relay.save()
            relay.drain('--all')
            assert [times(good, b) for b in bodies] == [1, 1, 1]
            account(relay, [good], bodies)
    return run


each_fault('drain_killed_', drain_killed_rewriting,
           ('journal-before-rename:1', 'journal-after-rename:1',
            'journal-written:1'))


@test
def drain_killed_while_the_robot_has_it():
    """One record: with more, another transfer in flight could reach the
    robot after the kill and be accepted (the window again)."""
    with Watched('json', mode='http500') as bot, Relay([bot]) as relay:
        bodies = queued(relay, bot, 1)
        bot.mode = 'hang'
        bot.got.clear()
        kill_when_received(bot, relay.start_cli('--drain', '--all'))
        assert len(relay.pending()) == 1
        relay.drain('--all')
        assert [times(bot, b) for b in bodies] == [1], bot.received
        account(relay, [bot], bodies)


if __name__ == '__main__':
    main()
