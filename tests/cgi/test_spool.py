"""Spool and retry, robot rate limits, duplicates, end to end.

The relay runs as a CGI program against mock robots that fail in every way
(refuse connections, hang, answer 500, an errcode, garbage, "too fast"),
then `--drain` runs as cron would, after the robot recovers.  Every test
keeps a ledger: each (event, webhook) the relay received is delivered,
queued, dead or refused with a reason, and nothing twice.

Run from the repository root:
    PGYER_RELAY_BIN=cgi-bin/pgyer-relay.cgi python3 tests/cgi/test_spool.py
"""
import os
import shutil
import stat
import sys
import threading

sys.path.insert(0, os.path.join(os.path.dirname(__file__), '..', 'lib'))
from cgirun import APP, SLOW, event_body  # noqa: E402
from harness import main, test  # noqa: E402
from mockrobot import MockRobot  # noqa: E402
from ports import free_port  # noqa: E402
from spoolrelay import Relay, accepted  # noqa: E402


# --- failures that are retried ------------------------------------------

def retried_after(kind, mode):
    def run():
        with MockRobot(kind, mode=mode) as bot, Relay(
                [bot], timeout_ms=min(120000, 1500 * SLOW)) as relay:
            s = relay.post(status=202)
            assert (s['delivered'], s['queued'], s['failed']) == (0, 1, 0)
            w = s['webhooks'][0]
            assert w['queued'] and not w['ok'] and w['error'], w
            assert len(relay.pending()) == 1 and relay.dead() == []
            it = relay.item(relay.pending()[0])
            assert it['attempts'] == 1 and it['webhook'] == kind, it
            assert it['body'] == event_body(
                timestamp=1594781455).decode('utf-8'), it
            relay.balanced()

            # Not due yet: cron's drain leaves it alone.
            out, n = relay.drain()
            assert n[0] == 0 and len(relay.pending()) == 1, out

            bot.mode = 'ok'
            got = accepted(bot)
            out, n = relay.drain('--all')
            assert n[0] == 1, out
            assert relay.pending() == [] and relay.dead() == []
            assert accepted(bot) == got + 1, bot.received
            # Exactly once: nothing left to send.
            out, n = relay.drain('--all')
            assert out == '' and accepted(bot) == got + 1, out
            relay.balanced()
    return run


for _kind, _mode in (('json', 'http500'), ('json', 'close'),
                     ('json', 'hang'), ('wecom', 'garbage'),
                     ('dingtalk', 'http500'), ('feishu', 'close')):
    run = retried_after(_kind, _mode)
    run.__name__ = 'queued_then_drained_%s_%s' % (_kind, _mode)
    test(run)


@test
def connection_refused_then_url_fixed():
    """The robot's URL was wrong: queued; the operator fixes the config
    and drains; the message goes where the config now says."""
    with MockRobot('json') as bot, Relay([bot]) as relay:
        relay.cfg['apps'][APP]['webhooks'][0]['url'] = (
            'http://127.0.0.1:%d/hook' % free_port())
        relay.save()
        s = relay.post(status=202)
        assert 'connect' in s['webhooks'][0]['error'], s
        relay.cfg['apps'][APP]['webhooks'][0]['url'] = bot.url
        relay.save()
        out, n = relay.drain('--all')
        assert n[0] == 1 and accepted(bot) == 1, out
        relay.balanced()


@test
def refused_for_good_is_dead_with_its_reason():
    with MockRobot('wecom', mode='errcode') as bot, Relay([bot]) as relay:
        s = relay.post(status=502)
        assert s['failed'] == 1 and s['queued'] == 0, s
        assert '93000' in s['webhooks'][0]['error'], s
        assert relay.pending() == [] and len(relay.dead()) == 1
        dead = relay.item(relay.dead()[0], 'dead')
        assert '93000' in dead['last_error'] and dead['attempts'] == 1, dead
        status = relay.cli('--spool-status')
        assert 'dead: 1\n' in status and '93000' in status, status
        relay.balanced()


@test
def one_delivered_one_queued():
    with MockRobot('wecom') as good, MockRobot('json', mode='http500') as bad, \
            Relay([good, bad]) as relay:
        s = relay.post(status=202)
        assert (s['delivered'], s['queued'], s['failed']) == (1, 1, 0), s
        bad.mode = 'ok'
        out, n = relay.drain('--all')
        assert n[0] == 1 and accepted(good) == 1 and accepted(bad) == 1
        relay.balanced()


@test
def queued_and_refused_is_502():
    with MockRobot('feishu', mode='errcode') as refused, \
            MockRobot('json', mode='http500') as busy, \
            Relay([refused, busy]) as relay:
        s = relay.post(status=502)
        assert (s['delivered'], s['queued'], s['failed']) == (0, 1, 1), s
        relay.balanced()


@test
def dead_after_max_attempts_then_requeued():
    with MockRobot('json', mode='http500') as bot, \
            Relay([bot], max_attempts=2) as relay:
        relay.post(status=202)
        out, n = relay.drain('--all')
        assert n[3] == 1 and 'dead after 2 attempts' in out, out
        assert relay.pending() == [] and len(relay.dead()) == 1
        dead = relay.item(relay.dead()[0], 'dead')
        assert dead['attempts'] == 2 and dead['last_error'] == 'HTTP 500'
        relay.balanced()

        status = relay.cli('--spool-status')
        assert 'pending: 0\n' in status and 'dead: 1\n' in status, status
        assert 'HTTP 500' in status and relay.dead()[0][:-5] in status

        bot.mode = 'ok'
        out = relay.cli('--requeue')
        assert '1 requeued' in out, out
        assert len(relay.pending()) == 1 and relay.dead() == []
        out, n = relay.drain()
        assert n[0] == 1 and accepted(bot) == 1, out
        relay.balanced()


@test
def spool_files_are_private_and_hold_no_secrets():
    with MockRobot('dingtalk', mode='http500', secret='SECmocksecret',
                   token='mocktoken') as bot, Relay([bot]) as relay:
        old = os.umask(0)
        try:
            relay.post(status=202)
        finally:
            os.umask(old)
        name = relay.pending()[0]
        path = os.path.join(relay.spool, name)
        assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
        with open(path, 'rb') as f:
            data = f.read()
        for secret in (b'SECmocksecret', b'mocktoken', b'access_token'):
            assert secret not in data, data
        # Signed at send time: a fresh timestamp and signature.
        bot.mode = 'ok'
        out, n = relay.drain('--all')
        assert n[0] == 1 and accepted(bot) == 1, (out, bot.received)


# --- rate limits ---------------------------------------------------------

@test
def robot_says_too_fast():
    """45009: queued, and the robot gets nothing more until its minute
    is over (here: until its state is cleared)."""
    with MockRobot('wecom', mode='ratelimit') as bot, Relay([bot]) as relay:
        s = relay.post(status=202)
        assert '45009' in s['webhooks'][0]['error'], s
        bot.mode = 'ok'
        sent = len(bot.received)
        out, n = relay.drain('--all')
        assert n[2] == 1 and 'rate limited' in out, out
        assert len(bot.received) == sent
        shutil.rmtree(os.path.join(relay.state, 'rate'))
        out, n = relay.drain('--all')
        assert n[0] == 1 and accepted(bot) == 1, out
        relay.balanced()


@test
def over_the_limit_is_held_back():
    """WeCom allows 20 a minute: the 21st is queued, not sent."""
    with MockRobot('wecom') as bot, Relay([bot]) as relay:
        for _ in range(20):
            relay.post(status=200)
        s = relay.post(status=202)
        assert 'held back' in s['webhooks'][0]['error'], s
        assert len(bot.received) == 20
        it = relay.item(relay.pending()[0])
        assert it['attempts'] == 0, it
        out, n = relay.drain('--all')
        assert n[2] == 1 and len(bot.received) == 20, out
        relay.balanced()


@test
def no_state_dir_no_limits():
    with MockRobot('wecom') as bot, Relay([bot], state_dir='') as relay:
        for _ in range(22):
            relay.post(status=200)
        assert accepted(bot) == 22


# --- duplicates ----------------------------------------------------------

@test
def duplicate_is_not_sent_twice():
    with MockRobot('json') as bot, Relay([bot]) as relay:
        body = relay.event()
        relay.post(body, status=200)
        s = relay.post(body, status=200)
        assert s['duplicate'] is True, s
        assert accepted(bot) == 1
        # Another event is not a duplicate.
        relay.post(status=200)
        assert accepted(bot) == 2
        relay.balanced()


@test
def queued_event_is_a_duplicate_too():
    with MockRobot('json', mode='http500') as bot, Relay([bot]) as relay:
        body = relay.event()
        relay.post(body, status=202)
        s = relay.post(body, status=200)
        assert s.get('duplicate') is True, s
        assert len(relay.pending()) == 1 and len(bot.received) == 1
        relay.balanced()


@test
def refused_event_is_forgotten():
    """Nothing accepted it: the sender's retry, after the fix, goes
    through."""
    with MockRobot('json', mode='errcode') as bot, Relay([bot]) as relay:
        body = relay.event()
        relay.post(body, status=502)
        bot.mode = 'ok'
        relay.post(body, status=200)
        assert len(bot.received) == 2 and accepted(bot) == 1
        relay.balanced()


@test
def dedup_off():
    with MockRobot('json') as bot, Relay([bot], dedup_seconds=0) as relay:
        body = relay.event()
        relay.post(body, status=200)
        relay.post(body, status=200)
        assert accepted(bot) == 2


# --- concurrency ---------------------------------------------------------

@test
def concurrent_drains_send_each_once():
    with MockRobot('json', mode='http500') as bot, Relay([bot]) as relay:
        for _ in range(6):
            relay.post(status=202)
        bot.mode = 'ok'
        outs = []

        def one():
            outs.append(relay.drain('--all'))
        threads = [threading.Thread(target=one) for _ in range(4)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert sum(n[0] for _, n in outs) == 6, outs
        assert accepted(bot) == 6 and relay.pending() == []
        bodies = [r['body'] for r in bot.received if r['accepted']]
        assert len(set(bodies)) == 6, bodies
        relay.balanced()


@test
def check_shows_the_spool():
    with MockRobot('json') as bot, Relay([bot]) as relay:
        out = relay.cli('--check')
        assert 'spool %s' % relay.spool in out, out
        assert 'state %s' % relay.state in out, out


if __name__ == '__main__':
    main()
