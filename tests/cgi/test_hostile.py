"""Hostile requests: each ends in a clear 4xx, or the deadline,
never a crash or a hang, and nothing is sent to any robot.

Run from the repository root:
    PGYER_RELAY_BIN=cgi-bin/pgyer-relay.cgi python3 tests/cgi/test_hostile.py
"""
import json
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(__file__), '..', 'lib'))
from cgirun import APP, SLOW, config_for, event_body, run_cgi  # noqa: E402
from harness import main, test  # noqa: E402
from mockrobot import MockRobot  # noqa: E402

QUERY = 'app=' + APP


def refused(body, status=400, reason=None, cfg=None, **kw):
    """Posts body to a relay with a json robot; checks the refusal and
    that the robot got nothing.  Returns the error text."""
    with MockRobot('json') as bot:
        r = run_cgi(cfg or config_for([bot]), body, query=QUERY, **kw)
        assert r.status == status, r
        assert isinstance(r.json, dict) and set(r.json) == {'error'}, r
        assert bot.received == [], bot.received
    err = r.json['error']
    if reason is not None:
        assert reason in err, err
    return err


def delivered(body, cfg_extra=None):
    """Posts body; checks the json robot got it whole; returns the robot's
    copy."""
    with MockRobot('json') as bot:
        cfg = config_for([bot], **(cfg_extra or {}))
        r = run_cgi(cfg, body, query=QUERY)
        assert r.status == 200, r
        assert len(bot.received) == 1, bot.received
        return bot.received[0]['body']


@test
def deep_nesting():
    deep = b'[' * 30000 + b']' * 30000
    refused(b'{"type":"updateVersion","x":' + deep + b'}',
            reason='nesting')
    refused(b'{"type":"updateVersion","x":' + b'{"a":' * 40 + b'1' +
            b'}' * 40 + b'}', reason='nesting')


@test
def megabyte_string():
    big = 'x' * (1024 * 1024)
    # Over the default max_body_bytes: 413, drained.
    refused(event_body(notes=big), status=413, reason='max_body_bytes')
    # Within a larger limit the field is cut, the robot gets the original.
    body = event_body(notes='应' * (400 * 1024))
    assert delivered(body, {'max_body_bytes': 2 * 1024 * 1024}) == body
    with MockRobot('wecom') as bot:
        r = run_cgi(config_for([bot], max_body_bytes=2 * 1024 * 1024),
                    body, query=QUERY)
        assert r.status == 200, r
        content = bot.received[0]['json']['markdown']['content']
        assert len(content.encode('utf-8')) <= 4096, len(content)


@test
def invalid_utf8():
    refused(b'{"type":"updateVersion","title":"\xff\xfe"}')
    # Also in a value the relay skips: the json robot forwards the body.
    refused(b'{"type":"updateVersion","other":"\xc0\xaf"}', reason='UTF-8')
    refused(b'{"type":"updateVersion","title":"\xed\xa0\x80"}')


@test
def nul_bytes():
    refused(b'{"type":"updateVersion","title":"a\x00b"}')
    refused(b'{"type":"updateVersion","title":"a\\u0000b"}', reason='NUL')
    refused(b'{"type":"updateVersion"}\x00')


@test
def duplicate_keys():
    refused(b'{"type":"updateVersion","type":"feedback"}',
            reason='duplicate')
    refused(b'{"type":"updateVersion","Type":"feedback"}',
            reason='duplicate')


@test
def huge_numbers():
    # "timestamp" is only decoration: unreadable, it is ignored.
    for body in (event_body(timestamp=10 ** 30),
                 b'{"type":"updateVersion","timestamp":1e400}',
                 b'{"type":"updateVersion","timestamp":-1}'):
        assert delivered(body) == body
    # A huge number where any value is allowed is kept as text.
    body = event_body(appsize=int('9' * 400))
    assert delivered(body) == body


@test
def truncated_json():
    body = event_body()
    for cut in (1, len(body) // 2, len(body) - 1):
        err = refused(body[:cut])
        assert '"' not in err or 'updateVersion' not in err, err


@test
def content_length_lies():
    body = event_body()
    # Shorter than the body: exactly that much is read, so JSON is cut.
    refused(body, content_length=str(len(body) - 5))
    # Longer: stdin ends first.
    refused(body, content_length=str(len(body) + 5), reason='ended')
    refused(body, content_length='-1', reason='CONTENT_LENGTH')
    refused(body, content_length='12abc', reason='CONTENT_LENGTH')
    refused(body, content_length='99999999999999999999999999',
            reason='CONTENT_LENGTH')
    refused(body, status=413, content_length=str(10 ** 9))


@test
def stalled_client():
    # A client that sends part of its body and stops: 408 by the config's
    # read deadline, with or without a length.
    part = event_body()[:20]
    for length in (str(len(event_body())), None):
        with MockRobot('json') as bot:
            cfg = config_for([bot], read_timeout_ms=1000)
            r = run_cgi(cfg, part, query=QUERY, content_length=length,
                        hold_stdin=True)
            assert r.status == 408, r
            assert 'in time' in r.json['error'], r
            assert r.elapsed < 10 * SLOW, r.elapsed
            assert bot.received == []


@test
def not_an_object():
    for body in (b'[]', b'"updateVersion"', b'42', b'null', b'   '):
        refused(body)


@test
def control_characters_are_escaped():
    # Control characters reach the robot escaped inside valid JSON.
    with MockRobot('wecom') as bot:
        body = event_body(title='a\u0001b\u001b[31mred', notes='x\ty\r\nz')
        r = run_cgi(config_for([bot]), body, query=QUERY)
        assert r.status == 200, r
        raw = bot.received[0]['body']
        json.loads(raw)
        assert b'\x01' not in raw and b'\x1b' not in raw, raw
        assert '\x1b' not in r.stderr


if __name__ == '__main__':
    main()
