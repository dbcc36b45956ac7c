"""`make demo` and `make serve`: the relay behind real nginx + fcgiwrap
(servers.py), with a loopback mock robot of each kind (tests/lib).

    python3 tests/e2e/demo.py demo
    python3 tests/e2e/demo.py serve PORT [CONFIG]

demo posts PGYER's example events with curl, shows each status and what
each robot received, stops everything and exits 0 only if all went well.
serve runs until Ctrl-C; without CONFIG it serves the demo config and
its mock robots, and shows what they receive.
"""
import json
import os
import re
import shlex
import subprocess
import sys
import textwrap
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path[:0] = [os.path.join(HERE, '..', 'lib'), HERE]

import servers  # noqa: E402
from mockrobot import MockRobot  # noqa: E402

TOP = servers.TOP
DEMO_CONFIG = os.path.join(HERE, 'demo-config.json')
ROBOT_NAMES = {'wecom': 'WeCom', 'dingtalk': 'DingTalk',
               'feishu': 'Feishu', 'json': 'plain JSON'}

# PGYER's example events.  The update is PGYER's documented sample, made
# valid JSON; the feedback and crash log follow the same shape (PGYER's
# own samples for those are not valid JSON).
EVENTS = [
    ('App update', 'oooplay_test', 'update.json'),
    ('Feedback', 'oooplay_test', 'feedback.json'),
    ('Crash log', 'oooplay_test', 'crash.json'),
    ('App update, to an app whose webhook takes plain JSON',
     'oooplay_archive', 'update.json'),
]

BOLD, DIM, GREEN, RED, OFF = '\033[1m', '\033[2m', '\033[32m', '\033[31m', \
    '\033[0m'
if not sys.stdout.isatty() or os.environ.get('NO_COLOR'):
    BOLD = DIM = GREEN = RED = OFF = ''


def say(s=''):
    print(s, flush=True)


def quote(text, prefix='    │ '):
    lines = text.splitlines() or ['']
    return '\n'.join(prefix + line for line in lines)


class DemoRobots:
    """One mock robot of each kind, set up as the demo config says (its
    secret and keyword), and the config with their URLs filled in."""

    def __init__(self):
        with open(DEMO_CONFIG, encoding='utf-8') as f:
            text = f.read()
        hooks = {}
        for app in json.loads(text)['apps'].values():
            for h in app['webhooks']:
                hooks[h['url'].strip('@')] = h
        self.robots = []
        self.names = {}
        try:
            for kind in ('wecom', 'dingtalk', 'feishu', 'json'):
                h = hooks[kind]
                bot = MockRobot(kind, token='demo-%s-key' % kind,
                                secret=h.get('secret'),
                                keyword=h.get('keyword'))
                self.robots.append(bot)
                self.names[bot] = h['name']
                text = text.replace('"@%s@"' % kind, json.dumps(bot.url))
        except BaseException:
            self.close()
            raise
        self.config = json.loads(text)
        self.seen = {bot: 0 for bot in self.robots}

    def describe(self):
        for bot in self.robots:
            extra = []
            if bot.secret:
                extra.append('signed')
            if bot.keyword:
                extra.append('keyword %s' % bot.keyword)
            say('  %-10s "%s" on 127.0.0.1:%d%s' % (
                ROBOT_NAMES[bot.kind], self.names[bot], bot.port,
                ' (%s)' % ', '.join(extra) if extra else ''))

    def new_messages(self):
        """Prints what each robot received since the last call; returns
        how many requests came and how many were refused."""
        refused = received = 0
        for bot in self.robots:
            for i in range(self.seen[bot], len(bot.received)):
                rec = bot.received[i]
                received += 1
                if rec['accepted']:
                    say('  %s%s robot "%s" received:%s' % (
                        GREEN, ROBOT_NAMES[bot.kind], self.names[bot], OFF))
                else:
                    refused += 1
                    say('  %s%s robot "%s" REFUSED it: %s %s%s' % (
                        RED, ROBOT_NAMES[bot.kind], self.names[bot],
                        rec['errcode'], rec['errmsg'], OFF))
                say(quote(self.text(bot, i)))
            self.seen[bot] = len(bot.received)
        return {'received': received, 'refused': refused}

    def text(self, bot, i):
        if bot.kind == 'json':
            # The original event, byte for byte: show it compactly.
            return json.dumps(json.loads(bot.text(i)), ensure_ascii=False)
        return bot.text(i)

    def close(self):
        for bot in self.robots:
            bot.close()


def curl_argv(url, event):
    return ['curl', '-sS', '-X', 'POST', '-H',
            'Content-Type: application/json', '--data-binary',
            '@' + os.path.relpath(os.path.join(HERE, 'events', event), TOP),
            '-w', r'\n%{http_code}', url]


