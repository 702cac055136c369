/* SPDX-License-Identifier: GPL-2.0-or-later
 * fuzz.h - what the libFuzzer harnesses share: the entry point's
 * prototype, a failed invariant (abort() with a message), and the chunk
 * sizes a harness feeds a parser with, as a socket's reads would.
 *
 * Every harness is built two ways: with clang -fsanitize=fuzzer for
 * `make fuzz`, and with the normal compiler and tests/fuzz/replay.c as
 * main() for `make check`, which replays tests/fuzz/regress/<harness>/.
 */
#ifndef PATCHBAY_FUZZ_H
#define PATCHBAY_FUZZ_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerInitialize(int *argc, char ***argv);

/* An invariant the harness checks: a violation is a crash to the fuzzer. */
#define FUZZ_CHECK(cond, ...)                                                  \
	do {                                                                   \
		if (!(cond)) {                                                 \
			fprintf(stderr, "%s:%d: invariant failed: %s: ",       \
				__FILE__, __LINE__, #cond);                    \
			fprintf(stderr, __VA_ARGS__);                          \
			fputc('\n', stderr);                                   \
			abort();                                               \
		}                                                              \
	} while (0)

/* Chunk sizes from a seed in the input: the same input, the same reads. */
struct fuzz_chunks {
	uint32_t state;
	unsigned max;		/* 1..max bytes per chunk */
};

static inline void fuzz_chunks_init(struct fuzz_chunks *c, uint32_t seed,
				    unsigned max)
{
	c->state = seed | 1;
	c->max = max ? max : 1;
}

static inline size_t fuzz_chunk_next(struct fuzz_chunks *c)
{
	uint32_t x = c->state;

	x ^= x << 13;
	x ^= x >> 17;
	x ^= x << 5;
	c->state = x;
	/* small chunks often: they split headers */
	if (x & 0x100)
		return 1 + (x >> 16) % 4;
	return 1 + (x >> 16) % c->max;
}

static inline uint32_t fuzz_u32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	       (uint32_t)p[2] << 8 | p[3];
}

#endif /* PATCHBAY_FUZZ_H */
