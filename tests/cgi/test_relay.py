"""The relay as a CGI program: every status it answers, against mock robots.

Run from the repository root:
    PGYER_RELAY_BIN=cgi-bin/pgyer-relay.cgi python3 tests/cgi/test_relay.py
"""
import json
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(__file__), '..', 'lib'))
from cgirun import (APP, EVENT, SLOW, config_for, event_body,  # noqa: E402
                    run_cgi, webhook_for)
from ports import free_port  # noqa: E402
from harness import main, test  # noqa: E402
from mockrobot import MockRobot  # noqa: E402

PROXY_VARS = ('HTTP_PROXY', 'http_proxy', 'HTTPS_PROXY', 'https_proxy',
              'ALL_PROXY', 'all_proxy')
CUT_MARKS = ('…', '...', '截断', 'truncated')


def summary(r, status):
    """Checks the status and the summary's shape; returns the summary."""
    assert r.status == status, r
    s = r.json
    assert isinstance(s, dict), r
    assert set(s) == {'app', 'type', 'delivered', 'failed', 'webhooks'}, s
    assert isinstance(s['delivered'], int) and isinstance(s['failed'], int)
    assert s['delivered'] + s['failed'] == len(s['webhooks']), s
    for w in s['webhooks']:
        assert set(w) == {'name', 'ok', 'error'}, w
        assert isinstance(w['ok'], bool), w
        assert (w['error'] is None) == w['ok'], w
        assert w['ok'] or isinstance(w['error'], str) and w['error'], w
    return s


def error(r, status):
    """Checks a refusal: the status and {"error": "..."}; returns it."""
    assert r.status == status, r
    assert isinstance(r.json, dict) and set(r.json) == {'error'}, r
    assert isinstance(r.json['error'], str) and r.json['error'], r
    return r.json['error']


def by_name(s):
    return {w['name']: w for w in s['webhooks']}


def one(bot):
    """The only request bot received, which it must have accepted."""
    assert len(bot.received) == 1, bot.received
    rec = bot.received[0]
    assert rec['accepted'], (rec['errcode'], rec['errmsg'])
    return rec


# --- 200 ---------------------------------------------------------------

@test
def delivered_to_three_robots():
    with MockRobot('wecom') as wc, \
            MockRobot('dingtalk', secret='SECd1', keyword='应用') as dt, \
            MockRobot('feishu', secret='fsSecret') as fs:
        r = run_cgi(config_for([wc, dt, fs]), event_body())
        s = summary(r, 200)
        assert s == {'app': APP, 'type': 'updateVersion', 'delivered': 3,
                     'failed': 0, 'webhooks': [
                         {'name': 'wecom', 'ok': True, 'error': None},
                         {'name': 'dingtalk', 'ok': True, 'error': None},
                         {'name': 'feishu', 'ok': True, 'error': None}]}, s
        for bot in (wc, dt, fs):
            rec = one(bot)
            assert rec['headers'].get('content-type', '').startswith(
                'application/json'), rec['headers']
            assert rec['headers'].get('user-agent', '').startswith(
                'pgyer-relay/'), rec['headers']
            text = bot.text()
            assert 'QQ' in text and '0.4.0' in text, (bot.kind, text)
        assert 'timestamp' in dt.received[0]['query']
        assert 'sign' in fs.received[0]['json']


@test
def nothing_subscribed():
    with MockRobot('wecom') as wc:
        r = run_cgi(config_for([wc], events=['feedback']), event_body())
        s = summary(r, 200)
        assert (s['delivered'], s['failed'], s['webhooks']) == (0, 0, []), s
        assert wc.received == []


@test
def content_type_with_parameters():
    with MockRobot('json') as bot:
        r = run_cgi(config_for([bot]), event_body(),
                    content_type='Application/JSON; charset=UTF-8')
        summary(r, 200)
        one(bot)


@test
def body_without_content_length():
    # Apache passes a chunked body with CONTENT_LENGTH unset: read to EOF.
    with MockRobot('json') as bot:
        r = run_cgi(config_for([bot]), event_body(), content_length=None)
        summary(r, 200)
        assert one(bot)['body'] == event_body()


@test
def log_line_per_delivery():
    with MockRobot('wecom') as wc, MockRobot('json') as js:
        cfg = config_for([wc, js])
        r = run_cgi(cfg, event_body())
        summary(r, 200)
        lines = r.stderr.splitlines()
        for name in ('wecom', 'json'):
            assert any(name in x and 'ms=' in x for x in lines), r.stderr
        assert all(x.startswith('pgyer-relay: ') for x in lines), r.stderr


# --- 400 ---------------------------------------------------------------

@test
def invalid_json():
    body = b'{"type":"updateVersion","title":"CANARY-TITLE-93", "x": tru}'
    with MockRobot('json') as bot:
        r = run_cgi(config_for([bot]), body)
        msg = error(r, 400)
        assert len(msg) < 200, msg
        assert 'CANARY' not in msg and 'CANARY' not in r.stderr, r
        assert bot.received == []


@test
def invalid_json_truncated_and_not_an_object():
    with MockRobot('json') as bot:
        for body in (event_body()[:-1], b'[]', b'"updateVersion"', b'{}{}',
                     b'{"type":"a"} x', b'\xff\xfe{"type":"a"}'):
            r = run_cgi(config_for([bot]), body)
            error(r, 400)
        assert bot.received == []


@test
def empty_body():
    with MockRobot('json') as bot:
        error(run_cgi(config_for([bot]), b''), 400)
        error(run_cgi(config_for([bot]), b'', content_length=None), 400)
        error(run_cgi(config_for([bot]), b'', content_length=''), 400)
        assert bot.received == []


@test
def no_type():
    with MockRobot('json') as bot:
        error(run_cgi(config_for([bot]), event_body(type=None)), 400)
        error(run_cgi(config_for([bot]), event_body(type='')), 400)
        assert bot.received == []


@test
def content_length_longer_than_body():
    body = event_body()
    with MockRobot('json') as bot:
        r = run_cgi(config_for([bot]), body,
                    content_length=str(len(body) + 10))
        error(r, 400)
        for bad in ('12abc', '-1', ' 5'):
            error(run_cgi(config_for([bot]), body, content_length=bad), 400)
        assert bot.received == []


@test
def content_length_shorter_reads_only_that_much():
    # RFC 3875 4.2: never read past CONTENT_LENGTH.
    body = event_body()
    with MockRobot('json') as bot:
        r = run_cgi(config_for([bot]), body + b'garbage after the body',
                    content_length=str(len(body)))
        summary(r, 200)
        assert one(bot)['body'] == body


@test
def no_app():
    with MockRobot('json') as bot:
        error(run_cgi(config_for([bot]), event_body(link=None)), 400)
        assert bot.received == []


# --- 403 ---------------------------------------------------------------

@test
def token_missing_or_wrong():
    with MockRobot('json') as bot:
        cfg = config_for([bot], token='appTok-1234')
        error(run_cgi(cfg, event_body()), 403)
        error(run_cgi(cfg, event_body(), query='token=appTok-123'), 403)
        error(run_cgi(cfg, event_body(), query='token=appTok-12345'), 403)
        error(run_cgi(cfg, event_body(), query='token='), 403)
        assert bot.received == []
        summary(run_cgi(cfg, event_body(), query='token=appTok-1234'), 200)
        one(bot)


# --- 404 ---------------------------------------------------------------

@test
def unknown_app():
    with MockRobot('json') as bot:
        cfg = config_for([bot])
        error(run_cgi(cfg, event_body(), query='app=nope'), 404)
        error(run_cgi(cfg, event_body(link='https://www.pgyer.com/nope')),
              404)
        assert bot.received == []


# --- 405, 413, 415 -----------------------------------------------------

@test
def method_not_post():
    with MockRobot('json') as bot:
        for method in ('GET', 'HEAD', 'PUT'):
            r = run_cgi(config_for([bot]), b'' if method != 'PUT' else
                        event_body(), method=method,
                        content_length=None if method != 'PUT' else 'auto')
            error(r, 405)
            assert r.headers.get('allow') == 'POST', r.headers
        assert bot.received == []


@test
def too_large_with_content_length():
    body = event_body(notes='x' * 300000)
    with MockRobot('json') as bot:
        r = run_cgi(config_for([bot], max_body_bytes=4096), body)
        error(r, 413)
        assert not r.stdin_left, 'the body was not drained'
        assert bot.received == []


@test
def too_large_without_content_length():
    body = event_body(notes='x' * 300000)
    with MockRobot('json') as bot:
        r = run_cgi(config_for([bot], max_body_bytes=4096), body,
                    content_length=None)
        error(r, 413)
        assert not r.stdin_left, 'the body was not drained'
        assert bot.received == []


@test
def exactly_max_body_bytes():
    body = event_body(notes='x' * 2000)
    with MockRobot('json') as bot:
        cfg = config_for([bot], max_body_bytes=len(body))
        summary(run_cgi(cfg, body), 200)
        summary(run_cgi(cfg, body, content_length=None), 200)
        error(run_cgi(cfg, body + b' '), 413)
        error(run_cgi(cfg, body + b' ', content_length=None), 413)


@test
def unsupported_media_type():
    with MockRobot('json') as bot:
        for ct in ('text/plain', 'application/x-www-form-urlencoded',
                   'application/jsonp', '', None):
            r = run_cgi(config_for([bot]), event_body(), content_type=ct)
            error(r, 415)
        assert bot.received == []


# --- 500 ---------------------------------------------------------------

def broken_config(cfg, place):
    """A request with a broken config: 500, generic body, place on stderr."""
    r = run_cgi(cfg, event_body())
    msg = error(r, 500)
    if place is not None:
        assert place in r.stderr, r.stderr
        assert place not in msg, msg
    return r


@test
def config_not_json():
    r = broken_config('{"apps": {"oooplay_test": ', None)
    assert r.stderr.strip(), 'no error on stderr'


@test
def config_unknown_key():
    with MockRobot('json') as bot:
        cfg = config_for([bot])
        wh = cfg['apps'][APP]['webhooks'][0]
        wh['evnts'] = wh.pop('events')
        broken_config(cfg, 'apps.%s.webhooks[0].evnts' % APP)
        assert bot.received == []


@test
def config_errors_with_places():
    with MockRobot('json') as bot:
        cfg = config_for([bot])
        cfg['apps'][APP]['webhooks'] *= 4
        broken_config(cfg, 'apps.%s.webhooks' % APP)
        cfg = config_for([bot])
        cfg['apps'][APP]['webhooks'][0]['url'] = 'http://example.com/hook'
        broken_config(cfg, 'apps.%s.webhooks[0].url' % APP)
        cfg = config_for([bot], timeout_ms='soon')
        broken_config(cfg, 'timeout_ms')
        cfg = config_for([bot])
        cfg['apps'][APP]['webhooks'][0]['template'] = '{titel}'
        broken_config(cfg, 'titel')


@test
def config_missing_file():
    with MockRobot('json') as bot:
        r = run_cgi(config_for([bot]), event_body(), env={
            'PGYER_RELAY_CONFIG': '/nonexistent/pgyer-relay.json'})
        msg = error(r, 500)
        assert 'nonexistent' not in msg, msg


# --- 502 ---------------------------------------------------------------

@test
def robot_refuses_wrong_key():
    with MockRobot('wecom', token='right') as wc, MockRobot('json') as js:
        cfg = config_for([wc, js])
        cfg['apps'][APP]['webhooks'][0]['url'] = wc.url.replace(
            'key=right', 'key=wrong')
        s = summary(run_cgi(cfg, event_body()), 502)
        assert (s['delivered'], s['failed']) == (1, 1), s
        w = by_name(s)
        assert '93000' in w['wecom']['error'], w
        assert w['json']['ok'], w
        assert wc.received[0]['errcode'] == 93000


@test
def robot_refuses_bad_signature():
    with MockRobot('dingtalk', secret='real') as dt, \
            MockRobot('feishu', secret='real') as fs:
        cfg = config_for([dt, fs])
        for wh in cfg['apps'][APP]['webhooks']:
            wh['secret'] = 'wrong'
        s = summary(run_cgi(cfg, event_body()), 502)
        w = by_name(s)
        assert '310000' in w['dingtalk']['error'], w
        assert '19021' in w['feishu']['error'], w


@test
def robot_refusals_each_kind():
    cases = [('wecom', 'errcode', '93000'), ('dingtalk', 'errcode', '300005'),
             ('feishu', 'errcode', '19001'),
             ('wecom', 'ratelimit', '45009'),
             ('dingtalk', 'ratelimit', '130101'),
             ('feishu', 'ratelimit', '11232')]
    for kind, mode, code in cases:
        with MockRobot(kind, mode=mode) as bot:
            s = summary(run_cgi(config_for([bot]), event_body()), 502)
            assert code in s['webhooks'][0]['error'], (kind, mode, s)


@test
def robot_broken_replies():
    for kind in ('wecom', 'dingtalk', 'feishu', 'json'):
        for mode in ('http500', 'close'):
            with MockRobot(kind, mode=mode) as bot:
                s = summary(run_cgi(config_for([bot]), event_body()), 502)
                assert len(bot.received) == 1, (kind, mode)
                if mode == 'close':
                    assert 'without a reply' in s['webhooks'][0]['error'], s
    for kind in ('wecom', 'dingtalk', 'feishu'):
        with MockRobot(kind, mode='garbage') as bot:
            summary(run_cgi(config_for([bot]), event_body()), 502)


@test
def robot_not_listening():
    with MockRobot('json') as bot:
        cfg = config_for([bot])
        cfg['apps'][APP]['webhooks'][0]['url'] = \
            'http://127.0.0.1:%d/hook' % free_port()
        s = summary(run_cgi(cfg, event_body()), 502)
        assert 'cannot connect' in s['webhooks'][0]['error'], s


@test
def timeout_and_refusal_is_502():
    with MockRobot('json', mode='hang') as slow, \
            MockRobot('wecom', mode='errcode') as bad:
        r = run_cgi(config_for([slow, bad], timeout_ms=1000), event_body())
        summary(r, 502)


# --- 504 ---------------------------------------------------------------

@test
def robot_slower_than_timeout():
    with MockRobot('wecom', mode='hang') as slow, MockRobot('json') as fast:
        r = run_cgi(config_for([slow, fast], timeout_ms=1000), event_body())
        s = summary(r, 504)
        assert (s['delivered'], s['failed']) == (1, 1), s
        assert '1000 ms' in by_name(s)['wecom']['error'], s
        # answered by about the deadline (valgrind: a wider margin)
        assert r.elapsed < 1.0 + 1.5 * SLOW, r.elapsed


@test
def robot_delay_over_timeout():
    with MockRobot('feishu', delay=3) as slow:
        r = run_cgi(config_for([slow], timeout_ms=500), event_body())
        summary(r, 504)
        assert r.elapsed < 0.5 + 1.5 * SLOW, r.elapsed


# --- what the response and the log never say ---------------------------

SECRETS = ['wcKEY-7f3a9c', 'dtTOK-5b2e', 'dtSEC-91', 'fsHOOK-c0ffee',
           'fsSEC-77', 'appTOK-4d4d', '127.0.0.1', 'http://']


def secret_bots(mode):
    return [MockRobot('wecom', token='wcKEY-7f3a9c', mode=mode),
            MockRobot('dingtalk', token='dtTOK-5b2e', secret='dtSEC-91',
                      keyword='应用', mode=mode),
            MockRobot('feishu', token='fsHOOK-c0ffee1234567890',
                      secret='fsSEC-77', mode=mode)]


@test
def nothing_secret_in_output():
    for mode, status, timeout in (('ok', 200, 5000), ('errcode', 502, 5000),
                                  ('close', 502, 5000), ('hang', 504, 800)):
        bots = secret_bots(mode)
        try:
            cfg = config_for(bots, token='appTOK-4d4d', timeout_ms=timeout)
            runs = [run_cgi(cfg, event_body(), query='token=appTOK-4d4d'),
                    run_cgi(cfg, event_body(), query='token=appTOK-4d4e')]
        finally:
            for b in bots:
                b.close()
        assert runs[0].status == status, (mode, runs[0])
        assert runs[1].status == 403, (mode, runs[1])
        for r in runs:
            out = r.body.decode('utf-8', 'replace') + r.stderr
            for secret in SECRETS:
                assert secret not in out, (mode, secret, out)


# --- messages ----------------------------------------------------------

@test
def keyword_added_when_missing():
    with MockRobot('dingtalk', keyword='KW应用') as dt, \
            MockRobot('feishu', keyword='KWfs') as fs:
        cfg = config_for([dt, fs])
        for wh in cfg['apps'][APP]['webhooks']:
            wh['template'] = '{title} {os_version} {link}'
        s = summary(run_cgi(cfg, event_body()), 200)
        assert s['delivered'] == 2, s
        for bot, kw in ((dt, 'KW应用'), (fs, 'KWfs')):
            one(bot)
            assert kw in bot.text(), (bot.kind, bot.text())
            assert 'QQ 0.4.0' in bot.text(), (bot.kind, bot.text())


@test
def keyword_only_in_link_is_not_enough_for_feishu():
    # Feishu does not look in href: "pgyer" in the link must not count.
    with MockRobot('feishu', keyword='pgyer') as fs:
        cfg = config_for([fs])
        cfg['apps'][APP]['webhooks'][0]['template'] = '{title} {link}'
        summary(run_cgi(cfg, event_body()), 200)
        one(fs)


@test
def custom_template():
    with MockRobot('wecom') as wc:
        cfg = config_for([wc])
        cfg['apps'][APP]['webhooks'][0]['template'] = \
            '{title} {os_version} ({build_version}) is ready: {link} {app}'
        summary(run_cgi(cfg, event_body()), 200)
        one(wc)
        assert 'QQ 0.4.0 (2) is ready: https://www.pgyer.com/%s %s' % (
            APP, APP) in wc.text(), wc.text()


@test
def english_and_chinese():
    texts = []
    for lang in ('en', 'zh'):
        with MockRobot('wecom') as wc:
            summary(run_cgi(config_for([wc], language=lang), event_body()),
                    200)
            one(wc)
            texts.append(wc.text())
            assert 'QQ' in texts[-1] and '0.4.0' in texts[-1], texts[-1]
    assert texts[0] != texts[1], texts


@test
def json_type_forwards_body_byte_for_byte():
    body = ('{ "type" : "updateVersion",\n\t"title":"Q\\u0051 应用",'
            '"link":"https://www.pgyer.com/%s" , "x":[1,2.50,{"y":null}],'
            '"Notes":"\\ud83d\\ude00" }' % APP).encode('utf-8')
    with MockRobot('json') as bot:
        summary(run_cgi(config_for([bot]), body), 200)
        rec = one(bot)
        assert rec['body'] == body, rec['body']
        assert rec['headers']['content-type'].startswith('application/json')


@test
def long_chinese_text_is_cut():
    long = '这是一段很长的更新说明，包含中文字符。' * 400
    body = event_body(notes=long, message=long, title='长' * 3000)
    with MockRobot('wecom') as wc, \
            MockRobot('dingtalk', keyword='应用') as dt, \
            MockRobot('feishu', keyword='应用') as fs:
        r = run_cgi(config_for([wc, dt, fs], max_body_bytes=262144), body)
        s = summary(r, 200)
        assert s['delivered'] == 3, s
        for bot in (wc, dt, fs):
            rec = one(bot)
            text = bot.text()
            assert long not in text, bot.kind
            assert any(m in text for m in CUT_MARKS), (bot.kind, text[-200:])
            assert '\ufffd' not in text, bot.kind
            if bot.kind != 'wecom':
                assert len(rec['body']) <= 20000, (bot.kind, len(rec['body']))
        assert len(wc.received[0]['json']['markdown']['content'].encode()) \
            <= 4096


@test
def mentions():
    with MockRobot('wecom') as wc, MockRobot('dingtalk') as dt, \
            MockRobot('feishu') as fs:
        cfg = config_for([wc, dt, fs])
        hooks = cfg['apps'][APP]['webhooks']
        hooks[0]['at_mobiles'] = hooks[1]['at_mobiles'] = ['13800000000']
        hooks[2]['at_all'] = True
        summary(run_cgi(cfg, event_body(notes='说明' * 2000)), 200)
        m = one(wc)['json']
        assert m['msgtype'] == 'text', m
        assert '13800000000' in m['text']['mentioned_mobile_list'], m
        m = one(dt)['json']
        assert '13800000000' in m['at']['atMobiles'], m
        assert '@13800000000' in dt.text(), dt.text()
        m = json.dumps(one(fs)['json'])
        assert '"user_id": "all"' in m or 'user_id=\\"all\\"' in m, m


# --- routing and subscriptions -----------------------------------------

