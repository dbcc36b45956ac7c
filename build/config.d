build/config.o: src/config.c src/buf.h src/config.h
src/buf.h:
src/config.h:
