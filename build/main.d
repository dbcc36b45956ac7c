build/main.o: src/main.c src/buf.h src/cgi.h src/cli.h src/config.h \
 src/deliver.h src/robot.h src/event.h src/log.h src/relay.h src/sign.h \
 src/summary.h src/url.h src/xalloc.h
src/buf.h:
src/cgi.h:
src/cli.h:
src/config.h:
src/deliver.h:
src/robot.h:
src/event.h:
src/log.h:
src/relay.h:
src/sign.h:
src/summary.h:
src/url.h:
src/xalloc.h:
