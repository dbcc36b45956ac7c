"""A loopback chat robot that checks requests the way the real one does.

    with MockRobot('dingtalk', secret='SEC', keyword='应用') as bot:
        ... put bot.url in a config, run the relay ...
        assert bot.received[0]['accepted'], bot.received[0]['errmsg']

kinds: 'wecom', 'dingtalk', 'feishu' check token, signature, keyword and
size as the services document them and answer with the service's codes
(always HTTP 200):
  https://developer.work.weixin.qq.com/document/path/91770
  https://open.dingtalk.com/document/orgapp/custom-bot-send-message-type
  https://open.feishu.cn/document/client-docs/bot-v3/add-custom-bot
'json' accepts anything.  modes: 'ok', 'http500', 'errcode' (a
non-retryable refusal), 'garbage' (200, not JSON), 'close' (no reply),
'hang' (no reply until close()), 'ratelimit'.
"""
import base64
import hashlib
import hmac
import http.server
import json
import socket
import ssl
import threading
import time
import urllib.parse

KINDS = ('wecom', 'dingtalk', 'feishu', 'json')
MODES = ('ok', 'http500', 'errcode', 'garbage', 'close', 'hang',
         'ratelimit')

FEISHU_OK = {'StatusCode': 0, 'StatusMessage': 'success', 'code': 0,
             'data': {}, 'msg': 'success'}

# What each kind answers in the 'errcode' and 'ratelimit' modes.
REFUSAL = {
    'wecom': (93000, 'invalid webhook url'),
    'dingtalk': (300005, 'token is not exist'),
    'feishu': (19001, 'param invalid: incoming webhook access token '
                      'invalid'),
    'json': (400, 'refused'),
}
RATELIMIT = {
    'wecom': (45009, 'api freq out of limit'),
    'dingtalk': (130101, 'send too fast, exceed 20 times per minute'),
    'feishu': (11232, 'frequency limited'),
    'json': (429, 'too many requests'),
}

HOUR = 3600


class Refused(Exception):
    """A request the robot refuses: its errcode and errmsg."""

    def __init__(self, code, msg):
        super().__init__(msg)
        self.code = code
        self.msg = msg


def dingtalk_sign(secret, ts_ms):
    """base64(HMAC_SHA256(key=secret, msg=ts + "\\n" + secret))."""
    msg = ('%s\n%s' % (ts_ms, secret)).encode()
    mac = hmac.new(secret.encode(), msg, hashlib.sha256).digest()
    return base64.b64encode(mac).decode()


def feishu_sign(secret, ts_s):
    """base64(HMAC_SHA256(key=ts + "\\n" + secret, msg=""))."""
    key = ('%s\n%s' % (ts_s, secret)).encode()
    return base64.b64encode(hmac.new(key, b'', hashlib.sha256).digest()
                            ).decode()


def _strings(v, keys, skip=('href',)):
    """Every string value under one of keys, anywhere in v."""
    out = []
    if isinstance(v, dict):
        for k, x in v.items():
            if k in skip:
                continue
            if isinstance(x, str) and k in keys:
                out.append(x)
            else:
                out.extend(_strings(x, keys, skip))
    elif isinstance(v, list):
        for x in v:
            out.extend(_strings(x, keys, skip))
    return out


def _get(d, *path):
    """d[path[0]][path[1]]..., or None when any step is missing."""
    for k in path:
        if not isinstance(d, dict) or k not in d:
            return None
        d = d[k]
    return d


def _feishu_post_text(post):
    """A post as read: the title, then one line per paragraph."""
    lang = next(iter(post.values()), {}) if isinstance(post, dict) else {}
    lines = [lang.get('title', '')] if lang.get('title') else []
    for para in lang.get('content', []) or []:
        line = ''
        for el in para:
            tag = el.get('tag')
            if tag in ('text', 'a'):
                line += el.get('text', '')
            elif tag == 'at':
                line += '@' + str(el.get('user_name') or el.get('user_id'))
        lines.append(line)
    return '\n'.join(lines)


def message_text(kind, msg):
    """The message of a parsed request body as a person would read it."""
    if not isinstance(msg, dict):
        return ''
    if kind in ('wecom', 'dingtalk'):
        t = msg.get('msgtype')
        if t == 'text':
            return _get(msg, 'text', 'content') or ''
        if t == 'markdown':
            if kind == 'wecom':
                return _get(msg, 'markdown', 'content') or ''
            return _get(msg, 'markdown', 'text') or ''
        if t == 'markdown_v2':
            return _get(msg, 'markdown_v2', 'content') or ''
        return '\n'.join(_strings(msg.get(t), ('title', 'text',
                                               'content')))
    if kind == 'feishu':
        t = msg.get('msg_type')
        if t == 'text':
            return _get(msg, 'content', 'text') or ''
        if t == 'post':
            return _feishu_post_text(_get(msg, 'content', 'post'))
        return '\n'.join(_strings(msg.get('card') or msg.get('content'),
                                  ('title', 'text', 'content')))
    return ''


def _is_url(v):
    return isinstance(v, str) and v.startswith(('https://', 'http://'))


def _text_of(v):
    """A non-empty string, else None."""
    return v if isinstance(v, str) and v else None


def _check_wecom_card(card):
    """template_card text_notice, as WeCom documents it (91770)."""
    if not isinstance(card, dict) or card.get('card_type') != 'text_notice':
        raise Refused(40058, 'invalid template_card.card_type')
    action = card.get('card_action')
    if not isinstance(action, dict) or action.get('type') != 1 or \
            not _is_url(action.get('url')):
        raise Refused(42045, 'Template_Card card_action Missing or Invalid')
    if not _text_of(_get(card, 'main_title', 'title')) and \
            not _text_of(card.get('sub_title_text')):
        raise Refused(40058, 'main_title.title or sub_title_text required')
    rows = card.get('horizontal_content_list', [])
    if not isinstance(rows, list) or len(rows) > 6:
        raise Refused(40058, 'horizontal_content_list: at most 6')
    for row in rows:
        if not _text_of(row.get('keyname')) or \
                not isinstance(row.get('value', ''), str):
            raise Refused(40058, 'horizontal_content_list.keyname required')
    jumps = card.get('jump_list', [])
    if not isinstance(jumps, list) or len(jumps) > 3:
        raise Refused(40058, 'jump_list: at most 3')
    for jump in jumps:
        if not _text_of(jump.get('title')) or \
                (jump.get('type') == 1 and not _is_url(jump.get('url'))):
            raise Refused(40058, 'jump_list.title and url required')


def _check_wecom_news(articles):
    """news: 1 to 8 articles, each with a title and a url (91770)."""
    if not isinstance(articles, list) or not 1 <= len(articles) <= 8:
        raise Refused(40058, 'news.articles: 1 to 8')
    for a in articles:
        if not _text_of(a.get('title')) or not _is_url(a.get('url')):
            raise Refused(40058, 'news.articles: title and url required')
        if len(a['title'].encode()) > 128 or \
                len(a.get('description', '').encode()) > 512:
            # WeCom cuts them without a mark: the relay must not rely on it.
            raise Refused(40058, 'news.articles: title over 128 bytes or '
                          'description over 512')
        if 'picurl' in a and not _is_url(a['picurl']):
            raise Refused(40058, 'news.articles.picurl invalid')


def _check_dingtalk_card(card):
    """actionCard: title, text, and one button or btns."""
    if not isinstance(card, dict) or not _text_of(card.get('title')) or \
            not _text_of(card.get('text')):
        raise Refused(40035, 'missing parameter actionCard.title or text')
    single = _text_of(card.get('singleTitle')) and \
        _is_url(card.get('singleURL'))
    btns = card.get('btns')
    if not single and not (isinstance(btns, list) and btns and all(
            _text_of(b.get('title')) and _is_url(b.get('actionURL'))
            for b in btns)):
        raise Refused(40035, 'missing parameter singleTitle/singleURL '
                      'or btns')


def _check_feishu_card(card):
    """A card of JSON 1.0: header title, elements, link buttons."""
    header = card.get('header')
    if header is not None:
        title = _get(header, 'title', 'content')
        if _get(header, 'title', 'tag') != 'plain_text' or \
                not _text_of(title):
            raise Refused(11310, 'card header title invalid')
        if header.get('template', 'blue') not in (
                'blue', 'wathet', 'turquoise', 'green', 'yellow', 'orange',
                'red', 'carmine', 'violet', 'purple', 'indigo', 'grey',
                'default'):
            raise Refused(11310, 'card header template invalid')
    elements = card.get('elements')
    if not isinstance(elements, list) or not elements:
        raise Refused(11310, 'card elements required')
    for el in elements:
        if el.get('tag') == 'action':
            for b in el.get('actions', []):
                if b.get('tag') != 'button' or \
                        not _text_of(_get(b, 'text', 'content')):
                    raise Refused(11310, 'button: tag and text required')
                if ('url' in b) == ('multi_url' in b) or \
                        ('url' in b and not _is_url(b['url'])):
                    raise Refused(11310, 'button: url or multi_url')
        elif el.get('tag') == 'div':
            if 'text' not in el and 'fields' not in el:
                raise Refused(11310, 'div: text or fields required')
        else:
            raise Refused(11310, 'unknown element tag %r' % el.get('tag'))


class _Server(http.server.ThreadingHTTPServer):
    daemon_threads = True
    tls = None

    def finish_request(self, request, client_address):
        with self.robot._lock:
            self.robot.connections += 1
            self.robot._socks.append(request)
        # The handshake in the request's own thread, not in accept().
        if self.tls is not None:
            try:
                request = self.tls.wrap_socket(request, server_side=True)
            except (ssl.SSLError, OSError):
                return
        super().finish_request(request, client_address)

    def handle_error(self, request, client_address):
        # A hung handler writing to a socket closed under it: expected.
        pass


