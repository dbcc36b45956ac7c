"""The command line: --check, --dry-run, --test, --version, --help.

Run from the repository root:
    PGYER_RELAY_BIN=cgi-bin/pgyer-relay.cgi python3 tests/cgi/test_cli.py
"""
import os
import re
import sys

sys.path.insert(0, os.path.join(os.path.dirname(__file__), '..', 'lib'))
from cgirun import APP, config_for, event_body  # noqa: E402
from clirun import cli  # noqa: E402
from harness import main, test  # noqa: E402
from mockrobot import MockRobot  # noqa: E402

SECRET = 'SECdo-not-print-me-0123456789'
TOKEN = 'tok-do-not-print-me-9876543210'


def secret_config(bots):
    """A config for the mocks whose app has a token (never printed)."""
    return config_for(bots, token=TOKEN)


@test
def version_and_help():
    rc, out, _ = cli(['--version'])
    assert rc == 0 and out.startswith('pgyer-relay '), out
    rc, out, _ = cli(['--help'])
    assert rc == 0 and '--dry-run' in out and '--test' in out, out
    rc, _, err = cli(['--frobnicate'])
    assert rc == 2 and 'usage' in err, err
    rc, _, err = cli([])
    assert rc == 2 and 'usage' in err, err


@test
def version_names_the_libraries():
    """--version: the relay's and the libcurl and OpenSSL it loads."""
    rc, out, err = cli(['--version'])
    lines = out.splitlines()
    assert rc == 0, err
    assert len(lines) == 3, out
    assert re.match(r'libcurl \d+\.\d+\.\d+', lines[1]), out
    assert re.match(r'OpenSSL \d+\.\d+\.\d+', lines[2]), out


@test
def check_example():
    rc, out, err = cli(['--check', 'etc/config.example.json'])
    assert rc == 0, err
    assert 'ok' in out and 'oooplay_test' in out, out
    assert 'wecom' in out and 'dingtalk' in out and 'feishu' in out, out


@test
def check_errors_with_places_and_no_secrets():
    with MockRobot('dingtalk', secret=SECRET) as bot:
        cfg = secret_config([bot])
        hook = cfg['apps'][APP]['webhooks'][0]
        hook['evnts'] = hook.pop('events')
        rc, out, err = cli(['--check'], cfg)
    assert rc == 1, (out, err)
    assert 'apps.%s.webhooks[0].evnts: unknown key' % APP in err, err
    assert 'missing "events"' in err, err
    assert SECRET not in out + err and TOKEN not in out + err
    rc, out, err = cli(['--check', '/nonexistent/config.json'])
    assert rc == 1 and 'cannot read' in err, err


@test
def check_warns_about_no_token():
    with MockRobot('wecom') as bot:
        rc, out, err = cli(['--check'], config_for([bot]))
    assert rc == 0, err
    assert 'has no token' in err, err


@test
def dry_run_prints_masked_requests_and_sends_nothing():
    with MockRobot('dingtalk', secret=SECRET, keyword='应用') as ding, \
            MockRobot('feishu', secret=SECRET) as fei, \
            MockRobot('wecom') as wecom:
        rc, out, err = cli(['--dry-run', '--app', APP],
                           secret_config([ding, fei, wecom]),
                           stdin=event_body())
        assert rc == 0, err
        for bot in (ding, fei, wecom):
            assert bot.received == [], bot.received
    assert out.count('POST http://127.0.0.1') == 3, out
    assert 'access_token=***' in out and 'key=***' in out, out
    assert 'sign=***' in out, out
    assert 'access_token=tok' not in out and 'key=tok' not in out, out
    assert SECRET not in out + err and TOKEN not in out + err
    assert '"msgtype":"markdown"' in out and '"msg_type":"post"' in out


@test
def dry_run_app_from_link_and_refusals():
    with MockRobot('wecom') as bot:
        cfg = config_for([bot])
        rc, out, _ = cli(['--dry-run'], cfg, stdin=event_body())
        assert rc == 0 and 'POST' in out, out
        rc, _, err = cli(['--dry-run'], cfg, stdin=b'{"type":')
        assert rc == 1 and 'invalid event' in err, err
        rc, _, err = cli(['--dry-run', '--app', 'nope'], cfg,
                         stdin=event_body())
        assert rc == 1 and 'nope' in err, err
        assert bot.received == []


@test
def test_sends_the_example_event():
    with MockRobot('dingtalk', secret=SECRET, keyword='应用') as ding, \
            MockRobot('wecom') as wecom:
        rc, out, err = cli(['--test', '--app', APP],
                           secret_config([ding, wecom]))
        assert rc == 0, (out, err)
        assert out.count('delivered') == 2, out
        assert len(ding.received) == 1 and ding.received[0]['accepted']
        assert len(wecom.received) == 1 and wecom.received[0]['accepted']
        assert '应用' in ding.text()


@test
def test_explains_refusals():
    with MockRobot('dingtalk', secret=SECRET) as ding, \
            MockRobot('wecom') as wecom:
        cfg = secret_config([ding, wecom])
        hooks = cfg['apps'][APP]['webhooks']
        hooks[0]['secret'] = 'SECwrong'
        hooks[1]['url'] = hooks[1]['url'].replace('key=tok', 'key=bad')
        rc, out, err = cli(['--test', '--app', APP], cfg)
    assert rc == 1, (out, err)
    assert '310000' in out and '"secret"' in out and 'clock' in out, out
    assert '93000' in out and 'key=' in out, out
    assert 'SECwrong' not in out + err and SECRET not in out + err


@test
def test_one_webhook():
    with MockRobot('wecom') as a, MockRobot('json') as b:
        cfg = config_for([a, b])
        rc, out, err = cli(['--test', '--app', APP, '--webhook', 'json'],
                           cfg)
        assert rc == 0, (out, err)
        assert a.received == [] and len(b.received) == 1
        rc, out, _ = cli(['--test', '--app', APP, '--webhook', 'nope'], cfg)
        assert rc == 1 and 'no such webhook' in out, out


if __name__ == '__main__':
    main()