def post(url, event):
    """POSTs an event file with curl, printing the command; returns the
    status (0 when curl failed) and the body."""
    argv = curl_argv(url, event)
    shown = argv[:]
    del shown[-3:-1]        # -w: ours, not what a user types
    say('%s$ %s%s' % (DIM, shlex.join(shown), OFF))
    r = subprocess.run(argv, capture_output=True, text=True, cwd=TOP)
    if r.returncode != 0:
        say('  %scurl failed: %s%s' % (RED, r.stderr.strip(), OFF))
        return 0, ''
    body, _, status = r.stdout.rpartition('\n')
    return int(status), body


def sent_count(body):
    """How many requests the relay's summary says it made, or None."""
    try:
        summary = json.loads(body)
        return summary['delivered'] + summary['failed']
    except (ValueError, TypeError, KeyError):
        return None


def demo():
    failures = 0
    say('%spgyer-relay demo%s: nginx + fcgiwrap and a mock robot of each '
        'kind, all on 127.0.0.1' % (BOLD, OFF))
    robots = DemoRobots()
    try:
        with servers.Nginx(robots.config) as srv:
            say('relay:      %s  (config: %s)' % (
                srv.url, os.path.relpath(DEMO_CONFIG, TOP)))
            robots.describe()
            for n, (title, app, event) in enumerate(EVENTS, 1):
                token = robots.config['apps'][app]['token']
                say()
                say('%s%d. %s%s' % (BOLD, n, title, OFF))
                status, body = post('%s?app=%s&token=%s' % (
                    srv.url, app, token), event)
                colour = GREEN if status == 200 else RED
                say('  %sHTTP %d%s  %s' % (colour, status, OFF, body))
                if status != 200:
                    failures += 1
                got = robots.new_messages()
                failures += got['refused']
                sent = sent_count(body)
                if sent is not None and sent != got['received']:
                    say('  %sthe relay says it sent %d request(s), the '
                        'robots got %d%s' % (RED, sent, got['received'],
                                             OFF))
                    failures += 1
            say()
            say('%sWhat the relay logged (its log file):%s' % (BOLD, OFF))
            for line in srv.relay_log():
                say('  ' + line)
    except servers.ServerError as e:
        say('%scould not start the servers:%s %s' % (RED, OFF, e))
        failures += 1
    finally:
        robots.close()
    say()
    if failures:
        say('%sdemo: %d thing(s) went wrong%s' % (RED, failures, OFF))
        return 1
    say('%sdemo: every event delivered; everything stopped.%s' % (GREEN, OFF))
    return 0


def serve(port, config):
    robots = None
    if not config:
        robots = DemoRobots()
        cfg = robots.config
        example = EVENTS[0]
        token = cfg['apps'][example[1]]['token']
    else:
        cfg = os.path.abspath(config)
        check = subprocess.run([os.environ.get('PGYER_RELAY_BIN') or
                                os.path.join(TOP, 'cgi-bin',
                                             'pgyer-relay.cgi'),
                                '--check', cfg], text=True,
                               capture_output=True)
        say(textwrap.indent(check.stdout + check.stderr, '  '))
        if check.returncode != 0:
            say('%sthe config has errors: the relay answers 500 until they '
                'are fixed%s' % (RED, OFF))
        # The first app --check lists, for the curl line to try.
        apps = re.findall(r'^\s*app (\S+)', check.stdout, re.M)
        example = ('', apps[0] if apps else 'YOUR_APP', 'update.json')
        token = 'YOUR_TOKEN'
    try:
        with servers.Nginx(cfg, port=port) as srv:
            say('%spgyer-relay%s on %s (nginx + fcgiwrap), until Ctrl-C' %
                (BOLD, OFF, srv.url))
            if robots:
                say('config: %s, mock robots:' %
                    os.path.relpath(DEMO_CONFIG, TOP))
                robots.describe()
            else:
                say('config: %s (a copy; edits are picked up)' % cfg)
            say('try:')
            argv = curl_argv('%s?app=%s&token=%s' % (srv.url, example[1],
                                                     token), example[2])
            del argv[-3:-1]
            say('  ' + shlex.join(argv))
            say('logs: %s; the relay\'s: %s, or where the config\'s '
                '"log" says' % (srv.path('log'), srv.relay_log_file))
            mtime = None if robots else os.stat(cfg).st_mtime
            while True:
                time.sleep(0.3)     # a display loop, not synchronisation
                if robots:
                    robots.new_messages()
                elif os.stat(cfg).st_mtime != mtime:
                    mtime = os.stat(cfg).st_mtime
                    srv.set_config(cfg)
                    say('config changed: copied again')
    except KeyboardInterrupt:
        say('\nstopped.')
    except servers.ServerError as e:
        say('%scould not start the servers:%s %s' % (RED, OFF, e))
        return 1
    finally:
        if robots:
            robots.close()
    return 0


def main(argv):
    servers.exit_on_signals()
    if argv[:1] == ['demo'] and len(argv) == 1:
        return demo()
    if argv[:1] == ['serve'] and len(argv) in (2, 3):
        return serve(int(argv[1]), argv[2] if len(argv) == 3 else '')
    sys.stderr.write(__doc__)
    return 2


if __name__ == '__main__':
    try:
        sys.exit(main(sys.argv[1:]))
    except KeyboardInterrupt:
        sys.exit(130)