class _Handler(http.server.BaseHTTPRequestHandler):
    def log_message(self, fmt, *args):
        pass

    def _body(self):
        if 'chunked' in self.headers.get('Transfer-Encoding', '').lower():
            data = b''
            while True:
                size = int(self.rfile.readline().split(b';')[0], 16)
                if size == 0:
                    self.rfile.readline()
                    return data
                data += self.rfile.read(size)
                self.rfile.readline()
        return self.rfile.read(int(self.headers.get('Content-Length', 0)))

    def _reply(self, status, payload):
        body = payload if isinstance(payload, bytes) else \
            json.dumps(payload).encode()
        self.send_response(status)
        self.send_header('Content-Type', 'application/json;charset=UTF-8')
        self.send_header('Content-Length', str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_POST(self):
        self.server.robot._handle(self, self._body())

    def do_GET(self):
        self.server.robot._handle(self, b'')


class _KeepAliveHandler(_Handler):
    # HTTP/1.1: the connection stays open after a reply (RFC 9112 9.3).
    protocol_version = 'HTTP/1.1'
    # Headers and body go out as they are written: with Nagle's
    # algorithm the body would wait for the client's delayed ACK.
    disable_nagle_algorithm = True


class MockRobot:
    def __init__(self, kind, token='tok', secret=None, keyword=None,
                 delay=0.0, mode='ok', tls=None, tokens=(), keepalive=False,
                 port=0):
        if kind not in KINDS:
            raise ValueError('unknown kind %r' % kind)
        if mode not in MODES:
            raise ValueError('unknown mode %r' % mode)
        self.kind = kind
        self.token = token
        self.tokens = (token,) + tuple(tokens)
        self.secret = secret
        self.keyword = keyword
        self.delay = delay
        self.mode = mode
        self.received = []
        # TCP connections accepted: with keepalive=True, a client that
        # reuses its connections makes fewer than its requests.
        self.connections = 0
        self._socks = []
        self._lock = threading.Lock()
        self._closed = threading.Event()
        # Binding fails loudly: no test may pass without its robot.
        # port: a restarted robot takes the port its first run had.
        self._server = _Server(('127.0.0.1', port),
                               _KeepAliveHandler if keepalive else _Handler)
        self._server.robot = self
        self._server.tls = tls
        self.port = self._server.server_address[1]
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={'poll_interval': 0.05},
            daemon=True)
        self._thread.start()

    @property
    def url(self):
        return self.url_for(self.token)

    def url_for(self, token):
        """The robot's URL with token in it."""
        base = '%s://127.0.0.1:%d' % (
            'http' if self._server.tls is None else 'https', self.port)
        q = urllib.parse.quote(token, safe='')
        if self.kind == 'wecom':
            return base + '/cgi-bin/webhook/send?key=' + q
        if self.kind == 'dingtalk':
            return base + '/robot/send?access_token=' + q
        if self.kind == 'feishu':
            return base + '/open-apis/bot/v2/hook/' + q
        return base + '/hook'

    def text(self, i=-1):
        """The message of request i as a person would read it."""
        r = self.received[i]
        if self.kind == 'json':
            return r['body'].decode('utf-8', 'replace')
        return message_text(self.kind, r['json'])

    def close(self):
        self._closed.set()
        self._server.shutdown()
        self._server.server_close()
        # Kept-alive connections end with the robot, as a restart ends
        # them.
        with self._lock:
            for sock in self._socks:
                try:
                    sock.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass
            self._socks = []
        self._thread.join(10)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    # --- one request ---------------------------------------------------

    def _handle(self, h, body):
        split = urllib.parse.urlsplit(h.path)
        rec = {
            'path': split.path,
            'query': dict(urllib.parse.parse_qsl(split.query,
                                                 keep_blank_values=True)),
            'headers': {k.lower(): v for k, v in h.headers.items()},
            'body': body,
            'json': None,
            'accepted': False,
            'errcode': 0,
            'errmsg': '',
            'time': time.monotonic(),
            'method': h.command,
        }
        try:
            rec['json'] = json.loads(body.decode('utf-8'))
        except ValueError:
            pass
        status, reply = self._judge(rec)
        with self._lock:
            self.received.append(rec)
        if self.delay and self._closed.wait(self.delay):
            return
        if self.mode == 'hang':
            self._closed.wait()
            return
        if self.mode == 'close':
            h.close_connection = True
            return
        h._reply(status, reply)

    def _judge(self, rec):
        """Checks rec, fills accepted/errcode/errmsg; returns the reply."""
        if self.mode in ('errcode', 'ratelimit'):
            code, msg = (REFUSAL if self.mode == 'errcode'
                         else RATELIMIT)[self.kind]
            rec['errcode'], rec['errmsg'] = code, msg
            if self.kind == 'json':
                return code, {'error': msg}
            return 200, self._error(code, msg)
        if self.mode == 'http500':
            rec['errcode'], rec['errmsg'] = 500, 'Internal Server Error'
            return 500, b'<html><body>500 Internal Server Error</body></html>'
        if self.mode == 'garbage':
            rec['accepted'] = True
            return 200, b'<html>this is not JSON</html>'
        if self.mode in ('close', 'hang'):
            return 0, b''
        try:
            if rec['method'] != 'POST':
                raise Refused(405, 'method not allowed')
            getattr(self, '_check_' + self.kind)(rec)
        except Refused as r:
            rec['errcode'], rec['errmsg'] = r.code, r.msg
            return 200, self._error(r.code, r.msg)
        rec['accepted'] = True
        if self.kind == 'feishu':
            return 200, FEISHU_OK
        return 200, {'errcode': 0, 'errmsg': 'ok'}

    def _error(self, code, msg):
        if self.kind == 'feishu':
            return {'code': code, 'data': {}, 'msg': msg}
        return {'errcode': code, 'errmsg': msg}

    def _check_json(self, rec):
        pass

    def _check_wecom(self, rec):
        if rec['path'] != '/cgi-bin/webhook/send' or \
                rec['query'].get('key') not in self.tokens:
            raise Refused(93000, 'invalid webhook url, hint: [%d]'
                          % time.time())
        msg = rec['json']
        if not isinstance(msg, dict):
            raise Refused(40058, 'invalid parameter: request body is '
                          'not a JSON object')
        t = msg.get('msgtype')
        limits = {'text': 2048, 'markdown': 4096, 'markdown_v2': 4096}
        if t == 'template_card':
            return _check_wecom_card(msg.get('template_card'))
        if t == 'news':
            return _check_wecom_news(_get(msg, 'news', 'articles'))
        if t not in limits:
            raise Refused(40008, 'invalid message type')
        content = _get(msg, t, 'content')
        if not isinstance(content, str) or content == '':
            raise Refused(40058, '%s.content is required' % t)
        if len(content.encode('utf-8')) > limits[t]:
            raise Refused(40058, '%s.content exceed max length %d'
                          % (t, limits[t]))

    def _check_dingtalk(self, rec):
        q = rec['query']
        if rec['path'] != '/robot/send' or \
                q.get('access_token') not in self.tokens:
            raise Refused(300005, 'token is not exist')
        if self.secret is not None:
            ts = q.get('timestamp', '')
            if not ts.isdigit() or \
                    abs(time.time() * 1000 - int(ts)) > HOUR * 1000:
                raise Refused(310000, 'invalid timestamp')
            if q.get('sign') != dingtalk_sign(self.secret, ts):
                raise Refused(310000, 'sign not match')
        if len(rec['body']) > 20000:
            raise Refused(460101, 'message too long')
        msg = rec['json']
        if not isinstance(msg, dict) or 'msgtype' not in msg:
            raise Refused(40035, 'missing parameter msgtype')
        t = msg['msgtype']
        if t == 'text':
            text = [_get(msg, 'text', 'content')]
        elif t == 'markdown':
            text = [_get(msg, 'markdown', 'title'),
                    _get(msg, 'markdown', 'text')]
            if not all(isinstance(s, str) and s for s in text):
                raise Refused(40035, 'missing parameter markdown.title '
                              'or markdown.text')
        elif t == 'actionCard':
            card = msg.get(t)
            _check_dingtalk_card(card)
            text = [card['title'], card['text']]
        elif t in ('link', 'feedCard'):
            text = _strings(msg.get(t), ('title', 'text'))
        else:
            raise Refused(40035, 'invalid msgtype')
        text = [s for s in text if isinstance(s, str)]
        if not text:
            raise Refused(40035, 'missing content')
        if self.keyword is not None and \
                not any(self.keyword in s for s in text):
            raise Refused(310000, 'keywords not in content')

    def _check_feishu(self, rec):
        prefix = '/open-apis/bot/v2/hook/'
        if not rec['path'].startswith(prefix) or \
                urllib.parse.unquote(rec['path'][len(prefix):]) not in \
                self.tokens:
            raise Refused(19001, 'param invalid: incoming webhook access '
                          'token invalid')
        if len(rec['body']) > 20000:
            raise Refused(9499, 'Bad Request')
        msg = rec['json']
        if not isinstance(msg, dict):
            raise Refused(9499, 'Bad Request')
        if self.secret is not None:
            ts = msg.get('timestamp')
            if not isinstance(ts, str) or not ts.isdigit() or \
                    abs(time.time() - int(ts)) > HOUR or \
                    msg.get('sign') != feishu_sign(self.secret, ts):
                raise Refused(19021, 'sign match fail or timestamp is not '
                              'within one hour from current time')
        t = msg.get('msg_type')
        if t == 'text':
            text = [_get(msg, 'content', 'text')]
        elif t == 'post':
            post = _get(msg, 'content', 'post')
            text = _strings(post, ('title', 'text'))
        elif t == 'interactive':
            if not isinstance(msg.get('card'), dict):
                raise Refused(9499, 'params error, unknown card value')
            _check_feishu_card(msg['card'])
            text = _strings(msg.get('card'), ('title', 'text', 'content'))
        else:
            raise Refused(9499, 'Bad Request')
        text = [s for s in text if isinstance(s, str)]
        if not text or not any(text):
            raise Refused(9499, 'Bad Request')
        if self.keyword is not None and \
                not any(self.keyword in s for s in text):
            raise Refused(19024, 'Key Words Not Found')
