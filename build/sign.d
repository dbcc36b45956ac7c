build/sign.o: src/sign.c src/sign.h
src/sign.h:
