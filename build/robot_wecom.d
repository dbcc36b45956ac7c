build/robot_wecom.o: src/robot_wecom.c src/robot.h src/config.h
src/robot.h:
src/config.h:
