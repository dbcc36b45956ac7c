build/robot_json.o: src/robot_json.c src/robot.h src/config.h
src/robot.h:
src/config.h:
