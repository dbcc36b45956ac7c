build/url.o: src/url.c src/buf.h src/url.h src/xalloc.h
src/buf.h:
src/url.h:
src/xalloc.h:
