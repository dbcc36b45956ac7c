"""Runs the relay's command line (--check, --dry-run, --test) outside CGI."""
import json
import os
import subprocess
import tempfile

from cgirun import SLOW, WRAP, binary


def cli(args, config=None, stdin=b''):
    """Runs the binary outside CGI; returns (exit, stdout, stderr)."""
    env = {'PATH': os.environ.get('PATH', '/usr/bin:/bin')}
    for k in ('ASAN_OPTIONS', 'UBSAN_OPTIONS', 'LSAN_OPTIONS'):
        if k in os.environ:
            env[k] = os.environ[k]
    path = None
    if config is not None:
        fd, path = tempfile.mkstemp(suffix='.json')
        with os.fdopen(fd, 'w', encoding='utf-8') as f:
            f.write(config if isinstance(config, str) else json.dumps(config))
        args = args + ['--config', path] if '--check' not in args else \
            args + [path]
    try:
        p = subprocess.run(WRAP + [binary()] + args, input=stdin, env=env,
                           capture_output=True, timeout=60 * SLOW)
    finally:
        if path:
            os.unlink(path)
    if WRAP:
        assert p.returncode != 99, p.stderr
    return (p.returncode, p.stdout.decode('utf-8'),
            p.stderr.decode('utf-8', 'replace'))
