"""Every JSONTestSuite parsing case POSTed as the body.

Each n_ file (invalid JSON) gets 400; no file gets a 5xx, a crash or a
signal (run_cgi raises on those).  The cases are in test_parsing/ of
$JSONTESTSUITE, a clone of github.com/nst/JSONTestSuite (default:
../shared/JSONTestSuite beside the repository).  When that default is
absent the suite is skipped, saying so in one line; when JSONTESTSUITE
names a directory that is not there, that is a failure.  Under valgrind
($PGYER_RELAY_WRAP) only every 10th file is posted.
"""
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(__file__), '..', 'lib'))
from cgirun import APP, ROOT, WRAP, run_cgi  # noqa: E402
from harness import add, main  # noqa: E402
from mockrobot import MockRobot  # noqa: E402

GIVEN = os.environ.get('JSONTESTSUITE', '')
DEFAULT = '../shared/JSONTestSuite'     # from the top of the tree
SUITE = GIVEN or os.path.join(ROOT, DEFAULT)
CASES = os.path.join(SUITE, 'test_parsing')


def files():
    if not os.path.isdir(CASES):
        return []
    names = sorted(n for n in os.listdir(CASES) if n.endswith('.json'))
    return names[::10] if WRAP else names


def suite_present():
    assert os.path.isdir(CASES), 'JSONTESTSUITE=%s: no test_parsing ' \
        'directory there' % SUITE
    assert len(files()) >= 10, 'too few cases in %s' % CASES


def case(name, config):
    def run():
        with open(os.path.join(CASES, name), 'rb') as f:
            body = f.read()
        r = run_cgi(config, body, query='app=' + APP)
        assert r.status < 500, r
        if name.startswith('n_'):
            assert r.status == 400, r
        assert r.json is not None, r
    return run


def main_with_robot():
    if not GIVEN and not os.path.isdir(CASES):
        print('skip - JSONTestSuite not found at %s (set JSONTESTSUITE to '
              'a clone of github.com/nst/JSONTestSuite)' % DEFAULT)
        main()
    add('suite_present', suite_present)
    # Every case may reach delivery (an object with a "type"): give the
    # app a robot that accepts anything, so no 5xx comes from a robot.
    # The largest case is 250001 bytes: allow it, so the parser sees it.
    with MockRobot('json') as bot:
        cfg = {'timeout_ms': 5000, 'max_body_bytes': 1 << 20,
               'apps': {APP: {'webhooks': [{
            'name': 'sink', 'type': 'json', 'url': bot.url,
            'events': ['*']}]}}}
        for name in files():
            add(name, case(name, cfg))
        main()


if __name__ == '__main__':
    main_with_robot()
