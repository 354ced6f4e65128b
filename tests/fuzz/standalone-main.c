/* SPDX-License-Identifier: MIT */
/*
 * The libFuzzer driver's stand-in for `make check`: runs a fuzz target over
 * files, without clang or libFuzzer.
 *
 *   fuzz-X [FILE|DIR]...
 *
 * With no argument it runs every file of $top_srcdir/tests/fuzz/corpus/X
 * (X = FUZZ_NAME, the harness's name), in name order, so each checked-in
 * input, crash-* regressions included, is replayed under the build's own
 * CFLAGS (and its sanitizers in the sanitized build).  A check that fails
 * in the target traps, which fails the test; an empty or missing corpus
 * fails too, so the regression cannot pass by running nothing.
 */
#include "fuzz-common.h"

#include <dirent.h>
#include <sys/stat.h>

#ifndef FUZZ_NAME
#error "FUZZ_NAME must name the harness"
#endif

static unsigned long runs;

static int run_file(const char *path) {
        FILE *f = fopen(path, "rb");
        unsigned char *data = NULL;
        size_t size = 0, cap = 0, n;

        if (!f) {
                fprintf(stderr, "%s: %s: %s\n", FUZZ_NAME, path, strerror(errno));
                return -1;
        }
        do {
                if (size == cap) {
                        unsigned char *p = realloc(data, cap = cap ? 2 * cap : 4096);

                        if (!p) {
                                fclose(f);
                                free(data);
                                return -1;
                        }
                        data = p;
                }
                n = fread(data + size, 1, cap - size, f);
                size += n;
        } while (n > 0);
        fclose(f);
        /* An exact-size copy, as libFuzzer passes it: a read past the
         * input is a finding. */
        {
                unsigned char *exact = malloc(size ? size : 1);

                if (!exact) {
                        free(data);
                        return -1;
                }
                memcpy(exact, data, size);
                free(data);
                LLVMFuzzerTestOneInput(exact, size);
                free(exact);
        }
        runs++;
        return 0;
}

static int by_name(const struct dirent **a, const struct dirent **b) {
        return strcmp((*a)->d_name, (*b)->d_name);
}

static int run_path(const char *path) {
        struct dirent **names;
        struct stat st;
        int n, i, r = 0;

        if (stat(path, &st) < 0) {
                fprintf(stderr, "%s: %s: %s\n", FUZZ_NAME, path, strerror(errno));
                return -1;
        }
        if (!S_ISDIR(st.st_mode))
                return run_file(path);
        n = scandir(path, &names, NULL, by_name);
        if (n < 0) {
                fprintf(stderr, "%s: %s: %s\n", FUZZ_NAME, path, strerror(errno));
                return -1;
        }
        for (i = 0; i < n; i++) {
                char file[4096];

                if (names[i]->d_name[0] != '.' && r == 0) {
                        snprintf(file, sizeof(file), "%s/%s", path, names[i]->d_name);
                        r = run_file(file);
                }
                free(names[i]);
        }
        free(names);
        return r;
}

static int absolute(const char *path, char **ret) {
        *ret = realpath(path, NULL);
        if (*ret)
                return 0;
        fprintf(stderr, "%s: %s: %s\n", FUZZ_NAME, path, strerror(errno));
        return -1;
}

int main(int argc, char **argv) {
        char **paths = calloc((size_t) argc + 1, sizeof(char *));
        int i, n = 0, r = 0;

        if (!paths)
                return 1;
        /* Absolute names first: a target may chdir in its initialisation
         * (the handfilled one works in a private directory). */
        if (argc > 1) {
                for (i = 1; i < argc && r == 0; i++)
                        r = absolute(argv[i], &paths[n++]);
        } else {
                const char *top = getenv("top_srcdir");
                char dir[4096];

                snprintf(dir, sizeof(dir), "%s/tests/fuzz/corpus/%s", top ? top : ".", FUZZ_NAME);
                r = absolute(dir, &paths[n++]);
        }
        LLVMFuzzerInitialize(&argc, &argv);
        for (i = 0; i < n && r == 0; i++)
                r = run_path(paths[i]);
        for (i = 0; i < n; i++)
                free(paths[i]);
        free(paths);
        printf("%s: %lu inputs run\n", FUZZ_NAME, runs);
        return r == 0 && runs > 0 ? 0 : 1;
}
