"""A tiny test harness: register tests with @test, run them with main().

Each test prints "ok - name" or "FAIL - name: reason"; the last line is
"N passed, N failed" and the exit status is 1 when anything failed.  A test
fails by raising anything (assert, an exception, a timeout).
"""
import sys
import traceback

_tests = []

if sys.flags.optimize:
    # Tests are plain asserts: with -O they could not fail.
    sys.exit('harness: run without -O or PYTHONOPTIMIZE')


def test(fn):
    """Registers fn as a test named after the function."""
    _tests.append((fn.__name__, fn))
    return fn


def add(name, fn):
    """Registers fn as a test with an explicit name."""
    _tests.append((name, fn))


def _reason(exc):
    """A one-line reason: the message and where the test stopped."""
    msg = str(exc) or type(exc).__name__
    if not isinstance(exc, AssertionError):
        msg = '%s: %s' % (type(exc).__name__, msg)
    frames = traceback.extract_tb(exc.__traceback__)
    where = next((f for f in reversed(frames)
                  if f.filename != __file__), None)
    line = ' '.join(msg.split())
    if where is not None:
        line += ' (%s:%d)' % (where.filename.rsplit('/', 1)[-1],
                              where.lineno)
    return line


def main():
    """Runs the tests named in argv (all when none) and exits."""
    only = set(sys.argv[1:])
    passed = failed = 0
    for name, fn in _tests:
        if only and name not in only:
            continue
        try:
            fn()
        except KeyboardInterrupt:
            raise
        except BaseException as exc:
            failed += 1
            print('FAIL - %s: %s' % (name, _reason(exc)), flush=True)
            continue
        passed += 1
        print('ok - %s' % name, flush=True)
    print('%d passed, %d failed' % (passed, failed), flush=True)
    sys.exit(1 if failed else 0)
