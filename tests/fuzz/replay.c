/* SPDX-License-Identifier: GPL-2.0-or-later
 * replay.c - main() for a harness built without libFuzzer: feeds each
 * file named on the command line (each file of a directory named), or
 * without names each file of the harness's tests/fuzz/regress/ directory
 * (FUZZ_REGRESS_DIR), to LLVMFuzzerTestOneInput(), so that `make check`
 * keeps every input the fuzzer ever crashed on fixed, with the normal
 * compiler and sanitizers.
 *
 * It reports TAP ("1..N", then "ok I - FILE" once an input has run), so an
 * input that crashes leaves the plan short and the test fails. The
 * Criterion options tests/run-criterion.sh passes (--tap=-, --ascii) are
 * accepted and ignored. Exit status: 0 when every input ran, 1 when an
 * input could not be read or none was found.
 */
#include <dirent.h>
#include <stdbool.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "fuzz.h"

/* Weak: a harness that needs set-up defines it. */
__attribute__((weak)) int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	return 0;
}

static int run_file(const char *path)
{
	FILE *f = fopen(path, "rb");
	uint8_t *buf = NULL, *copy;
	size_t len = 0, cap = 0;

	if (!f) {
		fprintf(stderr, "%s: %s\n", path, strerror(errno));
		return -1;
	}
	for (;;) {
		size_t n;

		if (len == cap) {
			uint8_t *nb;

			cap = cap ? 2 * cap : 4096;
			nb = realloc(buf, cap);
			if (!nb) {
				fprintf(stderr, "%s: out of memory\n", path);
				free(buf);
				fclose(f);
				return -1;
			}
			buf = nb;
		}
		n = fread(buf + len, 1, cap - len, f);
		len += n;
		if (n == 0)
			break;
	}
	if (ferror(f)) {
		fprintf(stderr, "%s: read error\n", path);
		free(buf);
		fclose(f);
		return -1;
	}
	fclose(f);
	/* exactly @len bytes, so ASan sees any read past the input */
	copy = malloc(len ? len : 1);
	if (!copy) {
		free(buf);
		return -1;
	}
	if (len)
		memcpy(copy, buf, len);
	free(buf);
	printf("# %s (%zu bytes)\n", path, len);
	fflush(stdout);
	LLVMFuzzerTestOneInput(copy, len);
	free(copy);
	return 0;
}

struct names {
	char **v;
	size_t n, cap;
};

static int names_add(struct names *l, const char *a, const char *b)
{
	char *s;

	if (l->n == l->cap) {
		size_t cap = l->cap ? 2 * l->cap : 16;
		char **nv = realloc(l->v, cap * sizeof(*nv));

		if (!nv)
			return -1;
		l->v = nv;
		l->cap = cap;
	}
	s = malloc(strlen(a) + (b ? strlen(b) + 1 : 0) + 1);
	if (!s)
		return -1;
	if (b)
		sprintf(s, "%s/%s", a, b);
	else
		strcpy(s, a);
	l->v[l->n++] = s;
	return 0;
}

static int cmp_names(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* @path, or every regular file of it (name order) if it is a directory */
static int collect(struct names *l, const char *path)
{
	size_t first = l->n;
	struct dirent *d;
	struct stat st;
	DIR *dp;

	if (stat(path, &st)) {
		fprintf(stderr, "%s: %s\n", path, strerror(errno));
		return -1;
	}
	if (!S_ISDIR(st.st_mode))
		return names_add(l, path, NULL);
	dp = opendir(path);
	if (!dp) {
		fprintf(stderr, "%s: %s\n", path, strerror(errno));
		return -1;
	}
	while ((d = readdir(dp))) {
		if (d->d_name[0] == '.')
			continue;
		if (names_add(l, path, d->d_name)) {
			closedir(dp);
			return -1;
		}
	}
	closedir(dp);
	qsort(l->v + first, l->n - first, sizeof(*l->v), cmp_names);
	return 0;
}

int main(int argc, char **argv)
{
	struct names l = { 0 };
	bool any = false;
	int i, rc = 0;
	size_t k;

	LLVMFuzzerInitialize(&argc, &argv);
	for (i = 1; i < argc && !rc; i++) {
		if (!strncmp(argv[i], "--", 2))
			continue;	/* run-criterion.sh's options */
		any = true;
		rc = collect(&l, argv[i]);
	}
#ifdef FUZZ_REGRESS_DIR
	if (!any && !rc)
		rc = collect(&l, FUZZ_REGRESS_DIR);
#endif
	if (!rc && !l.n) {
		fprintf(stderr, "no input to replay\n");
		rc = -1;
	}
	if (!rc) {
		printf("1..%zu\n", l.n);
		for (k = 0; k < l.n && !rc; k++) {
			rc = run_file(l.v[k]);
			if (!rc)
				printf("ok %zu - %s\n", k + 1, l.v[k]);
			fflush(stdout);
		}
	}
	for (k = 0; k < l.n; k++)
		free(l.v[k]);
	free(l.v);
	return rc ? 1 : 0;
}
