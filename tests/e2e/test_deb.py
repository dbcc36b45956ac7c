"""The Debian package, as an admin meets it: `make deb`, `apt-get install
./pgyer-relay_*.deb`, PGYER's example event POSTed through the installed
CGI behind the installed Apache and nginx snippets to a mock robot, the
directories, the relay's log file and its rotation, the drain's timer and
cron job, then an upgrade over itself,
an upgrade to a newer version, remove, reinstall and purge, checking what
remains after each.  Ends with the package purged, as the machine was.

Needs root and dpkg-buildpackage (debhelper, lintian, logrotate:
.ci/deps.sh);
otherwise it says why in one line and runs nothing.  A policy-rc.d keeps
the maintainer scripts from starting or reloading the system's daemons.
As root: python3 tests/e2e/test_deb.py
"""
import glob
import json
import grp
import os
import pwd
import shutil
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path[:0] = [os.path.join(HERE, '..', 'lib'), HERE]

import harness  # noqa: E402
import servers  # noqa: E402
from mockrobot import MockRobot  # noqa: E402

PKG = 'pgyer-relay'
CGI = '/usr/lib/cgi-bin/pgyer-relay.cgi'
CONFIG = '/etc/pgyer-relay/config.json'
SPOOL = '/var/spool/pgyer-relay'
STATE = '/var/lib/pgyer-relay'
LOG_DIR = '/var/log/pgyer-relay'
LOG = LOG_DIR + '/pgyer-relay.log'
LOGROTATE = '/etc/logrotate.d/pgyer-relay'
CRON = '/etc/cron.d/pgyer-relay'
UNIT_DIR = '/lib/systemd/system'
SERVICE = UNIT_DIR + '/pgyer-relay-drain.service'
TIMER = UNIT_DIR + '/pgyer-relay-drain.timer'
TIMER_LINK = '/etc/systemd/system/timers.target.wants/pgyer-relay-drain.timer'
APACHE_CONF = '/etc/apache2/conf-available/pgyer-relay.conf'
APACHE_ENABLED = '/etc/apache2/conf-enabled/pgyer-relay.conf'
NGINX_SNIPPET = '/etc/nginx/snippets/pgyer-relay.conf'
NGINX_LOG_FORMAT = '/etc/nginx/conf.d/pgyer-relay-log.conf'
POLICY_RC = '/usr/sbin/policy-rc.d'
WEB_USER = 'www-data'
APP = 'oooplay_test'
TOKEN = 'deb-test-token-7c41e2'
# Where a package leaves files; after purge, nothing named after it may be
# there that was not there before the install.
TRACE_DIRS = ['/etc', '/lib', '/usr', '/var/cache', '/var/lib', '/var/log',
              '/var/spool']

with open(os.path.join(HERE, 'events', 'update.json'), 'rb') as f:
    UPDATE = f.read()
with open(os.path.join(HERE, 'events', 'feedback.json'), 'rb') as f:
    FEEDBACK = f.read()


def run(argv, ok=True, timeout=600, **kw):
    """Runs argv without a terminal (a conffile prompt would fail, not
    hang); returns the CompletedProcess, asserting success when ok."""
    env = dict(os.environ, DEBIAN_FRONTEND='noninteractive', LANG='C')
    env.update(kw.pop('env', {}))
    r = subprocess.run(argv, stdin=subprocess.DEVNULL, capture_output=True,
                       text=True, timeout=timeout, env=env, **kw)
    if ok:
        assert r.returncode == 0, '%s: exit %d\n%s%s' % (
            ' '.join(argv), r.returncode, r.stdout[-3000:], r.stderr[-3000:])
    return r


def as_web_user(argv, env=None):
    """argv as the web server's user, as the timer, cron and CGI run."""
    return run(['runuser', '-u', WEB_USER, '--'] + argv, ok=False,
               env=env or {})


def traces():
    """Every path named after the package in TRACE_DIRS."""
    found = set()
    for top in TRACE_DIRS:
        for dirpath, dirs, files in os.walk(top):
            found.update(os.path.join(dirpath, n) for n in dirs + files
                         if 'pgyer-relay' in n)
    return found


def status():
    r = run(['dpkg-query', '-W', '-f', '${Status} ${Version}', PKG],
            ok=False)
    return r.stdout.strip() if r.returncode == 0 else 'unknown'


def owner_mode(path):
    st = os.lstat(path)
    return (pwd.getpwuid(st.st_uid).pw_name, grp.getgrgid(st.st_gid).gr_name,
            '%04o' % (st.st_mode & 0o7777))


def read_log():
    with open(LOG, encoding='utf-8') as f:
        return f.read()


def log_private():
    """The relay's log as the web server's user sees it: it may append
    (the relay runs as that user), not read (so may no web application
    on the host)."""
    assert owner_mode(LOG) == ('root', WEB_USER, '0620'), owner_mode(LOG)
    assert owner_mode(LOG_DIR) == ('root', 'root', '0755'), \
        owner_mode(LOG_DIR)
    r = as_web_user(['cat', LOG])
    assert r.returncode != 0 and 'Permission denied' in r.stderr, \
        (r.returncode, r.stdout[-500:], r.stderr)


def post(url, body):
    """POSTs body with curl, as README does; returns the HTTP status and
    the relay's JSON answer ({} when the answer is not JSON)."""
    with tempfile.NamedTemporaryFile() as f:
        f.write(body)
        f.flush()
        r = run(['curl', '-sS', '--max-time', '30', '-H',
                 'Content-Type: application/json', '--data-binary',
                 '@' + f.name, '-w', '\n%{http_code}', url])
    text, _, code = r.stdout.rpartition('\n')
    try:
        answer = json.loads(text)
    except ValueError:
        answer = {}
    return int(code), answer


def relay_config(bot):
    """What the admin writes into /etc/pgyer-relay/config.json, keeping
    the package's spool_dir, state_dir and log."""
    return {'timeout_ms': 5000, 'language': 'en', 'timezone': 'UTC',
            'spool_dir': SPOOL, 'state_dir': STATE, 'log': LOG,
            'apps': {APP: {'token': TOKEN, 'webhooks': [
                {'name': 'iOS group', 'type': bot.kind, 'url': bot.url,
                 'events': ['*']}]}}}


# --- the installed files in front of real servers ---------------------

class Installed:
    """A servers.Server that serves the installed CGI with the installed
    configuration (the admin's edit of the conffile)."""

    def _prepare(self, config):
        os.chmod(self.dir, 0o755)
        for d in ('cgi-bin', 'etc', 'log', 'run'):
            os.mkdir(self.path(d), 0o755)
        self.prepare_logs()
        self.cgi = CGI
        self.config = CONFIG
        self.set_config(config)


class InstalledApache(Installed, servers.DebianApache):
    """Debian's Apache (a copy of /etc/apache2, which now holds the
    package's conf-available/pgyer-relay.conf) with what postinst tells
    the admin to do: a2enmod cgid; a2enconf pgyer-relay."""
    name = 'apache-deb'

    def snippet_text(self):
        with open(APACHE_CONF) as f:
            return f.read()


class InstalledNginx(Installed, servers.Nginx):
    """nginx + fcgiwrap including the installed snippet; only its
    fcgiwrap socket is ours (not the system's /run/fcgiwrap.socket)."""
    name = 'nginx-deb'
    log_snippet = NGINX_LOG_FORMAT

    def snippet_text(self):
        with open(NGINX_SNIPPET) as f:
            return servers.substitute(
                f.read(), [(servers.SHIPPED_SOCKET, 'unix:' + self.socket),
                           (servers.SHIPPED_NGINX_LOGS, self.path('log'))],
                NGINX_SNIPPET)


def serve(cls, bot):
    """cls started with the admin's edit of the config for bot; the edit
    is what later steps expect to find kept."""
    srv = cls(relay_config(bot))
    with open(CONFIG, 'rb') as f:
        work['edited'] = f.read()
    try:
        return srv.start()
    except BaseException:
        srv.close()
        raise


# --- the steps, in order; each relies on the ones before -------------

work = {}


def step_build():
    out = work['dir']
    r = run(['make', '-s', 'deb', 'DEBOUT=' + out], cwd=servers.TOP,
            timeout=1200)
    debs = glob.glob(os.path.join(out, 'pgyer-relay_*_amd64.deb'))
    assert len(debs) == 1, 'make deb made %r' % os.listdir(out)
    with open(os.path.join(servers.TOP, 'src', 'version.h')) as f:
        version = f.read().split('PGYER_RELAY_VERSION', 1)[1].split('"')[1]
    assert os.path.basename(debs[0]) == 'pgyer-relay_%s_amd64.deb' % \
        version, debs[0]
    # make deb runs lintian when it is there and fails on its errors and
    # warnings; without it the package would go unchecked.
    assert shutil.which('lintian'), 'lintian is not installed (.ci/deps.sh)'
    assert 'lintian not installed' not in r.stdout, r.stdout
    work['deb'] = debs[0]
    work['version'] = version


def step_install():
    work['before'] = traces()
    r = run(['apt-get', 'install', '-y', '-q', work['deb']])
    assert status() == 'install ok installed ' + work['version'], status()
    # postinst's --init found the directories as the relay wants them.
    assert 'cannot use the directories' not in r.stdout + r.stderr, \
        r.stdout[-2000:] + r.stderr[-2000:]
    assert owner_mode(CGI) == ('root', 'root', '0755'), owner_mode(CGI)
    assert owner_mode(CONFIG) == ('root', WEB_USER, '0640'), \
        owner_mode(CONFIG)
    for d in (SPOOL, STATE):
        assert owner_mode(d) == (WEB_USER, WEB_USER, '0700'), \
            (d, owner_mode(d))
    # The web server's user reads the package's config; it is valid and
    # names the package's directories.
    r = as_web_user([CGI, '--check', CONFIG])
    assert r.returncode == 0, r.stdout + r.stderr
    assert SPOOL in r.stdout and STATE in r.stdout, r.stdout
    # The log file the package's config names, empty, and its rotation
    # making each new one the same way.
    log_private()
    assert read_log() == ''
    with open(LOGROTATE) as f:
        rotate = f.read()
    assert LOG + ' {' in rotate and \
        'create 0620 root %s' % WEB_USER in rotate, rotate
    for f in (APACHE_CONF, NGINX_SNIPPET):
        with open(f) as fh:
            text = fh.read()
        assert CGI in text and '/usr/local/' not in text, f
    # Left to the admin: a2enconf (postinst says why).
    assert not os.path.lexists(APACHE_ENABLED)


def step_drain_scheduled():
    # The timer is enabled (deb-systemd-helper links it even where
    # systemd is not running); the service runs the drain as www-data.
    assert os.path.realpath(TIMER_LINK) == os.path.realpath(TIMER), \
        TIMER_LINK
    with open(SERVICE) as f:
        unit = dict(ln.split('=', 1) for ln in f.read().splitlines()
                    if '=' in ln and not ln.startswith('#'))
    assert unit.get('User') == WEB_USER, unit
    assert unit.get('Environment') == 'PGYER_RELAY_CONFIG=' + CONFIG, unit
    work['exec'] = unit.get('ExecStart', '').split()
    assert work['exec'][:2] == [CGI, '--drain'], unit
    # The cron job: the same command, standing down under systemd.
    with open(CRON) as f:
        lines = [ln for ln in f.read().splitlines()
                 if ln and not ln.startswith('#')]
    assert lines[0] == 'PGYER_RELAY_CONFIG=' + CONFIG, lines
    fields = lines[1].split(None, 6)
    assert fields[:6] == ['*'] * 5 + [WEB_USER], lines[1]
    assert '[ ! -d /run/systemd/system ]' in fields[6], fields[6]
    assert fields[6].endswith(' '.join(work['exec'])), fields[6]
    work['cron'] = fields[6]


def step_fastcgi_units():
    # The FastCGI mode's socket and service are shipped, not enabled
    # (the CGI is the default); the service runs the relay as www-data
    # on the socket systemd hands it.
    for u in ('pgyer-relay.socket', 'pgyer-relay.service'):
        assert os.path.exists(os.path.join(UNIT_DIR, u)), u
    assert not os.path.lexists(
        '/etc/systemd/system/sockets.target.wants/pgyer-relay.socket')
    with open(os.path.join(UNIT_DIR, 'pgyer-relay.service')) as f:
        unit = dict(ln.split('=', 1) for ln in f.read().splitlines()
                    if '=' in ln and not ln.startswith('#'))
    assert unit.get('User') == WEB_USER, unit
    assert unit.get('StandardInput') == 'socket', unit
    assert unit.get('ExecStart', '').split() == [CGI, '--fastcgi', '-'], unit
    assert os.path.exists('/etc/nginx/snippets/pgyer-relay-fastcgi.conf')
    assert os.path.exists(
        '/etc/apache2/conf-available/pgyer-relay-fcgid.conf')


def cron_job():
    """Runs the cron job's command as cron would: exit 0 only when it
    drained (no systemd), its output (cron would mail it)."""
    r = as_web_user(['sh', '-c', work['cron']],
                    env={'PGYER_RELAY_CONFIG': CONFIG})
    return r.returncode, r.stdout + r.stderr


def step_serve():
    with MockRobot('wecom', token='deb-wecom-key') as bot:
        work['bot_kind'] = bot.kind
        for cls in (InstalledApache, InstalledNginx):
            srv = serve(cls, bot)
            try:
                url = '%s?app=%s&token=%s' % (srv.url, APP, TOKEN)
                before = len(bot.received)
                code, ans = post(url, UPDATE)
                if cls is InstalledApache:
                    assert code == 200 and ans.get('delivered') == 1, \
                        (code, ans, srv.log()[-2000:])
                    assert len(bot.received) == before + 1
                    assert bot.received[-1]['accepted'], bot.received[-1]
                    assert 'OooPlay' in bot.text(), bot.text()
                    # The relay's lines, in its log file, no token.
                    text = read_log()
                    assert '200 app=%s ' % APP in text, text
                    assert TOKEN not in text and \
                        'deb-wecom-key' not in text, text
                    log_private()
                else:
                    # Same event again, through the other server: the
                    # duplicate filter in the package's state_dir
                    # (written by Apache's CGI) answers it.
                    assert code == 200 and ans.get('duplicate') is True, \
                        (code, ans, srv.log()[-2000:])
                    assert len(bot.received) == before
                    assert 'duplicate' in read_log(), read_log()
                    # A robot that fails: queued in the package's spool.
                    bot.mode = 'http500'
                    code, ans = post(url, FEEDBACK)
                    assert code == 202, (code, ans, srv.log()[-2000:])
                    bot.mode = 'ok'
            finally:
                srv.close()
        queued = [os.path.join(dp, f) for dp, _, fs in os.walk(SPOOL)
                  for f in fs]
        assert queued, 'nothing in %s after a 202' % SPOOL
        for q in queued:
            assert owner_mode(q)[0] == WEB_USER, (q, owner_mode(q))
        # What the timer runs, as its user: nothing is due yet (the first
        # retry waits 30 s), and it says nothing.
        r = as_web_user(work['exec'], env={'PGYER_RELAY_CONFIG': CONFIG})
        assert r.returncode == 0 and r.stdout == '', r.stdout + r.stderr
        before = len(bot.received)
        r = as_web_user([CGI, '--drain', '--all'],
                        env={'PGYER_RELAY_CONFIG': CONFIG})
        assert r.returncode == 0, r.stdout + r.stderr
        assert len(bot.received) == before + 1 and \
            bot.received[-1]['accepted'], bot.received[before:]
        assert '139' in bot.text(), bot.text()
    rc, out = cron_job()
    if os.path.isdir('/run/systemd/system'):
        assert rc != 0 and out == '', (rc, out)
    else:
        assert rc == 0 and out == '', (rc, out)


def kept_state():
    with open(CONFIG, 'rb') as f:
        assert f.read() == work['edited'], 'the edited config was replaced'
    # The log: neither emptied nor replaced.
    assert read_log().startswith(work['log']), 'the log was emptied'
    log_private()
    assert owner_mode(CONFIG) == ('root', WEB_USER, '0640'), \
        owner_mode(CONFIG)
    for d in (SPOOL, STATE):
        assert owner_mode(d) == (WEB_USER, WEB_USER, '0700'), \
            (d, owner_mode(d))
    assert os.listdir(STATE), 'state_dir emptied'


def serves_again(body):
    """One new event through the installed nginx snippet."""
    with MockRobot(work['bot_kind'], token='deb-wecom-key') as bot:
        srv = serve(InstalledNginx, bot)
        try:
            url = '%s?app=%s&token=%s' % (srv.url, APP, TOKEN)
            code, ans = post(url, body)
            assert code == 200 and ans.get('delivered') == 1, \
                (code, ans, srv.log()[-2000:])
        finally:
            srv.close()


def step_logrotate():
    # What logrotate.timer will do weekly, now: the lines so far move to
    # pgyer-relay.log.1, a new file takes their place, made as postinst
    # made the first, and the relay writes its next lines there.
    old = read_log()
    assert old, 'nothing logged'
    run(['logrotate', '-f', '-s', os.path.join(work['dir'], 'lr.state'),
         LOGROTATE])
    with open(LOG + '.1', encoding='utf-8') as f:
        assert f.read() == old, 'the rotated log is not the old one'
    assert read_log() == ''
    log_private()
    serves_again(UPDATE.replace(b'"139"', b'"142"'))
    text = read_log()
    assert '200 app=%s ' % APP in text, text
    work['log'] = text


def step_upgrade_over_itself():
    run(['dpkg', '-i', work['deb']])
    assert status() == 'install ok installed ' + work['version'], status()
    kept_state()
    assert os.path.realpath(TIMER_LINK) == os.path.realpath(TIMER)


def step_upgrade_to_newer():
    # The same package as a newer version: the maintainer scripts run as
    # for a real upgrade (old postrm upgrade, new postinst configure OLD).
    d = os.path.join(work['dir'], 'newer')
    run(['dpkg-deb', '-R', work['deb'], d])
    newer = work['version'] + '+1'
    ctl = os.path.join(d, 'DEBIAN', 'control')
    with open(ctl) as f:
        text = f.read().replace('\nVersion: %s\n' % work['version'],
                                '\nVersion: %s\n' % newer)
    with open(ctl, 'w') as f:
        f.write(text)
    deb = os.path.join(work['dir'], 'pgyer-relay_%s_amd64.deb' % newer)
    run(['dpkg-deb', '-b', d, deb])
    run(['apt-get', 'install', '-y', '-q', deb])
    assert status() == 'install ok installed ' + newer, status()
    kept_state()
    serves_again(UPDATE.replace(b'"139"', b'"140"'))


def step_remove():
    run(['apt-get', 'remove', '-y', '-q', PKG])
    assert status().startswith('deinstall ok config-files'), status()
    assert not os.path.exists(CGI) and not os.path.exists(SERVICE)
    # Kept: the configuration files and the queued messages.
    kept_state()
    for f in (CRON, APACHE_CONF, NGINX_SNIPPET):
        assert os.path.exists(f), f + ' removed'
    # The cron job left behind stays silent without its program.
    rc, out = cron_job()
    assert rc != 0 and out == '', (rc, out)


def step_reinstall():
    run(['dpkg', '-i', work['deb']])
    assert status() == 'install ok installed ' + work['version'], status()
    kept_state()
    serves_again(UPDATE.replace(b'"139"', b'"141"'))


def step_purge():
    # The admin enabled the Apache snippet; purge deletes it, and must
    # take the link along or Apache would not start again.
    run(['a2enconf', '-q', 'pgyer-relay'])
    assert os.path.islink(APACHE_ENABLED)
    run(['apt-get', 'purge', '-y', '-q', PKG])
    assert status() in ('unknown', 'unknown ok not-installed '), status()
    left = sorted(traces() - work['before'])
    assert not left, 'left after purge: %s' % left
    assert not os.path.lexists(APACHE_ENABLED)
    assert not os.path.lexists(LOG_DIR), os.listdir(LOG_DIR)


STEPS = [step_build, step_install, step_drain_scheduled,
         step_fastcgi_units, step_serve,
         step_logrotate, step_upgrade_over_itself, step_upgrade_to_newer, step_remove,
         step_reinstall, step_purge]


def register():
    """Each step a test; after the first failure the rest fail at once
    with that reason, rather than act on a machine in an unknown state."""
    def wrap(fn):
        def t():
            if 'failed' in work:
                raise AssertionError('not run: %s failed' % work['failed'])
            try:
                fn()
            except BaseException:
                work['failed'] = fn.__name__
                raise
        return t
    for fn in STEPS:
        harness.add(fn.__name__[len('step_'):], wrap(fn))


def cleanup():
    """Leaves the machine as found: the package purged, no link left."""
    if status() != 'unknown' and 'not-installed' not in status():
        run(['dpkg', '--purge', PKG], ok=False)
    if shutil.which('a2disconf'):
        run(['a2disconf', '-q', '-p', '-f', 'pgyer-relay'], ok=False)


def why_not():
    if os.geteuid() != 0:
        return 'needs root (dpkg -i, apt-get)'
    if not shutil.which('dpkg-buildpackage'):
        return 'needs dpkg-buildpackage (.ci/deps.sh installs it)'
    if status() != 'unknown' and 'not-installed' not in status():
        return 'pgyer-relay is installed here (%s): not replacing it' % \
            status()
    return None


def main():
    reason = why_not()
    if reason:
        print('skip - test_deb: %s' % reason)
        print('0 passed, 0 failed')
        return
    servers.exit_on_signals()
    own_policy = not os.path.exists(POLICY_RC)
    if own_policy:
        with open(POLICY_RC, 'w') as f:
            f.write('#!/bin/sh\nexit 101\n')
        os.chmod(POLICY_RC, 0o755)
    work['dir'] = tempfile.mkdtemp(prefix='pgyer-relay-deb.',
                                   dir=servers._reachable_tmp())
    try:
        register()
        harness.main()
    finally:
        cleanup()
        shutil.rmtree(work['dir'], ignore_errors=True)
        if own_policy:
            os.unlink(POLICY_RC)


if __name__ == '__main__':
    main()
