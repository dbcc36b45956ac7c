"""Every JSONTestSuite parsing case POSTed as the body.

Each n_ file (invalid JSON) gets 400; no file gets a 5xx, a crash or a
signal (run_cgi raises on those).  The cases are in
../shared/JSONTestSuite/test_parsing next to the repository, or in
$PGYER_JSONTESTSUITE (that directory, as for tests/unit/test_event.c, or
the suite above it).  Under valgrind ($PGYER_RELAY_WRAP) only every 10th
file is posted.
"""
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(__file__), '..', 'lib'))
from cgirun import APP, ROOT, WRAP, run_cgi  # noqa: E402
from harness import add, main, test  # noqa: E402
from mockrobot import MockRobot  # noqa: E402

CASES = os.environ.get('PGYER_JSONTESTSUITE') or os.path.join(
    ROOT, '..', 'shared', 'JSONTestSuite', 'test_parsing')
if os.path.isdir(os.path.join(CASES, 'test_parsing')):
    CASES = os.path.join(CASES, 'test_parsing')


def files():
    if not os.path.isdir(CASES):
        return []
    names = sorted(n for n in os.listdir(CASES) if n.endswith('.json'))
    return names[::10] if WRAP else names


@test
def suite_present():
    assert os.path.isdir(CASES), 'missing %s (set PGYER_JSONTESTSUITE)' % CASES
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
