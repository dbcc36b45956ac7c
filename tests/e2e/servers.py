"""Real web servers in front of the relay, for tests, `make demo` and
`make serve`.

Apache (mod_cgid) and nginx + fcgiwrap are started from the SHIPPED
snippets apache-conf/pgyer-relay.conf, nginx-conf/pgyer-relay.conf and
nginx-conf/conf.d/pgyer-relay-log.conf: only their paths (the CGI, its config,
the fcgiwrap socket, the log files) are replaced.  The FastCGI mode the same
way: ApacheFcgid (mod_fcgid, apache-conf/pgyer-relay-fcgid.conf) and
NginxFastcgi (nginx-conf/pgyer-relay-fastcgi.conf, the relay started with
--fastcgi as www-data, as pgyer-relay.service does).  Masters start as root,
workers and the CGI run as www-data, everything lives in one temporary
directory on a free loopback port.  DebianApache runs Debian's own
/etc/apache2 (a copy) with a2enmod and a2enconf.

The log files and their directories get the owners and modes Debian
gives them (/var/log/apache2 root:adm 0750 with root:adm 0640 files,
/var/log/nginx root:adm 0755 with www-data:adm 0640 files), and the
relay's own log those of `make install` (a root directory, the file
root:www-data 0620).  A config without "log" gets the shipped one,
pointed at that file.

    with Nginx(config={...}) as srv:        # or Apache(...)
        srv.url    # http://127.0.0.1:PORT/pgyer-relay
        srv.set_config({...})               # read again on each request
        srv.log()  # the servers' error logs and the relay's own log
        srv.relay_log()                     # the relay's lines only
        srv.log_files()                     # every log file written

    Nginx(config, edits=[(old, new)])       # a user's edit of the snippet

A server that does not come up raises ServerError with its log.
"""
import grp
import json
import os
import pwd
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time

TOP = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(
    __file__))))
sys.path.insert(0, os.path.join(TOP, 'tests', 'lib'))
from ports import free_port  # noqa: E402
WORKER = 'www-data'
APACHE = '/usr/sbin/apache2'
APACHE_MODULES = '/usr/lib/apache2/modules'
NGINX = '/usr/sbin/nginx'
FCGIWRAP = '/usr/sbin/fcgiwrap'
START_TIMEOUT = 15.0

# The paths written in the shipped snippets (`make install` defaults).
SHIPPED_CGI = '/usr/local/lib/cgi-bin/pgyer-relay.cgi'
SHIPPED_CGI_DIR = '/usr/local/lib/cgi-bin'
SHIPPED_CONFIG = '/etc/pgyer-relay/config.json'
SHIPPED_SOCKET = 'unix:/run/fcgiwrap.socket'
SHIPPED_RELAY_LOG = '/var/log/pgyer-relay/pgyer-relay.log'
SHIPPED_NGINX_LOGS = '/var/log/nginx'
ADM = 'adm'


class ServerError(Exception):
    pass


def as_worker(argv, **kw):
    """subprocess.run(argv) as the web server's user, with its groups."""
    u = pwd.getpwnam(WORKER)
    return subprocess.run(argv, user=u.pw_uid, group=u.pw_gid,
                          extra_groups=os.getgrouplist(WORKER, u.pw_gid),
                          **kw)


def _connects(family, addr):
    with socket.socket(family, socket.SOCK_STREAM) as s:
        s.settimeout(1.0)
        try:
            s.connect(addr)
            return True
        except OSError:
            return False


def _tail(path, n=40):
    try:
        with open(path, errors='replace') as f:
            return ''.join(f.readlines()[-n:])
    except OSError:
        return ''


def _reachable_tmp():
    """$TMPDIR when the workers can pass through it (every parent o+x),
    else /tmp: a TMPDIR under /root would hide the CGI from www-data."""
    d = os.path.realpath(tempfile.gettempdir())
    while True:
        if not os.stat(d).st_mode & 0o001:
            return '/tmp'
        if d == '/':
            return tempfile.gettempdir()
        d = os.path.dirname(d)


def substitute(text, paths, name):
    """Replaces each shipped path (or line) in text; one that is missing
    means the shipped snippet changed under us: fail rather than test
    less."""
    for old, new in paths:
        if old not in text:
            raise ServerError('%s no longer mentions %s' % (name, old))
        text = text.replace(old, new)
    return text


