build/robot_dingtalk.o: src/robot_dingtalk.c src/robot.h src/config.h
src/robot.h:
src/config.h:
