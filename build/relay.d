build/relay.o: src/relay.c src/event.h src/relay.h src/config.h \
 src/deliver.h src/robot.h src/subscribe.h src/template.h
src/event.h:
src/relay.h:
src/config.h:
src/deliver.h:
src/robot.h:
src/subscribe.h:
src/template.h:
