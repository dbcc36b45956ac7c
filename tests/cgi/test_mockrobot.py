"""The mock robots refuse what the real services document that they refuse.

The CGI tests trust these mocks to catch a wrong signature, a missing
keyword or an oversized message; this file checks that they do.
"""
import http.client
import json
import os
import socket
import sys
import time
import urllib.error
import urllib.request

sys.path.insert(0, os.path.join(os.path.dirname(__file__), '..', 'lib'))
from harness import main, test  # noqa: E402
from mockrobot import MockRobot, dingtalk_sign, feishu_sign  # noqa: E402


def post(url, obj, timeout=5):
    """POSTs obj (JSON, or bytes as is); returns (status, parsed reply)."""
    data = obj if isinstance(obj, bytes) else \
        json.dumps(obj, ensure_ascii=False).encode()
    req = urllib.request.Request(url, data, {
        'Content-Type': 'application/json'})
    try:
        with urllib.request.urlopen(req, timeout=timeout) as r:
            status, body = r.status, r.read()
    except urllib.error.HTTPError as e:
        status, body = e.code, e.read()
    try:
        return status, json.loads(body)
    except ValueError:
        return status, body


def md(text, title='t'):
    return {'msgtype': 'markdown', 'markdown': {'title': title,
                                                'text': text}}


def post_msg(title, elements):
    return {'msg_type': 'post', 'content': {'post': {'zh_cn': {
        'title': title, 'content': [elements]}}}}


def signed_dingtalk(bot, secret, ts=None):
    from urllib.parse import quote
    ts = ts if ts is not None else int(time.time() * 1000)
    return '%s&timestamp=%d&sign=%s' % (
        bot.url, ts, quote(dingtalk_sign(secret, ts), safe=''))


def signed_feishu(msg, secret, ts=None):
    ts = str(ts if ts is not None else int(time.time()))
    return dict(msg, timestamp=ts, sign=feishu_sign(secret, ts))


@test
def signature_vectors():
    assert dingtalk_sign('secret', 1700000000000) == \
        'OuzzJR5+xZ4/EYwqtNt6sMYZQMTa/HEGvc9miJe7XzY='
    assert dingtalk_sign('secret123', 1700000000000) == \
        'dmKht5wnRNI8D3ORFxZjr58I3IDg5FOcP5dFPicdUYg='
    assert feishu_sign('demo', 1599360473) == \
        'l1N0gAcBjdwBvGm1xMjOF0XSyaLRpR7tuO5dHfhAYc8='
    assert feishu_sign('orbit-test-secret', 1756800000) == \
        'sN+9ZKa5w6BQmKyxCaxNA1DWEgtEnZaOcfEOCqZ26fg='


@test
def wecom_checks_key_and_size():
    with MockRobot('wecom', token='k1') as bot:
        ok = {'msgtype': 'markdown', 'markdown': {'content': '应' * 1365}}
        assert post(bot.url, ok) == (200, {'errcode': 0, 'errmsg': 'ok'})
        assert bot.received[-1]['accepted']
        assert bot.text() == '应' * 1365
        long_md = {'msgtype': 'markdown', 'markdown': {'content': 'x' * 4097}}
        assert post(bot.url, long_md)[1]['errcode'] == 40058
        long_text = {'msgtype': 'text', 'text': {'content': 'x' * 2049}}
        assert post(bot.url, long_text)[1]['errcode'] == 40058
        text = {'msgtype': 'text', 'text': {'content': 'x' * 2048}}
        assert post(bot.url, text)[1]['errcode'] == 0
        bad = bot.url.replace('key=k1', 'key=k2')
        assert post(bad, ok)[1]['errcode'] == 93000
        assert post(bot.url, b'{"msgtype":')[1]['errcode'] == 40058
        assert [r['accepted'] for r in bot.received] == \
            [True, False, False, True, False, False]
        assert bot.received[0]['query'] == {'key': 'k1'}


@test
def dingtalk_checks_sign_keyword_size():
    with MockRobot('dingtalk', token='t1', secret='S3', keyword='应用') as bot:
        good = signed_dingtalk(bot, 'S3')
        assert post(good, md('应用 1.0'))[1]['errcode'] == 0
        assert bot.text() == '应用 1.0'
        assert post(good, md('no keyword'))[1] == {
            'errcode': 310000, 'errmsg': 'keywords not in content'}
        # the keyword in the title is enough, as on DingTalk
        assert post(good, md('body', title='应用'))[1]['errcode'] == 0
        assert post(signed_dingtalk(bot, 'wrong'), md('应用'))[1] == {
            'errcode': 310000, 'errmsg': 'sign not match'}
        old = int(time.time() * 1000) - 3601 * 1000
        assert post(signed_dingtalk(bot, 'S3', old), md('应用'))[1][
            'errcode'] == 310000
        assert post(bot.url, md('应用'))[1]['errcode'] == 310000
        # a sign not URL-encoded: '+' arrives as a space
        for ts in range(1700000000000, 1700000000100):
            s = dingtalk_sign('S3', ts)
            if '+' in s:
                break
        raw = '%s&timestamp=%d&sign=%s' % (bot.url, ts, s)
        assert post(raw, md('应用'))[1]['errcode'] == 310000
        assert post(good, md('应用' + 'x' * 20000))[1]['errcode'] == 460101
        wrong = good.replace('access_token=t1', 'access_token=t2')
        assert post(wrong, md('应用'))[1]['errcode'] == 300005


@test
def feishu_checks_sign_keyword_size():
    with MockRobot('feishu', token='h1', secret='fs', keyword='应用') as bot:
        msg = post_msg('应用 QQ', [{'tag': 'text', 'text': 'line'},
                                 {'tag': 'a', 'text': 'open',
                                  'href': 'https://x/'}])
        status, reply = post(bot.url, signed_feishu(msg, 'fs'))
        assert (status, reply['code']) == (200, 0), reply
        assert reply['StatusCode'] == 0
        assert bot.text() == '应用 QQ\nlineopen'
        # DingTalk's formula is the common bug
        bad = dict(msg, timestamp=str(int(time.time())))
        bad['sign'] = dingtalk_sign('fs', int(bad['timestamp']))
        assert post(bot.url, bad)[1]['code'] == 19021
        old = signed_feishu(msg, 'fs', int(time.time()) - 3601)
        assert post(bot.url, old)[1]['code'] == 19021
        num = signed_feishu(msg, 'fs')
        num['timestamp'] = int(num['timestamp'])
        assert post(bot.url, num)[1]['code'] == 19021
        href_only = post_msg('QQ', [{'tag': 'a', 'text': 'open',
                                     'href': 'https://x/应用'}])
        assert post(bot.url, signed_feishu(href_only, 'fs'))[1][
            'code'] == 19024
        text = {'msg_type': 'text', 'content': {'text': '应用 ok'}}
        assert post(bot.url, signed_feishu(text, 'fs'))[1]['code'] == 0
        big = {'msg_type': 'text', 'content': {'text': '应用' * 4000}}
        assert post(bot.url, signed_feishu(big, 'fs'))[1]['code'] == 9499
        wrong = bot.url.replace('/h1', '/h2')
        assert post(wrong, signed_feishu(text, 'fs'))[1]['code'] == 19001


@test
def json_kind_records_anything():
    with MockRobot('json') as bot:
        assert post(bot.url, b'\x00 not json')[0] == 200
        assert bot.received[0]['body'] == b'\x00 not json'
        assert bot.received[0]['json'] is None
        assert bot.received[0]['path'] == '/hook'


@test
def failure_modes():
    with MockRobot('wecom', mode='http500') as bot:
        assert post(bot.url, md('x'))[0] == 500
    with MockRobot('wecom', mode='errcode') as bot:
        assert post(bot.url, md('x'))[1]['errcode'] == 93000
    with MockRobot('dingtalk', mode='ratelimit') as bot:
        assert post(bot.url, md('x'))[1]['errcode'] == 130101
    with MockRobot('feishu', mode='ratelimit') as bot:
        assert post(bot.url, md('x'))[1]['code'] == 11232
    with MockRobot('wecom', mode='garbage') as bot:
        assert post(bot.url, md('x')) == (
            200, b'<html>this is not JSON</html>')
    with MockRobot('wecom', mode='close') as bot:
        try:
            post(bot.url, md('x'))
            raise AssertionError('a reply from mode close')
        except (http.client.RemoteDisconnected, ConnectionError):
            pass
        assert len(bot.received) == 1
    bot = MockRobot('wecom', mode='hang')
    try:
        post(bot.url, md('x'), timeout=0.3)
        raise AssertionError('a reply from mode hang')
    except (socket.timeout, urllib.error.URLError):
        pass
    t = time.monotonic()
    bot.close()
    assert time.monotonic() - t < 2, 'close() waited for a hung request'


@test
def delay_then_reply():
    with MockRobot('json', delay=0.3) as bot:
        t = time.monotonic()
        assert post(bot.url, b'{}')[0] == 200
        assert time.monotonic() - t >= 0.3


if __name__ == '__main__':
    main()