class Server:
    """One web server with the relay behind it; see the module doc."""
    name = 'server'
    snippet = None          # the shipped file, relative to TOP
    stop_signal = signal.SIGTERM    # both stop their workers on it

    def __init__(self, config, cgi=None, port=None, edits=()):
        # edits: (old, new) text replacements a user would make in the
        # snippet, e.g. uncommenting the allow-list.
        self.edits = list(edits)
        self.cgi_src = cgi or os.environ.get('PGYER_RELAY_BIN') or \
            os.path.join(TOP, 'cgi-bin', 'pgyer-relay.cgi')
        self.want_port = port
        self.port = None
        self.relay_log_file = None      # prepare_logs() sets it
        self.procs = []     # (name, Popen), stopped in reverse order
        if os.geteuid() != 0:
            raise ServerError('run as root: the servers start as root and '
                              'serve as %s, like installed ones' % WORKER)
        self.user = pwd.getpwnam(WORKER)
        self.dir = tempfile.mkdtemp(prefix='pgyer-relay-%s.' % self.name,
                                    dir=_reachable_tmp())
        try:
            self._prepare(config)
        except BaseException:
            shutil.rmtree(self.dir, ignore_errors=True)
            raise

    def _prepare(self, config):
        # The workers must reach the CGI and the config: a 0700 temp
        # directory (mkdtemp's mode) would hide them.
        os.chmod(self.dir, 0o755)
        for d in ('cgi-bin', 'etc', 'log', 'run'):
            os.mkdir(self.path(d), 0o755)
        self.prepare_logs()
        self.cgi = self.path('cgi-bin', 'pgyer-relay.cgi')
        if not os.access(self.cgi_src, os.X_OK):
            raise ServerError('no CGI at %s: run make' % self.cgi_src)
        shutil.copyfile(self.cgi_src, self.cgi)
        os.chmod(self.cgi, 0o755)
        self.config = self.path('etc', 'config.json')
        self.set_config(config)

    def prepare_logs(self):
        """The log directories and files, before the server starts."""
        # As Debian's packages make them (see the module doc).
        os.mkdir(self.path('relay-log'), 0o755)
        adm = grp.getgrnam(ADM).gr_gid
        log_dir, files = self.log_layout()
        os.chown(self.path('log'), 0, adm)
        os.chmod(self.path('log'), log_dir)
        for name, uid, mode in files:
            self._touch(self.path('log', name), uid, adm, mode)
        # As `make install` makes it.
        self.relay_log_file = self.path('relay-log', 'pgyer-relay.log')
        self._touch(self.relay_log_file, 0, self.user.pw_gid, 0o620)

    def log_layout(self):
        """The mode of the log directory, and (name, owner, mode) of the
        files in it before the server starts."""
        return 0o755, []

    @staticmethod
    def _touch(path, uid, gid, mode):
        with open(path, 'a'):
            pass
        os.chown(path, uid, gid)
        os.chmod(path, mode)

    def path(self, *parts):
        return os.path.join(self.dir, *parts)

    @property
    def url(self):
        return 'http://127.0.0.1:%d/pgyer-relay' % self.port

    def set_config(self, config):
        """Writes the relay's config from a dict or a copy of a file.
        Mode 0640 root:www-data, as the README tells users to do."""
        if isinstance(config, dict):
            config = dict(config)
            if self.relay_log_file is not None:
                config.setdefault('log', self.relay_log_file)
            text = json.dumps(config, indent=2, ensure_ascii=False)
        else:
            with open(config, encoding='utf-8') as f:
                text = f.read()
        tmp = self.config + '.new'
        with open(tmp, 'w', encoding='utf-8') as f:
            f.write(text)
        os.chown(tmp, 0, self.user.pw_gid)
        os.chmod(tmp, 0o640)
        os.replace(tmp, self.config)

    def snippet_text(self):
        """The shipped snippet with only its paths replaced."""
        with open(os.path.join(TOP, self.snippet)) as f:
            text = f.read()
        paths = [(SHIPPED_CGI, self.cgi), (SHIPPED_CONFIG, self.config)]
        return substitute(text, paths + self.extra_paths() + self.edits,
                          self.snippet)

    def extra_paths(self):
        return []

    def spawn(self, name, argv, log, **kw):
        """Starts a process in its own process group, output to log."""
        with open(log, 'ab') as out:
            p = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=out,
                                 stderr=subprocess.STDOUT,
                                 start_new_session=True, **kw)
        self.procs.append((name, p))
        return p

    def wait_for(self, what, ready, proc, log):
        """Polls ready() until true; fails if proc exits or time runs out."""
        end = time.monotonic() + START_TIMEOUT
        while time.monotonic() < end:
            if ready():
                return
            if proc.poll() is not None:
                raise ServerError('%s exited with %s while starting:\n%s' %
                                  (what, proc.returncode, _tail(log)))
            time.sleep(0.05)
        raise ServerError('%s not ready after %.0f s:\n%s' %
                          (what, START_TIMEOUT, _tail(log)))

    def start(self):
        # The port was free a moment ago; if someone took it meanwhile,
        # try another one.
        for _ in range(3):
            self.port = self.want_port or free_port()
            try:
                self._start()
                return self
            except ServerError as e:
                self.stop()
                if self.want_port or 'in use' not in str(e):
                    raise
        raise ServerError('%s: no free port after 3 tries' % self.name)

    def stop(self):
        """Stops everything this object started, newest first."""
        for name, p in reversed(self.procs):
            if p.poll() is None:
                p.send_signal(self.stop_signal)
                try:
                    p.wait(10)
                except subprocess.TimeoutExpired:
                    pass
            # Workers and CGIs share the group we created at spawn.
            try:
                os.killpg(p.pid, signal.SIGKILL)
            except (ProcessLookupError, PermissionError):
                pass
            p.wait()
        self.procs = []

    def close(self):
        self.stop()
        shutil.rmtree(self.dir, ignore_errors=True)

    def __enter__(self):
        try:
            return self.start()
        except BaseException:
            self.close()
            raise

    def __exit__(self, *exc):
        self.close()

    def logs(self):
        return []

    def log_files(self):
        """Every file in the log directories: the servers' and the
        relay's."""
        out = []
        for d in ('log', 'relay-log'):
            if not os.path.isdir(self.path(d)):
                continue
            for name in sorted(os.listdir(self.path(d))):
                out.append(self.path(d, name))
        return out

    def log(self):
        """The error logs and the relay's own log."""
        out = []
        for p in self.logs() + [self.relay_log_file or '']:
            try:
                with open(p, errors='replace') as f:
                    out.append(f.read())
            except OSError:
                pass
        return ''.join(out)

    def relay_log(self):
        """The relay's own log lines as "pgyer-relay: ...", from its file
        ("TIME pgyer-relay[PID]: ...") or from the error logs ("log":
        "stderr"), without the server's decoration (nginx wraps them in
        "FastCGI sent in stderr: ..." with the request line)."""
        lines = []
        for line in self.log().splitlines():
            m = re.match(r'\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ '
                         r'pgyer-relay\[\d+\]: (.*)$', line)
            if m:
                lines.append('pgyer-relay: ' + m.group(1))
                continue
            i = line.find('pgyer-relay: ')
            if i >= 0:
                line = line[i:].split('" while reading', 1)[0]
                # Apache: "...: /path/to/pgyer-relay.cgi" after the line.
                lines.append(re.sub(r': /\S+/pgyer-relay\.cgi$', '', line))
        return lines

    def readable_by_worker(self, path):
        """True when the web server's user (www-data, with its groups)
        can read path: what a web application on the host could do."""
        return as_worker(['cat', path], stdout=subprocess.DEVNULL,
                         stderr=subprocess.DEVNULL).returncode == 0


class Apache(Server):
    """Apache 2.4, event MPM, mod_cgid, the shipped snippet included as
    Debian's a2enconf would (server level)."""
    name = 'apache'
    snippet = 'apache-conf/pgyer-relay.conf'
    modules = ['cgid']

    def extra_conf(self):
        return ['ScriptSock "%s"' % self.path('run', 'cgisock')]

    def extra_paths(self):
        return [(SHIPPED_CGI_DIR, os.path.dirname(self.cgi)),
                ('${APACHE_LOG_DIR}', self.path('log'))]

    def log_layout(self):
        return 0o750, [(n, 0, 0o640) for n in ('access.log', 'error.log')]

    def logs(self):
        return [self.path('log', 'error.log')]

    def _start(self):
        with open(self.path('pgyer-relay.conf'), 'w') as f:
            f.write(self.snippet_text())
        mods = ['mpm_event', 'authz_core', 'authz_host', 'alias', 'env',
                'mime', 'setenvif'] + self.modules
        conf = [
            'ServerRoot "%s"' % self.dir,
            'DefaultRuntimeDir "%s"' % self.path('run'),
            'PidFile "%s"' % self.path('run', 'apache2.pid'),
            'Mutex file:%s default' % self.path('run'),
            'Listen 127.0.0.1:%d' % self.port,
            'ServerName 127.0.0.1',
            'User %s' % WORKER,
            'Group %s' % WORKER,
            'ErrorLog "%s"' % self.path('log', 'error.log'),
            'LogLevel warn',
            'LogFormat "%h \\"%r\\" %>s %b %Dus" short',
            'CustomLog "%s" short' % self.path('log', 'access.log'),
            'StartServers 1',
            'ServerLimit 2',
            'ThreadsPerChild 8',
            'MinSpareThreads 1',
            'MaxSpareThreads 16',
            'MaxRequestWorkers 16',
            'TypesConfig /etc/mime.types',
            'DocumentRoot "%s"' % self.path('run'),
            '<Directory />\n\tAllowOverride None\n\tRequire all denied\n'
            '</Directory>',
        ] + self.extra_conf() + [
            'Include "%s"' % self.path('pgyer-relay.conf'),
        ]
        conf[0:0] = ['LoadModule %s_module %s/mod_%s.so' %
                     (m, APACHE_MODULES, m) for m in mods]
        with open(self.path('apache2.conf'), 'w') as f:
            f.write('\n'.join(conf) + '\n')
        log = self.path('log', 'error.log')
        argv = [APACHE, '-d', self.dir, '-f', self.path('apache2.conf'),
                '-DFOREGROUND']
        check = subprocess.run(argv[:-1] + ['-t'], capture_output=True,
                               text=True, env=self.env())
        if check.returncode != 0:
            raise ServerError('apache2 -t: %s%s' % (check.stdout,
                                                    check.stderr))
        p = self.spawn('apache2', argv, log, env=self.env())
        self.wait_for('apache2', lambda: _connects(
            socket.AF_INET, ('127.0.0.1', self.port)), p, log)

    def env(self):
        return {'PATH': '/usr/sbin:/usr/bin:/sbin:/bin', 'LANG': 'C'}


class DebianApache(Apache):
    """Apache as Debian ships it: a copy of /etc/apache2, then what the
    snippet tells users to do: a2enmod cgid; a2enconf pgyer-relay.  Only
    the port and the directories in envvars are ours."""
    name = 'apache-debian'
    a2enmod = ['cgid']      # [] to see what forgetting it does
    # The snippet's advice: env=!pgyer_relay on these CustomLog lines,
    # so that the relay's requests are logged only without the query.
    custom_logs = ['sites-available/000-default.conf',
                   'conf-available/other-vhosts-access-log.conf']

    def extra_paths(self):
        # ${APACHE_LOG_DIR} stays: Debian's envvars sets it.
        return [(SHIPPED_CGI_DIR, os.path.dirname(self.cgi))]

    def log_layout(self):
        return 0o750, [(n, 0, 0o640) for n in (
            'access.log', 'error.log', 'other_vhosts_access.log')]

    def _start(self):
        conf = self.path('apache2')
        env = {'PATH': '/usr/sbin:/usr/bin:/sbin:/bin', 'LANG': 'C',
               'APACHE_CONFDIR': conf,
               # a2enmod records its work here, not in /var/lib/apache2.
               'APACHE_STATE_DIRECTORY': self.path('state')}
        if not os.path.isdir(conf):
            shutil.copytree('/etc/apache2', conf, symlinks=True)
            with open(os.path.join(conf, 'conf-available',
                                   'pgyer-relay.conf'), 'w') as f:
                f.write(self.snippet_text())
            with open(os.path.join(conf, 'envvars'), 'a') as f:
                f.write(''.join('export %s=%s\n' % (k, self.path(v))
                                for k, v in (('APACHE_RUN_DIR', 'run'),
                                             ('APACHE_PID_FILE',
                                              'run/apache2.pid'),
                                             ('APACHE_LOCK_DIR', 'lock'),
                                             ('APACHE_LOG_DIR', 'log'))))
            for name in self.custom_logs:
                f = os.path.join(conf, name)
                with open(f) as fh:
                    text = fh.read()
                text, n = re.subn(r'(?m)^(\s*CustomLog .*)$',
                                  r'\1 env=!pgyer_relay', text)
                if n == 0:
                    raise ServerError('no CustomLog in %s' % f)
                with open(f, 'w') as fh:
                    fh.write(text)
            for d in ('run/socks', 'lock'):
                os.makedirs(self.path(d))
                os.chown(self.path(d), self.user.pw_uid, self.user.pw_gid)
            for argv in (['a2enmod', '-q'] + self.a2enmod,
                         ['a2enconf', '-q', 'pgyer-relay']):
                if argv[1:] == ['-q']:
                    continue
                r = subprocess.run(argv, env=env, capture_output=True,
                                   text=True)
                if r.returncode != 0:
                    raise ServerError('%s: %s%s' % (' '.join(argv),
                                                    r.stdout, r.stderr))
        with open(os.path.join(conf, 'ports.conf'), 'w') as f:
            f.write('Listen 127.0.0.1:%d\n' % self.port)
        # Requests go through Debian's default site, as on port 80.
        site = os.path.join(conf, 'sites-available', '000-default.conf')
        if os.path.exists(site):
            with open(site) as f:
                text = re.sub(r'<VirtualHost \*:\d+>',
                              '<VirtualHost *:%d>' % self.port, f.read())
            with open(site, 'w') as f:
                f.write(text)
        r = subprocess.run(['apache2ctl', 'configtest'], env=env,
                           capture_output=True, text=True)
        if r.returncode != 0:
            raise ServerError('apache2ctl configtest: %s%s' % (r.stdout,
                                                              r.stderr))
        log = self.path('log', 'error.log')
        # What apache2ctl does, but in the foreground and as our child.
        p = self.spawn('apache2', ['sh', '-c', '. "$APACHE_CONFDIR/envvars"'
                                   ' && exec apache2 -d "$APACHE_CONFDIR"'
                                   ' -DFOREGROUND'], log, env=env)
        self.wait_for('apache2', lambda: _connects(
            socket.AF_INET, ('127.0.0.1', self.port)), p, log)


class Nginx(Server):
    """nginx in front of fcgiwrap (run as www-data, as Debian's
    fcgiwrap.service does), the shipped location included in a server."""
    name = 'nginx'
    snippet = 'nginx-conf/pgyer-relay.conf'
    socket_name = 'fcgiwrap.socket'
    log_snippet = 'nginx-conf/conf.d/pgyer-relay-log.conf'

    def extra_paths(self):
        return [(SHIPPED_SOCKET, 'unix:' + self.socket),
                (SHIPPED_NGINX_LOGS, self.path('log'))]

    def log_layout(self):
        # fcgiwrap.log stands for the journal, where systemd puts
        # fcgiwrap's own output.
        return 0o755, [('access.log', self.user.pw_uid, 0o640),
                       ('error.log', self.user.pw_uid, 0o640),
                       ('fcgiwrap.log', 0, 0o640)]

    def logs(self):
        return [self.path('log', 'fcgiwrap.log'),
                self.path('log', 'error.log')]

    def _start(self):
        fdir = self.path('fcgiwrap')
        if not os.path.isdir(fdir):
            os.mkdir(fdir, 0o755)
            os.chown(fdir, self.user.pw_uid, self.user.pw_gid)
        self.socket = os.path.join(fdir, self.socket_name)
        if os.path.exists(self.socket):
            os.unlink(self.socket)
        with open(self.path('pgyer-relay.conf'), 'w') as f:
            f.write(self.snippet_text())
        # What Debian's nginx.conf includes in http { }: conf.d/*.conf.
        shutil.copyfile(os.path.join(TOP, self.log_snippet),
                        self.path('pgyer-relay-log.conf'))
        # The snippet says `include fastcgi_params;`, relative to the
        # directory of the main config file.
        shutil.copyfile('/etc/nginx/fastcgi_params',
                        self.path('fastcgi_params'))
        conf = """\
user %(user)s;
worker_processes 1;
daemon off;
pid %(dir)s/run/nginx.pid;
error_log %(dir)s/log/error.log info;
events { worker_connections 64; }
http {
    include %(dir)s/pgyer-relay-log.conf;
    access_log %(dir)s/log/access.log;
    client_body_temp_path %(dir)s/run/body;
    fastcgi_temp_path %(dir)s/run/fastcgi;
    server {
        listen 127.0.0.1:%(port)d;
        server_name localhost;
        include %(dir)s/pgyer-relay.conf;
    }
}
""" % {'user': WORKER, 'dir': self.dir, 'port': self.port}
        with open(self.path('nginx.conf'), 'w') as f:
            f.write(conf)
        env = {'PATH': '/usr/sbin:/usr/bin:/sbin:/bin', 'LANG': 'C'}

        self.start_backend(fdir, env)

        log = self.path('log', 'error.log')
        argv = [NGINX, '-e', log, '-c', self.path('nginx.conf')]
        check = subprocess.run(argv + ['-t'], capture_output=True,
                               text=True, env=env)
        if check.returncode != 0:
            raise ServerError('nginx -t: %s' % check.stderr)
        p = self.spawn('nginx', argv, log, env=env)
        self.wait_for('nginx', lambda: _connects(
            socket.AF_INET, ('127.0.0.1', self.port)), p, log)


    def start_backend(self, fdir, env):
        """What nginx passes requests to: fcgiwrap."""
        # -f: the CGI's stderr (the relay's log) goes to nginx's error
        # log, as with Debian's fcgiwrap.service.
        log = self.path('log', 'fcgiwrap.log')
        fw = self.spawn('fcgiwrap', [FCGIWRAP, '-f', '-s',
                                     'unix:' + self.socket], log, env=env,
                        user=self.user.pw_uid, group=self.user.pw_gid,
                        extra_groups=[], cwd=fdir)
        self.wait_for('fcgiwrap', lambda: _connects(
            socket.AF_UNIX, self.socket), fw, log)


class NginxFastcgi(Nginx):
    """nginx in front of the relay's own FastCGI workers (--fastcgi, as
    www-data, as pgyer-relay.service runs it)."""
    name = 'nginx-fastcgi'
    snippet = 'nginx-conf/pgyer-relay-fastcgi.conf'
    workers = 2
    socket_name = 'relay.sock'
    SHIPPED_SOCKET = 'unix:/run/pgyer-relay.sock'

    def extra_paths(self):
        return [(self.SHIPPED_SOCKET, 'unix:' + self.socket),
                (SHIPPED_NGINX_LOGS, self.path('log'))]

    def snippet_text(self):
        # No CGI path in this snippet; the config is the relay's env.
        with open(os.path.join(TOP, self.snippet)) as f:
            text = f.read()
        return substitute(text, self.extra_paths() + self.edits,
                          self.snippet)

    def start_backend(self, fdir, env):
        # fcgiwrap.log stands for the journal, where systemd puts the
        # relay's own output.
        log = self.path('log', 'fcgiwrap.log')
        env = dict(env, PGYER_RELAY_CONFIG=self.config)
        self.relay = self.spawn(
            'relay', [self.cgi, '--fastcgi', 'unix:' + self.socket,
                      '--workers', str(self.workers)], log, env=env,
            user=self.user.pw_uid, group=self.user.pw_gid,
            extra_groups=[], cwd=fdir)
        self.wait_for('the relay', lambda: _connects(
            socket.AF_UNIX, self.socket), self.relay, log)

    def relay_workers(self):
        """The pids of the relay's workers."""
        pid = self.relay.pid
        with open('/proc/%d/task/%d/children' % (pid, pid)) as f:
            return [int(x) for x in f.read().split()]


class ApacheFcgid(Apache):
    """Apache 2.4 with mod_fcgid starting the relay's processes, from
    apache-conf/pgyer-relay-fcgid.conf."""
    name = 'apache-fcgid'
    snippet = 'apache-conf/pgyer-relay-fcgid.conf'
    modules = ['fcgid']

    def extra_conf(self):
        d = self.path('run', 'fcgid')
        if not os.path.isdir(d):
            os.mkdir(d, 0o755)
            os.chown(d, self.user.pw_uid, self.user.pw_gid)
        return ['FcgidIPCDir "%s"' % d,
                'FcgidProcessTableFile "%s"' % self.path('run',
                                                         'fcgid_shm')]


SERVERS = {'apache': Apache, 'apache-debian': DebianApache,
           'nginx': Nginx, 'nginx-fastcgi': NginxFastcgi,
           'apache-fcgid': ApacheFcgid}


def exit_on_signals():
    """SIGTERM and SIGHUP unwind like Ctrl-C, through every finally:
    what was started is stopped whichever way we are told to end."""
    def handler(sig, frame):
        raise KeyboardInterrupt
    for sig in (signal.SIGTERM, signal.SIGHUP):
        signal.signal(sig, handler)