@test
def routing_by_query_and_by_link():
    with MockRobot('json') as a, MockRobot('json') as b:
        cfg = config_for([a], app='appA')
        cfg['apps']['appB'] = {'webhooks': [webhook_for(b, 'b')]}
        link_a = event_body(link='https://www.pgyer.com/appA')
        s = summary(run_cgi(cfg, link_a), 200)
        assert s['app'] == 'appA' and s['delivered'] == 1, s
        assert (len(a.received), len(b.received)) == (1, 0)
        s = summary(run_cgi(cfg, link_a, query='app=appB'), 200)
        assert s['app'] == 'appB' and s['delivered'] == 1, s
        assert (len(a.received), len(b.received)) == (1, 1)
        no_link = event_body(link=None)
        summary(run_cgi(cfg, no_link, query='x=1&app=appA'), 200)
        assert (len(a.received), len(b.received)) == (2, 1)


@test
def subscription_matching():
    cases = [
        (['crashLog'], 'crash log', 1), (['crash log'], 'crashLog', 1),
        (['crash_log'], 'Crash-Log', 1), (['crash'], 'crash log', 1),
        (['update'], 'updateVersion', 1), (['UPDATE_VERSION'], 'update', 1),
        (['*'], 'someFutureKind', 1), (['feedback'], 'updateVersion', 0),
        (['feedback', 'updateVersion'], 'updateVersion', 1),
        (['crash'], 'feedback', 0),
    ]
    for events, kind, want in cases:
        with MockRobot('json') as bot:
            r = run_cgi(config_for([bot], events=events),
                        event_body(type=kind))
            s = summary(r, 200)
            assert s['delivered'] == want, (events, kind, s)
            assert s['type'] == kind, s
            assert len(bot.received) == want, (events, kind)


@test
def disabled_webhook():
    with MockRobot('json') as on, MockRobot('json') as off:
        cfg = config_for([on, off])
        cfg['apps'][APP]['webhooks'][1]['enabled'] = False
        s = summary(run_cgi(cfg, event_body()), 200)
        assert [w['name'] for w in s['webhooks']] == ['json'], s
        assert (len(on.received), len(off.received)) == (1, 0)


@test
def keys_any_case_and_numbers():
    body = json.dumps({'Type': 'updateVersion', 'Title': 'QQ',
                       'Link': 'https://www.pgyer.com/' + APP,
                       'Os_version': 4.1, 'build_version': 7,
                       'timestamp': 1594781454}).encode()
    with MockRobot('wecom') as wc:
        cfg = config_for([wc])
        cfg['apps'][APP]['webhooks'][0]['template'] = \
            '{title} {os_version} ({build_version})'
        summary(run_cgi(cfg, body), 200)
        one(wc)
        assert 'QQ 4.1 (7)' in wc.text(), wc.text()


# --- delivery ----------------------------------------------------------

@test
def proxy_environment_is_ignored():
    with MockRobot('wecom') as wc, MockRobot('json') as proxy:
        purl = 'http://127.0.0.1:%d' % proxy.port
        r = run_cgi(config_for([wc]), event_body(),
                    env={v: purl for v in PROXY_VARS})
        summary(r, 200)
        one(wc)
        assert proxy.received == [], proxy.received


@test
def proxy_from_config_is_used():
    with MockRobot('json') as target, MockRobot('json') as proxy:
        purl = 'http://127.0.0.1:%d' % proxy.port
        # no_proxy in the environment must not bypass it either
        r = run_cgi(config_for([target], proxy=purl), event_body(),
                    env={'NO_PROXY': '*', 'no_proxy': '*'})
        summary(r, 200)
        assert target.received == [], 'the proxy was bypassed'
        assert len(proxy.received) == 1, proxy.received


@test
def parallel_delivery():
    bots = [MockRobot(k, delay=0.5) for k in ('wecom', 'dingtalk', 'feishu')]
    try:
        r = run_cgi(config_for(bots), event_body())
        summary(r, 200)
        times = [one(b)['time'] for b in bots]
        # one after another, each would arrive 0.5 s after the last
        assert max(times) - min(times) < 0.4, times
        if SLOW == 1:
            assert r.elapsed < 1.2, r.elapsed
    finally:
        for b in bots:
            b.close()


if __name__ == '__main__':
    main()
