build/event.o: src/event.c src/event.h
src/event.h:
