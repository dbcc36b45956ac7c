build/buf.o: src/buf.c src/buf.h src/xalloc.h
src/buf.h:
src/xalloc.h:
