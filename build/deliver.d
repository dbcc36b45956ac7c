build/deliver.o: src/deliver.c src/deliver.h src/robot.h src/config.h
src/deliver.h:
src/robot.h:
src/config.h:
