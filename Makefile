# pgyer-relay: GNU Makefile.  `make`, `make check`, `make install`.
# Quiet by default; `make V=1` shows the commands.

PREFIX	?= /usr/local
BINDIR	?= $(PREFIX)/lib/cgi-bin
SYSCONFDIR ?= /etc
MANDIR	?= $(PREFIX)/share/man
DATADIR	?= $(PREFIX)/share/pgyer-relay
DESTDIR	?=

CC	?= cc
PKG_CONFIG ?= pkg-config
PKGS	= yajl libcurl libcrypto
BUILD	?= cgi-bin/.obj

CFLAGS	?= -O2 -g
WARN	= -std=c11 -Wall -Wextra -Werror -Wshadow -Wformat=2 \
	  -Wstrict-prototypes -Wmissing-prototypes -Wwrite-strings \
	  -Wpointer-arith -Wundef
HARDEN	= -D_FORTIFY_SOURCE=2 -fstack-protector-strong
DEFS	= -D_POSIX_C_SOURCE=200809L \
	  -DDEFAULT_CONFIG='"$(SYSCONFDIR)/pgyer-relay/config.json"'
PKG_CFLAGS := $(shell $(PKG_CONFIG) --cflags $(PKGS))
# libcurl and libcrypto are opened with dlopen() when a request is sent
# (src/lazylib.h), by the absolute path of their soname; only yajl is
# linked.  LIBDL: -ldl before glibc 2.34, nothing since.
PKG_LIBS := $(shell $(PKG_CONFIG) --libs yajl) $(LIBDL)
soname	= $(shell f=$$($(PKG_CONFIG) --variable=libdir $(1))/$(2); \
	  objdump -p $$f 2>/dev/null | sed -n 's/^ *SONAME *//p' | \
	  sed 's|^|'"$$(dirname $$f)"'/|')
LIBCURL_SO := $(call soname,libcurl,libcurl.so)
LIBCRYPTO_SO := $(call soname,libcrypto,libcrypto.so)
LIBSSL_SO := $(call soname,libssl,libssl.so)
LAZY_DEFS = $(if $(LIBCURL_SO),-DLIBCURL_SO='"$(LIBCURL_SO)"') \
	    $(if $(LIBCRYPTO_SO),-DLIBCRYPTO_SO='"$(LIBCRYPTO_SO)"') \
	    $(if $(LIBSSL_SO),-DLIBSSL_SO='"$(LIBSSL_SO)"')
ALL_CFLAGS = $(WARN) $(HARDEN) $(DEFS) $(LAZY_DEFS) $(PKG_CFLAGS) $(CFLAGS) \
	     $(EXTRA_CFLAGS)
ALL_LDFLAGS = -Wl,-z,relro,-z,now $(LDFLAGS) $(EXTRA_LDFLAGS)

SRC	= $(wildcard src/*.c)
OBJ	= $(SRC:src/%.c=$(BUILD)/%.o)
LIBOBJ	= $(filter-out $(BUILD)/main.o,$(OBJ))
LIB	= $(BUILD)/libpgyer.a
CGI	?= cgi-bin/pgyer-relay.cgi
UNIT_SRC = $(wildcard tests/unit/test_*.c)
UNIT_BIN = $(UNIT_SRC:tests/unit/%.c=$(BUILD)/tests/%)

ifeq ($(V),1)
Q =
msg = @true
else
Q = @
msg = @printf '  %-6s %s\n'
endif

.PHONY: all check unit install uninstall clean demo serve bench fuzz
all: $(CGI)

$(CGI): $(BUILD)/main.o $(LIB)
	$(msg) LINK $@
	$(Q)mkdir -p $(dir $@)
	$(Q)$(CC) $(ALL_CFLAGS) $(ALL_LDFLAGS) -o $@ $^ $(PKG_LIBS)

$(LIB): $(LIBOBJ)
	$(msg) AR $@
	$(Q)rm -f $@ && ar rcs $@ $^

$(BUILD)/%.o: src/%.c
	$(msg) CC $<
	$(Q)mkdir -p $(dir $@)
	$(Q)$(CC) $(ALL_CFLAGS) -MMD -MP -c -o $@ $<

$(BUILD)/tests/%: tests/unit/%.c tests/unit/test.h $(LIB)
	$(msg) CC $<
	$(Q)mkdir -p $(dir $@)
	$(Q)$(CC) $(ALL_CFLAGS) -Wno-missing-prototypes -Isrc $(ALL_LDFLAGS) \
	    -o $@ $< $(LIB) $(PKG_LIBS)

unit: $(UNIT_BIN)

# Every test: unit and CGI tests, then the same under ASan+UBSan, then the
# CGI tests under valgrind.  The last line is "N passed, N failed".
check: all unit
	$(Q)BUILD=$(BUILD) CGI=$(CGI) MAKE=$(MAKE) sh tests/run.sh

# The config holds robot keys: 0640, group of the web server's user, so
# that the CGI (run as that user) can read it and nobody else can.
# The relay's log file: 0620 root:WEBGROUP in a root-owned directory, so
# that the CGI can append to it, and no web application (they run as the
# same user) can read it.  The snippets go under DATADIR with the names
# and directories they take in /etc/apache2 and /etc/nginx.
WEBGROUP ?= www-data
LOGDIR	?= /var/log/pgyer-relay
SNIPPETS = apache2/conf-available/pgyer-relay.conf \
	   nginx/snippets/pgyer-relay.conf nginx/conf.d/pgyer-relay-log.conf
paths	= sed -e 's|/usr/local/lib/cgi-bin|$(BINDIR)|g' \
	      -e 's|/etc/pgyer-relay|$(SYSCONFDIR)/pgyer-relay|g' \
	      -e 's|/var/log/pgyer-relay|$(LOGDIR)|g'
install: all
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
	install -d -m 0755 $(DESTDIR)$(LOGDIR)
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
	$(paths) nginx-conf/pgyer-relay.conf > \
	    $(DESTDIR)$(DATADIR)/nginx/snippets/pgyer-relay.conf
	install -m 0644 nginx-conf/pgyer-relay-log.conf \
	    $(DESTDIR)$(DATADIR)/nginx/conf.d/pgyer-relay-log.conf

uninstall:
	rm -f $(DESTDIR)$(BINDIR)/pgyer-relay.cgi
	rm -f $(DESTDIR)$(MANDIR)/man8/pgyer-relay.8
	rm -f $(DESTDIR)$(SYSCONFDIR)/logrotate.d/pgyer-relay
	rm -rf $(DESTDIR)$(DATADIR)
	@echo "kept $(DESTDIR)$(SYSCONFDIR)/pgyer-relay/config.json"
	@echo "kept $(DESTDIR)$(LOGDIR)"

clean:
	rm -rf $(BUILD) $(CGI)

-include $(OBJ:.o=.d)

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

# Speed and memory against references measured in the same run (issue 5).
bench: all
	$(Q)sh tests/bench/run.sh

# Each fuzz harness for a bounded time (FUZZ_SECONDS, default 60).
FUZZ_SECONDS ?= 60
fuzz:
	$(Q)FUZZ_SECONDS=$(FUZZ_SECONDS) sh tests/fuzz/run.sh
