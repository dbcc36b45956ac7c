build/template.o: src/template.c src/buf.h src/template.h src/config.h
src/buf.h:
src/template.h:
src/config.h:
