#ifndef VERSION_H
#define VERSION_H
#define PGYER_RELAY_VERSION	"0.1.0"
#endif
