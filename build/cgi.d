build/cgi.o: src/cgi.c src/buf.h src/cgi.h
src/buf.h:
src/cgi.h:
