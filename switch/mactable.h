/* SPDX-License-Identifier: GPL-2.0-or-later
 * mactable.h - the learning table: (MAC, VLAN) -> port, bounded, with ageing.
 *
 * A hash of chained buckets (the bucket count is a power of two) holding at
 * most @maxentries entries. Entries come from a pool grown in chunks and are
 * never freed one by one, so learning never calls malloc once the pool has
 * grown to its working size. When the table is full, a new entry evicts the
 * oldest entry of the port that holds the most entries, so one port
 * flooding source MACs cannot push out everyone else's.
 *
 * Time is whole seconds from a monotonic clock, passed in by the caller.
 */
#ifndef PATCHBAY_MACTABLE_H
#define PATCHBAY_MACTABLE_H

#include <stdbool.h>
#include <stdint.h>
#include <time.h>

#define MACTABLE_DEF_HASHSIZE 65536
#define MACTABLE_DEF_MAXENTRIES 65536
#define MACTABLE_DEF_EXPIRE 100	/* seconds after last seen */
#define MACTABLE_DEF_GCINT 2	/* seconds between garbage collections */
#define MACTABLE_DEF_MINPERS 3	/* seconds before an entry may move */

struct mactable;

/* What mactable_learn() did. */
enum mactable_learn_result {
	MACTABLE_NEW,		/* a new entry */
	MACTABLE_REFRESHED,	/* same port, last-seen time updated */
	MACTABLE_MOVED,		/* moved from *@oldport to @port */
	MACTABLE_KEPT,		/* seen on another port within min persistence */
};

/* One entry, as shown to mactable_foreach() callbacks. */
struct mactable_entry_info {
	uint8_t mac[6];
	uint16_t vlan;
	unsigned port;
	unsigned bucket;
	time_t last_seen;
};

struct mactable *mactable_create(unsigned hashsize, unsigned maxentries,
				 unsigned nports);
void mactable_destroy(struct mactable *mt);

int mactable_set_hashsize(struct mactable *mt, unsigned hashsize);
unsigned mactable_get_hashsize(const struct mactable *mt);
int mactable_set_maxentries(struct mactable *mt, unsigned maxentries);
unsigned mactable_get_maxentries(const struct mactable *mt);
int mactable_set_nports(struct mactable *mt, unsigned nports);
void mactable_set_expire(struct mactable *mt, unsigned seconds);
unsigned mactable_get_expire(const struct mactable *mt);
void mactable_set_minpers(struct mactable *mt, unsigned seconds);
unsigned mactable_get_minpers(const struct mactable *mt);

enum mactable_learn_result mactable_learn(struct mactable *mt,
					  const uint8_t mac[6], uint16_t vlan,
					  unsigned port, time_t now,
					  unsigned *oldport);
int mactable_lookup(const struct mactable *mt, const uint8_t mac[6],
		    uint16_t vlan);
int mactable_find(const struct mactable *mt, const uint8_t mac[6],
		  uint16_t vlan, struct mactable_entry_info *info);

unsigned mactable_expire(struct mactable *mt, time_t now);
void mactable_flush_port(struct mactable *mt, unsigned port);
unsigned mactable_flush_port_vlan(struct mactable *mt, unsigned port,
				  uint16_t vlan);
void mactable_flush(struct mactable *mt);

void mactable_set_discard(struct mactable *mt,
			  void (*cb)(void *arg,
				     const struct mactable_entry_info *e),
			  void *arg);
unsigned mactable_count(const struct mactable *mt);
unsigned mactable_port_count(const struct mactable *mt, unsigned port);
uint64_t mactable_evictions(const struct mactable *mt);
void mactable_foreach(const struct mactable *mt,
		      void (*cb)(const struct mactable_entry_info *, void *),
		      void *arg);

#endif /* PATCHBAY_MACTABLE_H */
