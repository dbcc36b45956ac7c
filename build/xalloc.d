build/xalloc.o: src/xalloc.c src/xalloc.h
src/xalloc.h:
