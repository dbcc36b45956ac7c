# pgyer-relay: GNU Makefile.  `make`, `make check`, `make check-all`,
# `make install`.  Quiet by default; `make V=1` shows the commands.
# Objects go to $(BUILD) (build/), the program to cgi-bin/.  Honoured:
# CC, CFLAGS, CPPFLAGS, LDFLAGS, AR, PKG_CONFIG; WERROR=1 adds -Werror
# (CI sets it).

PREFIX	?= /usr/local
BINDIR	?= $(PREFIX)/lib/cgi-bin
SYSCONFDIR ?= /etc
MANDIR	?= $(PREFIX)/share/man
DATADIR	?= $(PREFIX)/share/pgyer-relay
DESTDIR	?=

CC	?= cc
AR	?= ar
PKG_CONFIG ?= pkg-config
PKGS	= yajl libcurl libcrypto hiredis fcgi
BUILD	?= build

CFLAGS	?= -O2 -g
WARN	= -std=c11 -Wall -Wextra -Wshadow -Wformat=2 \
	  -Wstrict-prototypes -Wmissing-prototypes -Wwrite-strings \
	  -Wpointer-arith -Wundef $(if $(filter 1,$(WERROR)),-Werror)
HARDEN	= -D_FORTIFY_SOURCE=2 -fstack-protector-strong
DEFS	= -D_POSIX_C_SOURCE=200809L \
	  -DDEFAULT_CONFIG='"$(SYSCONFDIR)/pgyer-relay/config.json"'

# The -dev package (Debian 12) that provides each pkg-config name.
dev_yajl	= libyajl-dev
dev_libcurl	= libcurl4-openssl-dev
dev_libcrypto	= libssl-dev
dev_hiredis	= libhiredis-dev
dev_fcgi	= libfcgi-dev
# Goals that compile nothing do not need the libraries (`make demo`,
# `make check` and `make check-all` install them first, then build).
NOLIB_GOALS = clean uninstall demo check check-all
ifneq ($(filter-out $(NOLIB_GOALS),$(or $(MAKECMDGOALS),all)),)
ifeq ($(shell command -v $(PKG_CONFIG)),)
$(error missing pkg-config: apt-get install pkg-config)
endif
MISSING := $(strip $(foreach p,$(PKGS),$(if $(shell $(PKG_CONFIG) --exists $(p) \
	   2>/dev/null && echo y),,$(p))))
ifneq ($(MISSING),)
empty	:=
space	:= $(empty) $(empty)
comma	:= ,
$(error missing $(subst |, ,$(subst $(space),$(comma)$(space),$(foreach \
	p,$(MISSING),$(dev_$(p))|($(p))))): apt-get install $(foreach \
	p,$(MISSING),$(dev_$(p))))
endif
endif

PKG_CFLAGS := $(shell $(PKG_CONFIG) --cflags $(PKGS) 2>/dev/null)
# libcurl and libcrypto are opened with dlopen() by soname when a request
# is sent (src/lazylib.h); yajl, hiredis (small: state_redis.c) and
# libfcgi (the FastCGI mode, src/fcgi.c) are linked.  LIBDL: -ldl before
# glibc 2.34, nothing since.  -pthread: the workers' shared mutex
# (src/lastgood.c).
PKG_LIBS := $(shell $(PKG_CONFIG) --libs yajl hiredis fcgi 2>/dev/null) \
	    $(LIBDL) -pthread
ALL_CPPFLAGS = $(DEFS) $(PKG_CFLAGS) $(CPPFLAGS)
ALL_CFLAGS = $(WARN) $(HARDEN) $(CFLAGS) $(EXTRA_CFLAGS)
ALL_LDFLAGS = -Wl,-z,relro,-z,now $(LDFLAGS) $(EXTRA_LDFLAGS)

SRC	= $(wildcard src/*.c)
OBJ	= $(SRC:src/%.c=$(BUILD)/%.o)
LIBOBJ	= $(filter-out $(BUILD)/main.o,$(OBJ))
LIB	= $(BUILD)/libpgyer.a
CGI	?= cgi-bin/pgyer-relay.cgi
UNIT_SRC = $(wildcard tests/unit/test_*.c)
UNIT_BIN = $(UNIT_SRC:tests/unit/%.c=$(BUILD)/tests/%)
# Every build directory: this one, and those tests/run.sh (build-asan)
# and tests/fuzz/run.sh (build-fuzz) make.
BUILD_DIRS = $(sort $(BUILD) build) build-*

ifeq ($(V),1)
Q =
msg = @true
else ifneq ($(findstring s,$(firstword -$(MAKEFLAGS))),)
Q = @
msg = @true
else
Q = @
msg = @printf '  %-6s %s\n'
endif

.PHONY: all check check-all unit faults nocrypto install uninstall clean demo serve \
	bench fuzz FORCE
all: $(CGI)

# Everything compiled depends on the flags it was compiled with (and
# SYSCONFDIR is one of them): $(FLAGS) holds them and is rewritten only
# when they change, so `make install SYSCONFDIR=/opt/etc` after `make`
# rebuilds, and a second `make` does nothing.
FLAGS	= $(BUILD)/FLAGS
FLAGS_NOW = $(CC) $(ALL_CPPFLAGS) $(ALL_CFLAGS) $(ALL_LDFLAGS) $(PKG_LIBS)
$(FLAGS): FORCE
	@mkdir -p $(dir $@)
	@now='$(subst ','\'',$(FLAGS_NOW))'; \
	if [ "x$$now" != "x$$(cat $@ 2>/dev/null)" ]; then \
		[ -f $@ ] && echo "  flags changed: rebuilding"; \
		printf '%s\n' "$$now" >$@; \
	fi

$(CGI): $(BUILD)/main.o $(LIB) $(FLAGS)
	$(msg) LINK $@
	$(Q)mkdir -p $(dir $@)
	$(Q)$(CC) $(ALL_CFLAGS) $(ALL_LDFLAGS) -o $@ $(BUILD)/main.o $(LIB) \
	    $(PKG_LIBS)

$(LIB): $(LIBOBJ)
	$(msg) AR $@
	$(Q)rm -f $@ && $(AR) rcs $@ $^

$(BUILD)/%.o: src/%.c $(FLAGS)
	$(msg) CC $<
	$(Q)$(CC) $(ALL_CPPFLAGS) $(ALL_CFLAGS) -MMD -MP -c -o $@ $<

$(BUILD)/tests/%: tests/unit/%.c $(LIB) $(FLAGS)
	$(msg) CC $<
	$(Q)mkdir -p $(dir $@)
	$(Q)$(CC) $(ALL_CPPFLAGS) -Isrc $(ALL_CFLAGS) \
	    -Wno-missing-prototypes -MMD -MP $(ALL_LDFLAGS) -o $@ $< $(LIB) \
	    $(PKG_LIBS)

unit: $(UNIT_BIN)

# The crash-injection build for tests/cgi/test_crash.py: the files with
# FAULT() points (src/fault.h) compiled with -DPGYER_FAULTS, linked ahead
# of the library.  Only for tests; never installed.
FAULT_OBJ = $(BUILD)/faults/journal.o
FAULT_CGI = $(BUILD)/faults/pgyer-relay.cgi
faults: $(FAULT_CGI)

$(BUILD)/faults/%.o: src/%.c $(FLAGS)
	$(msg) CC $@
	$(Q)mkdir -p $(dir $@)
	$(Q)$(CC) $(ALL_CPPFLAGS) -DPGYER_FAULTS $(ALL_CFLAGS) -MMD -MP -c \
	    -o $@ $<

$(FAULT_CGI): $(BUILD)/main.o $(FAULT_OBJ) $(LIB) $(FLAGS)
	$(msg) LINK $@
	$(Q)$(CC) $(ALL_CFLAGS) $(ALL_LDFLAGS) -o $@ $(BUILD)/main.o \
	    $(FAULT_OBJ) $(LIB) $(PKG_LIBS)

# The relay as it runs where libcrypto cannot be opened, for
# tests/cgi/test_nocrypto.py: crypto.c compiled for a soname no system
# has, linked ahead of the library.  Only for tests; never installed.
NOCRYPTO_SO = libcrypto-absent-for-a-test.so.0
NOCRYPTO_CGI = $(BUILD)/nocrypto/pgyer-relay.cgi
nocrypto: $(NOCRYPTO_CGI)

$(BUILD)/nocrypto/crypto.o: src/crypto.c $(FLAGS)
	$(msg) CC $@
	$(Q)mkdir -p $(dir $@)
	$(Q)$(CC) $(ALL_CPPFLAGS) -DLIBCRYPTO_SO='"$(NOCRYPTO_SO)"' \
	    $(ALL_CFLAGS) -MMD -MP -c -o $@ $<

$(NOCRYPTO_CGI): $(BUILD)/main.o $(BUILD)/nocrypto/crypto.o $(LIB) $(FLAGS)
	$(msg) LINK $@
	$(Q)$(CC) $(ALL_CFLAGS) $(ALL_LDFLAGS) -o $@ $(BUILD)/main.o \
	    $(BUILD)/nocrypto/crypto.o $(LIB) $(PKG_LIBS)

# `make check`: unit and CGI tests (SUITES="unit" or "cgi" for one).
# `make check-all`: those, the same under ASan+UBSan, the CGI tests under
# valgrind, and the end-to-end tests through real Apache and nginx.  The
# last line of both is "N passed, N failed"; the exit status is non-zero
# when anything failed.
check:
	$(Q)sh .ci/deps.sh check
	$(Q)$(MAKE) --no-print-directory all unit faults nocrypto
	$(Q)BUILD=$(BUILD) CGI=$(CGI) MAKE='$(MAKE)' \
	    SUITES="$(or $(SUITES),unit cgi)" sh tests/run.sh
check-all:
	$(Q)sh .ci/deps.sh
	$(Q)$(MAKE) --no-print-directory all unit faults nocrypto
	$(Q)BUILD=$(BUILD) CGI=$(CGI) MAKE='$(MAKE)' \
	    SUITES="$(or $(SUITES),unit cgi asan valgrind e2e)" sh tests/run.sh

# The config holds robot keys: 0640, group of the web server's user, so
# that the CGI (run as that user) can read it and nobody else can.
# The relay's log file: 0620 root:WEBGROUP in a root-owned directory, so
# that the CGI can append to it, and no web application (they run as the
# same user) can read it.  Both made only when missing, as the Debian
# package's postinst does, so an admin's later changes are kept.  The
# snippets go under DATADIR with the names and directories they take in
# /etc/apache2 and /etc/nginx.
WEBGROUP ?= www-data
LOGDIR	?= /var/log/pgyer-relay
SNIPPETS = apache2/conf-available/pgyer-relay.conf \
	   apache2/conf-available/pgyer-relay-fcgid.conf \
	   nginx/snippets/pgyer-relay.conf \
	   nginx/snippets/pgyer-relay-fastcgi.conf \
	   nginx/conf.d/pgyer-relay-log.conf
paths	= sed -e 's|/usr/local/lib/cgi-bin|$(BINDIR)|g' \
	      -e 's|/etc/pgyer-relay|$(SYSCONFDIR)/pgyer-relay|g' \
	      -e 's|/var/log/pgyer-relay|$(LOGDIR)|g'
install: all install-fastcgi
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(SYSCONFDIR)/pgyer-relay
	install -m 0755 $(CGI) $(DESTDIR)$(BINDIR)/pgyer-relay.cgi
	@conf=$(DESTDIR)$(SYSCONFDIR)/pgyer-relay/config.json; \
	if [ -e "$$conf" ]; then \
		echo "kept $$conf"; \
	else \
		(umask 077 && $(paths) etc/config.example.json > "$$conf") && \
		chmod 0640 "$$conf" && \
		{ chgrp $(WEBGROUP) "$$conf" 2>/dev/null || \
		  echo "run: chgrp $(WEBGROUP) $$conf (the web server must read it)"; }; \
	fi
	[ -d $(DESTDIR)$(LOGDIR) ] || install -d -m 0755 $(DESTDIR)$(LOGDIR)
	@log=$(DESTDIR)$(LOGDIR)/pgyer-relay.log; \
	if [ -e "$$log" ]; then \
		echo "kept $$log"; \
	else \
		(umask 077 && : > "$$log") && chmod 0620 "$$log" && \
		{ chgrp $(WEBGROUP) "$$log" 2>/dev/null || \
		  echo "run: chgrp $(WEBGROUP) $$log (the relay appends to it)"; }; \
	fi
	install -d $(DESTDIR)$(SYSCONFDIR)/logrotate.d
	$(paths) etc/pgyer-relay.logrotate > \
	    $(DESTDIR)$(SYSCONFDIR)/logrotate.d/pgyer-relay
	install -d $(DESTDIR)$(DATADIR) $(DESTDIR)$(MANDIR)/man8
	install -m 0644 man/pgyer-relay.8 $(DESTDIR)$(MANDIR)/man8/
	install -m 0644 etc/config.example.json $(DESTDIR)$(DATADIR)/
	install -d $(addprefix $(DESTDIR)$(DATADIR)/,$(sort $(dir $(SNIPPETS))))
	$(paths) apache-conf/pgyer-relay.conf > \
	    $(DESTDIR)$(DATADIR)/apache2/conf-available/pgyer-relay.conf
	$(paths) apache-conf/pgyer-relay-fcgid.conf > \
	    $(DESTDIR)$(DATADIR)/apache2/conf-available/pgyer-relay-fcgid.conf
	$(paths) nginx-conf/pgyer-relay.conf > \
	    $(DESTDIR)$(DATADIR)/nginx/snippets/pgyer-relay.conf
	$(paths) nginx-conf/pgyer-relay-fastcgi.conf > \
	    $(DESTDIR)$(DATADIR)/nginx/snippets/pgyer-relay-fastcgi.conf
	install -m 0644 nginx-conf/conf.d/pgyer-relay-log.conf \
	    $(DESTDIR)$(DATADIR)/nginx/conf.d/pgyer-relay-log.conf

uninstall: uninstall-fastcgi
	rm -f $(DESTDIR)$(BINDIR)/pgyer-relay.cgi
	rm -f $(DESTDIR)$(MANDIR)/man8/pgyer-relay.8
	rm -f $(DESTDIR)$(SYSCONFDIR)/logrotate.d/pgyer-relay
	rm -rf $(DESTDIR)$(DATADIR)
	@echo "kept $(DESTDIR)$(SYSCONFDIR)/pgyer-relay/config.json"
	@echo "kept $(DESTDIR)$(LOGDIR)"

clean:
	rm -rf $(BUILD_DIRS) $(CGI)

-include $(OBJ:.o=.d) $(UNIT_BIN:=.d) $(FAULT_OBJ:.o=.d) \
	$(BUILD)/nocrypto/crypto.d

# See it work: installs what is missing (Debian 12, as root), builds, runs
# nginx + fcgiwrap and a mock robot of each kind on loopback, posts the
# PGYER example events, prints what each robot received, stops everything.
demo:
	$(Q)sh .ci/deps.sh
	$(Q)$(MAKE) -s all
	$(Q)sh tests/e2e/demo.sh

# nginx + fcgiwrap with the relay on 127.0.0.1:$(PORT) until Ctrl-C.
PORT	?= 8080
CONFIG	?=
serve: all
	$(Q)sh tests/e2e/serve.sh "$(PORT)" "$(CONFIG)"

# Speed and memory against references measured in the same run.
bench: all
	$(Q)sh tests/bench/run.sh

# Each fuzz harness for a bounded time (FUZZ_SECONDS, default 60).
FUZZ_SECONDS ?= 60
fuzz:
	$(Q)FUZZ_SECONDS=$(FUZZ_SECONDS) sh tests/fuzz/run.sh


# The drain every minute, for `make install`: the systemd timer and
# service, and the cron job that runs only where systemd is not the init.
# Then: systemctl daemon-reload && systemctl enable --now
# pgyer-relay-drain.timer.  Needs spool_dir in the config (else the drain
# complains every minute).
SYSTEMDDIR ?= /etc/systemd/system
CRONDIR	?= /etc/cron.d
DRAIN_UNITS = pgyer-relay-drain.service pgyer-relay-drain.timer
.PHONY: install-drain uninstall-drain install-fastcgi uninstall-fastcgi
install-drain:
	install -d $(DESTDIR)$(SYSTEMDDIR) $(DESTDIR)$(CRONDIR)
	for u in $(DRAIN_UNITS); do \
		sed -e 's|/usr/local/lib/cgi-bin|$(BINDIR)|g' \
		    -e 's|/etc/pgyer-relay|$(SYSCONFDIR)/pgyer-relay|g' \
		    etc/systemd/$$u > $(DESTDIR)$(SYSTEMDDIR)/$$u || exit 1; \
	done
	sed -e 's|/usr/local/lib/cgi-bin|$(BINDIR)|g' \
	    -e 's|/etc/pgyer-relay|$(SYSCONFDIR)/pgyer-relay|g' \
	    etc/cron.d/pgyer-relay > $(DESTDIR)$(CRONDIR)/pgyer-relay

uninstall-drain:
	for u in $(DRAIN_UNITS); do rm -f $(DESTDIR)$(SYSTEMDDIR)/$$u; done
	rm -f $(DESTDIR)$(CRONDIR)/pgyer-relay

# The FastCGI mode's socket and service (part of `make install`), not
# enabled: systemctl daemon-reload && systemctl enable --now
# pgyer-relay.socket, then nginx-conf/pgyer-relay-fastcgi.conf.
FASTCGI_UNITS = pgyer-relay.socket pgyer-relay.service
install-fastcgi:
	install -d $(DESTDIR)$(SYSTEMDDIR)
	for u in $(FASTCGI_UNITS); do \
		sed -e 's|/usr/local/lib/cgi-bin|$(BINDIR)|g' \
		    -e 's|/etc/pgyer-relay|$(SYSCONFDIR)/pgyer-relay|g' \
		    etc/systemd/$$u > $(DESTDIR)$(SYSTEMDDIR)/$$u || exit 1; \
	done

uninstall-fastcgi:
	for u in $(FASTCGI_UNITS); do rm -f $(DESTDIR)$(SYSTEMDDIR)/$$u; done

# A Debian package (debian/) of this tree, built by dpkg-buildpackage on a
# copy so that neither this tree nor its build changes; the .deb goes to
# $(DEBOUT), then lintian checks it when installed.  The build needs
# dpkg-dev, debhelper, fakeroot and debian/control's Build-Depends
# (`apt-get build-dep ./`).
DEBOUT	?= cgi-bin
DEB_TMP	= $(DEBOUT)/.obj-deb
DEB_SRC	= src tests apache-conf nginx-conf etc man debian Makefile README.md
DEB_JOBS ?= 2
.PHONY: deb
deb:
	$(Q)rm -rf $(DEB_TMP) $(DEBOUT)/pgyer-relay_*.deb
	$(Q)mkdir -p $(DEB_TMP)/pgyer-relay
	$(Q)cp -R $(DEB_SRC) $(DEB_TMP)/pgyer-relay/
	$(Q)cd $(DEB_TMP)/pgyer-relay && \
	    DEB_BUILD_OPTIONS="$$DEB_BUILD_OPTIONS noautodbgsym" \
	    dpkg-buildpackage -us -uc -b -J$(DEB_JOBS)
	$(Q)mv $(DEB_TMP)/pgyer-relay_*.deb $(DEBOUT)/
	$(Q)rm -rf $(DEB_TMP)
	$(Q)if command -v lintian >/dev/null; then \
		lintian --fail-on error,warning $(DEBOUT)/pgyer-relay_*.deb; \
	else \
		echo "lintian not installed: the package is not checked"; \
	fi
	@ls $(DEBOUT)/pgyer-relay_*.deb
