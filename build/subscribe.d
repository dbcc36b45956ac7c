build/subscribe.o: src/subscribe.c src/config.h src/subscribe.h
src/config.h:
src/subscribe.h:
