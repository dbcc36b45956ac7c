/*
 * Scratch directories for unit tests that touch files: one fresh
 * directory under $TMPDIR per test, removed with everything in it.
 */
#ifndef TMPDIR_H
#define TMPDIR_H

#include <sys/stat.h>

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* Creates $TMPDIR/pgyer-relay-NAME.XXXXXX into out; exits on failure. */
static inline void
tmpdir_make(char *out, size_t len, const char *name)
{
	const char	*t = getenv("TMPDIR");

	snprintf(out, len, "%s/pgyer-relay-%s.XXXXXX",
	    t != NULL && *t != '\0' ? t : "/tmp", name);
	if (mkdtemp(out) == NULL) {
		perror(out);
		exit(2);
	}
}

/* rm -rf path, without following symbolic links. */
static inline void
tmpdir_remove(const char *path)
{
	struct dirent	*de;
	struct stat	 st;
	DIR		*d;
	char		 sub[4096];

	if (lstat(path, &st) == -1)
		return;
	if (S_ISDIR(st.st_mode) && (d = opendir(path)) != NULL) {
		while ((de = readdir(d)) != NULL) {
			if (strcmp(de->d_name, ".") == 0 ||
			    strcmp(de->d_name, "..") == 0)
				continue;
			if ((size_t)snprintf(sub, sizeof(sub), "%s/%s", path,
			    de->d_name) < sizeof(sub))
				tmpdir_remove(sub);
		}
		closedir(d);
		rmdir(path);
	} else
		unlink(path);
}

/* Writes len bytes of data to path (mode 0600); 0 or -1. */
static inline int
tmpdir_write(const char *path, const void *data, size_t len)
{
	FILE	*f;
	int	 rc;

	if ((f = fopen(path, "wb")) == NULL)
		return -1;
	rc = fwrite(data, 1, len, f) == len ? 0 : -1;
	if (fclose(f) != 0)
		rc = -1;
	return rc;
}

#endif
