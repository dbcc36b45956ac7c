"""Directories the relay owns, records it did not write, the spool's cap.

- spool_dir, its dead/ and state_dir must belong to the running user, not
  be writable by group or others, and not be symbolic links: otherwise
  every request is answered 500 with the reason in the error log, and
  --check says what is wrong.
- A record in spool_dir that the relay did not write (another owner, or
  readable by others) is quarantined and never sent.
- spool_max_mb: past it, a retryable failure is answered 503 with
  Retry-After instead of 202, and nothing is kept.
- --init creates the directories for the user who runs it.

Run from the repository root:
    PGYER_RELAY_BIN=cgi-bin/pgyer-relay.cgi python3 tests/cgi/test_dirs.py
"""
import json
import os
import shutil
import stat
import subprocess
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(__file__), '..', 'lib'))
from cgirun import APP, binary, event_body, run_cgi  # noqa: E402
from harness import main, test  # noqa: E402
from mockrobot import MockRobot  # noqa: E402
from spoolrelay import Relay, accepted  # noqa: E402

NOBODY = 65534


def refused_500(relay, why):
    """Every request is refused 500, the reason in the log only."""
    r = run_cgi(relay.cfg, relay.event(), query='app=' + APP)
    assert r.status == 500, r
    assert why not in r.body.decode(), r
    assert why in r.stderr, r.stderr
    out = subprocess.run([binary(), '--check', relay.path],
                         capture_output=True, text=True, timeout=30)
    assert why in out.stderr, out


def fresh(relay):
    """The spool directory made by a first request."""
    relay.post(status=200)
    assert os.path.isdir(os.path.join(relay.spool, 'dead'))


@test
def world_writable_spool_dir():
    with MockRobot('json') as bot, Relay([bot]) as relay:
        fresh(relay)
        os.chmod(relay.spool, 0o777)
        refused_500(relay, 'writable by group or others')
        assert accepted(bot) == 1


@test
def group_writable_state_dir():
    with MockRobot('json') as bot, Relay([bot]) as relay:
        os.chmod(relay.state, 0o770)
        refused_500(relay, 'writable by group or others')
        assert accepted(bot) == 0


@test
def foreign_spool_dir():
    with MockRobot('json') as bot, Relay([bot]) as relay:
        if os.geteuid() != 0:
            os.mkdir(relay.spool, 0o700)
            # Not root: make it look foreign by checking the message of a
            # directory we cannot own; nothing else to do here.
            return
        fresh(relay)
        os.chown(relay.spool, NOBODY, NOBODY)
        refused_500(relay, 'belongs to uid %d' % NOBODY)


@test
def dead_dir_is_a_symlink():
    with MockRobot('json') as bot, Relay([bot]) as relay:
        fresh(relay)
        elsewhere = os.path.join(relay.dir, 'elsewhere')
        os.mkdir(elsewhere, 0o700)
        os.rmdir(os.path.join(relay.spool, 'dead'))
        os.symlink(elsewhere, os.path.join(relay.spool, 'dead'))
        refused_500(relay, 'symbolic link is not followed')
        assert os.listdir(elsewhere) == []


def plant(relay, mode, owner=None):
    """A record the relay did not write, due now; returns its name."""
    os.makedirs(os.path.join(relay.spool, 'dead'), 0o700, exist_ok=True)
    now = int(time.time())
    rec = {'v': 1, 'app': APP, 'webhook': 'json', 'received': now,
           'attempts': 0, 'next_at': now,
           'body': event_body(title='planted').decode()}
    name = '%010d.000000000.1.%o.json' % (now, mode)
    path = os.path.join(relay.spool, name)
    with open(path, 'w', encoding='utf-8') as f:
        json.dump(rec, f)
    os.chmod(path, mode)
    if owner is not None:
        os.chown(path, owner, owner)
    return name


@test
def planted_records_are_quarantined():
    with MockRobot('json') as bot, Relay([bot]) as relay:
        names = [plant(relay, 0o644), plant(relay, 0o640)]
        if os.geteuid() == 0:
            names.append(plant(relay, 0o600, owner=NOBODY))
        out = relay.cli('--drain', '--all', ok=False)
        assert bot.received == [], bot.received
        for name in names:
            assert name in out and 'quarantined' in out, out
            q = name[:-len('.json')] + '.quarantined'
            assert os.path.exists(os.path.join(relay.spool, 'dead', q))
        assert relay.pending() == [] and relay.dead() == []
        status = relay.cli('--spool-status')
        assert 'quarantined: %d ' % len(names) in status, status
        # Quarantined files are not dead records: --requeue cannot send
        # them either.
        out = relay.cli('--requeue')
        assert '0 requeued' in out, out


@test
def over_the_cap_is_503():
    """spool_max_mb 1 and more than 1 MiB dead: a retryable failure is
    not kept; the sender is asked to retry, and its retry goes through."""
    with MockRobot('json', mode='http500') as bot, \
            Relay([bot], spool_max_mb=1) as relay:
        fresh_body = relay.event()
        os.makedirs(os.path.join(relay.spool, 'dead'), 0o700)
        junk = os.path.join(relay.spool, 'dead', 'old.json')
        with open(junk, 'wb') as f:
            f.write(b' ' * (1024 * 1024 + 1))
        os.chmod(junk, 0o600)
        r = run_cgi(relay.cfg, fresh_body, query='app=' + APP)
        assert r.status == 503, r
        assert r.headers.get('retry-after') == '60', r.headers
        assert r.json['failed'] == 1 and r.json['queued'] == 0, r.json
        assert 'spool_max_mb' in r.json['webhooks'][0]['error'], r.json
        assert relay.pending() == []
        # Not marked as seen: the retry is sent.
        bot.mode = 'ok'
        r = run_cgi(relay.cfg, fresh_body, query='app=' + APP)
        assert r.status == 200 and r.json['delivered'] == 1, r
        # Delivered at once: the cap does not matter.
        relay.post(status=200)
        # Under the cap again: queued as usual.
        os.unlink(junk)
        bot.mode = 'http500'
        relay.post(status=202)
        assert len(relay.pending()) == 1


@test
def init_creates_the_directories():
    with MockRobot('json') as bot, Relay([bot]) as relay:
        shutil.rmtree(relay.state)
        if os.geteuid() != 0:
            out = relay.cli('--init')
            want = os.geteuid()
        else:
            # As root it refuses: the CGI runs as the web server's user.
            p = subprocess.run([binary(), '--init', '--config', relay.path],
                               capture_output=True, text=True, timeout=30)
            assert p.returncode == 1 and 'sudo -u www-data' in p.stderr, p
            # As another user (the web server's), it works.
            os.chown(relay.dir, NOBODY, NOBODY)
            os.chmod(relay.path, 0o644)
            p = subprocess.run(['setpriv', '--reuid=%d' % NOBODY,
                                '--regid=%d' % NOBODY, '--clear-groups',
                                binary(), '--init', '--config', relay.path],
                               capture_output=True, text=True, timeout=30)
            assert p.returncode == 0, p
            out = p.stdout
            want = NOBODY
        assert 'ready' in out, out
        for d in (relay.spool, os.path.join(relay.spool, 'dead'),
                  relay.state):
            st = os.lstat(d)
            assert stat.S_ISDIR(st.st_mode) and st.st_uid == want, d
            assert stat.S_IMODE(st.st_mode) == 0o700, (d, st.st_mode)


if __name__ == '__main__':
    main()
