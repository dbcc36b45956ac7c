build/log.o: src/log.c src/buf.h src/log.h
src/buf.h:
src/log.h:
