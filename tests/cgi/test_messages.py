"""Messages through the CGI: PGYER's robot-typed payloads refused with what
to do, malformed ?app= and ?token= refused, hostile event text delivered
inert to the mock robots, lenient timestamps, credentials masked by
--dry-run whatever their shape, --check about the example's placeholders.

Run from the repository root:
    PGYER_RELAY_BIN=cgi-bin/pgyer-relay.cgi python3 tests/cgi/test_messages.py
"""
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(__file__), '..', 'lib'))
from cgirun import (APP, config_for, event_body, run_cgi,  # noqa: E402
                    webhook_for)
from harness import main, test  # noqa: E402
from mockrobot import MockRobot  # noqa: E402
from clirun import cli  # noqa: E402

QUERY = 'app=' + APP


@test
def robot_typed_payload_says_choose_other():
    # What PGYER sends when its webhook type is a robot (it formats the
    # message itself): no "type", a "msgtype" / "msg_type".
    with MockRobot('wecom') as bot:
        for body in (b'{"msgtype":"markdown","markdown":{"content":'
                     b'"QQ \\u5e94\\u7528\\u66f4\\u65b0"}}',
                     b'{"msg_type":"post","content":{"post":{}}}'):
            r = run_cgi(config_for([bot]), body, query=QUERY)
            assert r.status == 400, r
            err = r.json['error']
            assert '"Other"' in err and '其他指定URL' in err, err
        assert bot.received == []


@test
def malformed_app_or_token_is_refused_not_replaced():
    with MockRobot('wecom') as bot:
        cfg = config_for([bot], token='t0k')
        for q in ('app=%00', 'app=%zz', 'app=%', 'app=%s&token=%%zz' % APP,
                  'app=%s&token=t0%%00k' % APP):
            r = run_cgi(cfg, event_body(), query=q)
            assert r.status == 400, (q, r)
            assert 'percent-encoded' in r.json['error'], r
        r = run_cgi(cfg, event_body(), query='app=%s&token=t0k' % APP)
        assert r.status == 200, r
        assert len(bot.received) == 1


HOSTILE = dict(
    title='QQ_beta *internal* <font color="warning">红</font>',
    message='[点此领奖](https://evil.example) <@all> @all',
    notes='# 标题\n> 引用\n**粗体** `code`\n<at user_id="all">x</at>\x01',
    device_type='<@zhangsan>')


@test
def hostile_text_arrives_inert():
    with MockRobot('wecom') as wecom, \
            MockRobot('dingtalk', keyword='应用') as ding, \
            MockRobot('feishu') as fei:
        r = run_cgi(config_for([wecom, ding, fei]),
                    event_body(**HOSTILE), query=QUERY)
        assert r.status == 200, r
        for bot in (wecom, ding):
            text = bot.text()
            for active in ('](https://evil', '<@', '<font', '**粗体',
                           '`code`', '\n# 标题', '\n> 引用', '\x01'):
                assert active not in text, (bot.kind, active, text)
            # The link is the event's, and it is a link.
            assert '](https://www.pgyer.com/%s)' % APP in text, text
        post = fei.received[0]['json']['content']['post']['zh_cn']
        tags = [el['tag'] for para in post['content'] for el in para]
        assert set(tags) <= {'text', 'a'}, tags
        assert tags.count('a') == 1, tags


@test
def lenient_timestamps():
    with MockRobot('wecom') as bot:
        cfg = config_for([bot], timezone='Asia/Shanghai')
        for ts, shown in ((1594781454123, '2020-07-15 10:50:54'),
                          ('1594781454', '2020-07-15 10:50:54'),
                          ('', None), ('soon', None), (1.5e300, None)):
            r = run_cgi(cfg, event_body(timestamp=ts, created=None,
                                        updated=None), query=QUERY)
            assert r.status == 200, (ts, r)
            text = bot.text()
            if shown:
                assert shown in text, (ts, text)
            else:
                assert '时间' not in text, (ts, text)
        # PGYER's own "created" comes first.
        r = run_cgi(cfg, event_body(timestamp=1594781456), query=QUERY)
        assert '2020-07-15 10:50:54' in bot.text(), bot.text()
        assert '25.4 MB' in bot.text(), bot.text()


def dry_run(hooks):
    cfg = {'apps': {APP: {'webhooks': hooks}}}
    rc, out, err = cli(['--dry-run', '--app', APP], cfg, stdin=event_body())
    assert rc == 0, err
    return out + err


@test
def dry_run_masks_every_credential():
    out = dry_run([
        {'name': 'f1', 'type': 'feishu', 'events': ['*'],
         'url': 'https://open.feishu.cn/open-apis/bot/v2/hook/shortid1',
         'secret': 'feishu-secret-do-not-print'},
        {'name': 'f2', 'type': 'feishu', 'events': ['*'],
         'url': 'https://open.feishu.cn/open-apis/bot/v2/hook/abc/'},
        {'name': 'd', 'type': 'dingtalk', 'events': ['*'],
         'url': 'https://oapi.dingtalk.com/robot/send?access_token=dtok',
         'secret': 'SECding-secret'},
    ])
    for secret in ('shortid1', 'hook/abc/', 'feishu-secret', 'dtok',
                   'ding-secret'):
        assert secret not in out, (secret, out)
    assert '"sign":"***"' in out, out
    assert 'sign=***' in out, out
    assert out.count('hook/***') == 2, out
    out = dry_run([{'name': 'j', 'type': 'json', 'events': ['*'],
                    'url': 'https://hooks.example.com/in',
                    'secret': 'whsec_c2VjcmV0LWtleS1kby1ub3QtcHJpbnQ='}])
    assert 'webhook-signature: ***' in out, out
    assert 'v1,' not in out and 'c2VjcmV0' not in out, out


@test
def check_warns_about_example_values():
    rc, out, err = cli(['--check', 'etc/config.example.json'])
    assert rc == 0, err
    assert '"token" is the example\'s placeholder' in err, err
    assert err.count('"url" is the example\'s placeholder') == 3, err


def card_config(bots):
    return {'apps': {APP: {'webhooks': [
        webhook_for(b, b.kind, format='card') for b in bots]}}}


@test
def cards_with_a_download_button():
    with MockRobot('wecom') as wecom, \
            MockRobot('dingtalk', secret='SECx', keyword='应用') as ding, \
            MockRobot('feishu', secret='fs', keyword='应用') as fei:
        cfg = card_config([wecom, ding, fei])
        r = run_cgi(cfg, event_body(**HOSTILE), query=QUERY)
        assert r.status == 200, r
        link = 'https://www.pgyer.com/' + APP
        for bot in (wecom, ding, fei):
            rec = bot.received[-1]
            assert rec['accepted'], (bot.kind, rec['errmsg'])
        card = wecom.received[-1]['json']['template_card']
        assert card['card_action'] == {'type': 1, 'url': link}, card
        assert card['main_title']['title'].endswith('…'), card
        ac = ding.received[-1]['json']['actionCard']
        assert ac['singleURL'] == link and '](https://evil' not in ac['text']
        fc = fei.received[-1]['json']['card']
        assert fc['header']['template'] == 'green', fc   # an update
        button = fc['elements'][-1]['actions'][0]
        assert button['url'] == link and '下载' in button['text']['content']
        # An Android build with its QR code: WeCom news, the QR as picture.
        qr = 'https://www.pgyer.com/app/qrcodeHistory/abc'
        r = run_cgi(cfg, event_body(appQRCodeURL=qr), query=QUERY)
        assert r.status == 200, r
        art = wecom.received[-1]['json']['news']['articles'][0]
        assert art['picurl'] == qr and art['url'] == link, art
        assert wecom.received[-1]['accepted']
        r = run_cgi(cfg, event_body(type='feedback'), query=QUERY)
        assert r.status == 200, r
        assert fei.received[-1]['json']['card']['header']['template'] == \
            'orange'


@test
def dry_run_shows_cards():
    with MockRobot('feishu', secret='fs') as fei:
        rc, out, err = cli(['--dry-run', '--app', APP], card_config([fei]),
                           stdin=event_body())
        assert rc == 0, err
        assert fei.received == []
    assert '"msg_type":"interactive"' in out and '"sign":"***"' in out, out


if __name__ == '__main__':
    sys.exit(main())
