"""When libcrypto cannot be opened: a 500 that names it, never "duplicate".

The relay hashes each event to recognise PGYER's retries, and each robot
URL to keep its rate limit.  Before, a libcrypto that did not open left
every hash as zeros: the first event was sent, and every later one,
whatever it said, was answered "duplicate" and never sent; all robots
shared one rate bucket; signing failures read "secret too long".

The binary here is the relay built to open a libcrypto soname that no
system has (`make nocrypto`, $BUILD/nocrypto/); the test is skipped with
one line when it is not built.

Run from the repository root, after `make nocrypto`:
    python3 tests/cgi/test_nocrypto.py
"""
import os
import shutil
import sys
import tempfile

sys.path.insert(0, os.path.join(os.path.dirname(__file__), '..', 'lib'))
from cgirun import APP, ROOT, config_for, event_body, run_cgi  # noqa: E402
from harness import main, test  # noqa: E402
from mockrobot import MockRobot  # noqa: E402

SONAME = 'libcrypto-absent-for-a-test.so.0'


def nocrypto_binary():
    build = os.environ.get('BUILD') or 'build'
    for cand in (os.path.join(ROOT, build, 'nocrypto', 'pgyer-relay.cgi'),
                 os.path.join(build, 'nocrypto', 'pgyer-relay.cgi')):
        if os.access(cand, os.X_OK):
            return os.path.abspath(cand)
    return None


def names_the_library(text):
    return SONAME in text and 'install libssl3' in text


class StateDir:
    def __enter__(self):
        self.path = tempfile.mkdtemp(prefix='pgyer-relay-nocrypto-')
        os.chmod(self.path, 0o700)
        return self.path

    def __exit__(self, *exc):
        shutil.rmtree(self.path, ignore_errors=True)


@test
def events_are_refused_not_duplicates():
    """Two different events, and one of them again: each a 500 naming
    the library; none is answered "duplicate", none reaches the robot
    half-checked."""
    with MockRobot('wecom') as bot, StateDir() as state:
        cfg = config_for([bot], state_dir=state)
        for ts in (1594781454, 1594781455, 1594781454):
            r = run_cgi(cfg, event_body(timestamp=ts), query='app=' + APP)
            assert r.status == 500, r
            assert names_the_library(r.stderr), r
            assert not (r.json or {}).get('duplicate'), r
            assert SONAME not in r.body.decode(), r
        assert bot.received == [], bot.received


@test
def rate_limits_are_not_shared():
    """Without the duplicate filter, the rate limiter cannot name the
    robot's bucket: it says why and sends, rather than putting every
    robot in one bucket."""
    with MockRobot('wecom') as a, MockRobot('wecom', token='t2') as b, \
            StateDir() as state:
        cfg = config_for([a, b], state_dir=state, dedup_seconds=0)
        r = run_cgi(cfg, event_body(), query='app=' + APP)
        assert r.status == 200, r
        assert r.json['delivered'] == 2, r
        assert names_the_library(r.stderr), r
        assert len(a.received) == 1 and len(b.received) == 1
        rate = os.path.join(state, 'rate')
        assert not os.path.isdir(rate) or os.listdir(rate) == [], rate


@test
def signing_names_the_library():
    """A robot with a secret cannot be signed for: the error says which
    library is missing, not "secret too long"."""
    for kind in ('dingtalk', 'feishu'):
        with MockRobot(kind, secret='SECxyz') as bot:
            r = run_cgi(config_for([bot]), event_body(), query='app=' + APP)
            assert r.status >= 500, r
            err = r.json['webhooks'][0]['error']
            assert SONAME in err and 'too long' not in err, r
            assert bot.received == [], bot.received


if __name__ == '__main__':
    BIN = nocrypto_binary()
    if BIN is None:
        print('skip test_nocrypto.py: no $BUILD/nocrypto/pgyer-relay.cgi '
              '(make nocrypto)')
        print('0 passed, 0 failed')
        sys.exit(0)
    os.environ['PGYER_RELAY_BIN'] = BIN
    main()
