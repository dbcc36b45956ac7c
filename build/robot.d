build/robot.o: src/robot.c src/robot.h src/config.h
src/robot.h:
src/config.h:
