build/robot_feishu.o: src/robot_feishu.c src/robot.h src/config.h
src/robot.h:
src/config.h:
