build/summary.o: src/summary.c src/buf.h src/deliver.h src/robot.h \
 src/config.h src/summary.h src/cgi.h
src/buf.h:
src/deliver.h:
src/robot.h:
src/config.h:
src/summary.h:
src/cgi.h:
