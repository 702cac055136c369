/* SPDX-License-Identifier: GPL-2.0-or-later
 * mactable.c - the learning table: (MAC, VLAN) -> port, bounded, with ageing.
 *
 * Data structure:
 *
 * - The key is the 48-bit MAC and the VLAN packed into one 64-bit word. It
 *   is hashed with a per-table random seed and a 64-bit finalizer, so
 *   nobody outside can predict which keys share a bucket. Buckets are
 *   singly linked chains with a back pointer to the link that points at
 *   the entry (hpprev), so any entry is unlinked in O(1).
 *
 * - Every entry is also on the doubly linked list of its port. The list is
 *   kept in order of last use: a new, refreshed or moved entry goes to the
 *   tail, so the head is the port's oldest entry. With a monotonic clock
 *   the list is sorted by last_seen, so ageing stops at the first entry of
 *   each port that is still young, and eviction takes the head.
 *
 * - The port that holds the most entries is found in O(1) through a
 *   tournament tree over the per-port counts: tree[n] is the port with
 *   the most entries below node n, and the leaves (nodes L..2L-1, not
 *   stored) stand for ports 0..L-1. A count change costs O(log nports);
 *   refreshing an existing entry changes no count and costs O(1).
 *
 * - Entries come from a pool grown in chunks of MT_CHUNK entries, recycled
 *   through a free list. At most maxentries entries are live, so the pool
 *   never holds many more than that; chunks are freed only on destroy.
 */
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/random.h>

#include "mactable.h"

#define MT_CHUNK 1024
#define MT_MAX_HASHSIZE (1U << 20)
#define MT_MAX_NPORTS 65535U

struct mt_entry {
	uint64_t key;			/* MAC | VLAN << 48 */
	time_t last_seen;
	unsigned port;
	struct mt_entry *hnext;		/* bucket chain; free list link */
	struct mt_entry **hpprev;	/* link that points at this entry */
	struct mt_entry *pprev;		/* per-port list, oldest first */
	struct mt_entry *pnext;
};

struct mt_port {
	struct mt_entry *head;		/* oldest */
	struct mt_entry *tail;		/* newest */
	unsigned count;
};

struct mactable {
	struct mt_entry **buckets;
	unsigned hashsize;		/* power of two */
	unsigned maxentries;
	unsigned nports;		/* ports are 0..nports */
	unsigned count;
	unsigned expire;
	unsigned minpers;
	uint64_t seed[2];
	uint64_t evictions;

	struct mt_port *ports;		/* nports + 1 */
	uint32_t *tree;			/* tree_leaves entries, [0] unused */
	unsigned tree_leaves;		/* power of two >= nports + 1 */

	struct mt_entry **chunks;
	unsigned nchunks;
	unsigned chunks_cap;
	unsigned pool_used;		/* entries handed out of last chunk */
	struct mt_entry *free_list;

	/* told of every entry that goes (expired, flushed, evicted, moved
	 * out of range), when set */
	void (*discard)(void *arg, const struct mactable_entry_info *e);
	void *discard_arg;
};

static uint64_t mt_fmix64(uint64_t h)
{
	h ^= h >> 33;
	h *= 0xff51afd7ed558ccdULL;
	h ^= h >> 33;
	h *= 0xc4ceb9fe1a85ec53ULL;
	h ^= h >> 33;
	return h;
}

static void mt_seed(struct mactable *mt)
{
	uint64_t s[2];
	struct timespec ts;
	uint64_t t = 0;

	if (getrandom(s, sizeof(s), GRND_NONBLOCK) == (ssize_t)sizeof(s)) {
		mt->seed[0] = s[0];
		mt->seed[1] = s[1];
		return;
	}
	/* No entropy yet: mix what varies between runs and tables. */
	if (clock_gettime(CLOCK_REALTIME, &ts) == 0)
		t = (uint64_t)ts.tv_sec * 1000000007ULL + (uint64_t)ts.tv_nsec;
	if (clock_gettime(CLOCK_MONOTONIC, &ts) == 0)
		t ^= mt_fmix64((uint64_t)ts.tv_sec << 32 ^
			       (uint64_t)ts.tv_nsec);
	t ^= (uint64_t)getpid() << 40;
	t ^= (uint64_t)(uintptr_t)mt;
	mt->seed[0] = mt_fmix64(t ^ 0x9e3779b97f4a7c15ULL);
	mt->seed[1] = mt_fmix64(mt->seed[0] + 0x9e3779b97f4a7c15ULL);
}

static uint64_t mt_key(const uint8_t mac[6], uint16_t vlan)
{
	return (uint64_t)mac[0] << 40 | (uint64_t)mac[1] << 32 |
	       (uint64_t)mac[2] << 24 | (uint64_t)mac[3] << 16 |
	       (uint64_t)mac[4] << 8 | (uint64_t)mac[5] |
	       (uint64_t)vlan << 48;
}

static unsigned mt_bucket(const struct mactable *mt, uint64_t key)
{
	uint64_t h = mt_fmix64(key ^ mt->seed[0]);

	h = mt_fmix64(h + mt->seed[1]);
	return (unsigned)h & (mt->hashsize - 1);
}

/* Round up to a power of two; 0 for 0 or for more than @max. */
static unsigned mt_roundup(unsigned n, unsigned max)
{
	unsigned p = 1;

	if (n == 0 || n > max)
		return 0;
	while (p < n)
		p <<= 1;
	return p;
}

static struct mt_entry *mt_find_entry(const struct mactable *mt,
				      uint64_t key, unsigned *bucket)
{
	unsigned b = mt_bucket(mt, key);
	struct mt_entry *e;

	if (bucket)
		*bucket = b;
	for (e = mt->buckets[b]; e; e = e->hnext)
		if (e->key == key)
			return e;
	return NULL;
}

/* --- tournament tree over the per-port counts --- */

static unsigned mt_leaf_count(const struct mactable *mt, unsigned port)
{
	return port <= mt->nports ? mt->ports[port].count : 0;
}

/* The port that wins below node @n (a leaf if n >= tree_leaves). */
static unsigned mt_winner(const struct mactable *mt, unsigned n)
{
	return n >= mt->tree_leaves ? n - mt->tree_leaves : mt->tree[n];
}

static void mt_tree_fix(struct mactable *mt, unsigned n)
{
	unsigned a = mt_winner(mt, 2 * n);
	unsigned b = mt_winner(mt, 2 * n + 1);

	mt->tree[n] = mt_leaf_count(mt, b) > mt_leaf_count(mt, a) ? b : a;
}

static void mt_tree_update(struct mactable *mt, unsigned port)
{
	unsigned n;

	for (n = (mt->tree_leaves + port) >> 1; n >= 1; n >>= 1)
		mt_tree_fix(mt, n);
}

static void mt_tree_build(struct mactable *mt)
{
	unsigned n;

	for (n = mt->tree_leaves - 1; n >= 1; n--)
		mt_tree_fix(mt, n);
}

static unsigned mt_busiest_port(const struct mactable *mt)
{
	return mt->tree_leaves > 1 ? mt->tree[1] : 0;
}

/* --- per-port lists --- */

static void mt_port_append(struct mactable *mt, struct mt_entry *e)
{
	struct mt_port *p = &mt->ports[e->port];

	e->pnext = NULL;
	e->pprev = p->tail;
	if (p->tail)
		p->tail->pnext = e;
	else
		p->head = e;
	p->tail = e;
}

static void mt_port_unlink(struct mactable *mt, struct mt_entry *e)
{
	struct mt_port *p = &mt->ports[e->port];

	if (e->pprev)
		e->pprev->pnext = e->pnext;
	else
		p->head = e->pnext;
	if (e->pnext)
		e->pnext->pprev = e->pprev;
	else
		p->tail = e->pprev;
	e->pprev = NULL;
	e->pnext = NULL;
}

/* --- entry pool --- */

static struct mt_entry *mt_alloc_entry(struct mactable *mt)
{
	struct mt_entry *e = mt->free_list;

	if (e) {
		mt->free_list = e->hnext;
		return e;
	}
	if (mt->nchunks == 0 || mt->pool_used == MT_CHUNK) {
		if (mt->nchunks == mt->chunks_cap) {
			unsigned cap = mt->chunks_cap ? 2 * mt->chunks_cap : 8;
			struct mt_entry **tmp;

			tmp = realloc(mt->chunks, cap * sizeof(*tmp));
			if (!tmp)
				return NULL;
			mt->chunks = tmp;
			mt->chunks_cap = cap;
		}
		e = malloc(MT_CHUNK * sizeof(*e));
		if (!e)
			return NULL;
		mt->chunks[mt->nchunks++] = e;
		mt->pool_used = 0;
	}
	return &mt->chunks[mt->nchunks - 1][mt->pool_used++];
}

static void mt_fill_info(const struct mt_entry *e, unsigned bucket,
			 struct mactable_entry_info *info);

static void mt_tell_discard(const struct mactable *mt, const struct mt_entry *e)
{
	struct mactable_entry_info info;

	mt_fill_info(e, 0, &info);
	mt->discard(mt->discard_arg, &info);
}

/* Take @e out of the table and give it back to the pool. */
static void mt_remove(struct mactable *mt, struct mt_entry *e)
{
	unsigned port = e->port;

	if (mt->discard)
		mt_tell_discard(mt, e);

	*e->hpprev = e->hnext;
	if (e->hnext)
		e->hnext->hpprev = e->hpprev;
	mt_port_unlink(mt, e);
	mt->ports[port].count--;
	mt->count--;
	mt_tree_update(mt, port);

	e->hpprev = NULL;
	e->hnext = mt->free_list;
	mt->free_list = e;
}

/*
 * Drop the oldest entry of the busiest port. @learner is the port about to
 * gain an entry (or a value above nports): it loses ties, so a port that
 * floods source MACs ends up replacing its own entries.
 */
static void mt_evict_one(struct mactable *mt, unsigned learner)
{
	unsigned victim = mt_busiest_port(mt);
	struct mt_entry *e;

	if (learner <= mt->nports && mt->ports[learner].count > 0 &&
	    mt->ports[learner].count >= mt->ports[victim].count)
		victim = learner;
	e = mt->ports[victim].head;
	if (!e)
		return;
	mt_remove(mt, e);
	mt->evictions++;
}

static void mt_flush_port(struct mactable *mt, unsigned port)
{
	while (mt->ports[port].head)
		mt_remove(mt, mt->ports[port].head);
}

/**
 * mactable_create() - allocate an empty learning table.
 * @hashsize: bucket count, rounded up to a power of two (1..1<<20).
 * @maxentries: most entries the table may hold (at least 1).
 * @nports: highest port number (ports are 0..@nports, at most 65535).
 *
 * No entry is allocated until one is learned. Ageing and minimum
 * persistence start at MACTABLE_DEF_EXPIRE and MACTABLE_DEF_MINPERS.
 *
 * Return: the table, or NULL with errno set to EINVAL (bad argument) or
 * ENOMEM.
 */
struct mactable *mactable_create(unsigned hashsize, unsigned maxentries,
				 unsigned nports)
{
	struct mactable *mt;
	unsigned hs = mt_roundup(hashsize, MT_MAX_HASHSIZE);

	if (!hs || maxentries == 0 || nports > MT_MAX_NPORTS) {
		errno = EINVAL;
		return NULL;
	}
	mt = calloc(1, sizeof(*mt));
	if (!mt)
		goto nomem;
	mt->hashsize = hs;
	mt->maxentries = maxentries;
	mt->expire = MACTABLE_DEF_EXPIRE;
	mt->minpers = MACTABLE_DEF_MINPERS;
	mt->buckets = calloc(hs, sizeof(*mt->buckets));
	if (!mt->buckets)
		goto nomem;
	if (mactable_set_nports(mt, nports) < 0)
		goto nomem;
	mt_seed(mt);
	return mt;

nomem:
	mactable_destroy(mt);
	errno = ENOMEM;
	return NULL;
}

/**
 * mactable_destroy() - free a table and all its entries.
 * @mt: the table, or NULL.
 */
void mactable_destroy(struct mactable *mt)
{
	unsigned i;

	if (!mt)
		return;
	for (i = 0; i < mt->nchunks; i++)
		free(mt->chunks[i]);
	free(mt->chunks);
	free(mt->tree);
	free(mt->ports);
	free(mt->buckets);
	free(mt);
}

static void mt_flush(struct mactable *mt, bool buckets);

/**
 * mactable_set_hashsize() - flush the table and change its bucket count.
 * @mt: the table.
 * @hashsize: new bucket count, rounded up to a power of two (1..1<<20).
 *
 * Like vde_switch's hash/setsize, every entry is dropped.
 *
 * Return: 0, -EINVAL for a bad size, or -ENOMEM (the table is unchanged).
 */
int mactable_set_hashsize(struct mactable *mt, unsigned hashsize)
{
	unsigned hs = mt_roundup(hashsize, MT_MAX_HASHSIZE);
	struct mt_entry **b;

	if (!hs)
		return -EINVAL;
	b = calloc(hs, sizeof(*b));
	if (!b)
		return -ENOMEM;
	mt_flush(mt, false);	/* the old heads go unread */
	free(mt->buckets);
	mt->buckets = b;
	mt->hashsize = hs;
	return 0;
}

/**
 * mactable_get_hashsize() - the bucket count.
 * @mt: the table.
 *
 * Return: the bucket count, a power of two.
 */
unsigned mactable_get_hashsize(const struct mactable *mt)
{
	return mt->hashsize;
}

/**
 * mactable_set_maxentries() - change the most entries the table may hold.
 * @mt: the table.
 * @maxentries: the new limit, at least 1.
 *
 * If the table holds more, entries are evicted (oldest of the busiest port
 * first, and counted as evictions) down to the new limit.
 *
 * Return: 0 or -EINVAL.
 */
int mactable_set_maxentries(struct mactable *mt, unsigned maxentries)
{
	if (maxentries == 0)
		return -EINVAL;
	mt->maxentries = maxentries;
	while (mt->count > maxentries)
		mt_evict_one(mt, UINT_MAX);
	return 0;
}

/**
 * mactable_get_maxentries() - the most entries the table may hold.
 * @mt: the table.
 *
 * Return: the limit.
 */
unsigned mactable_get_maxentries(const struct mactable *mt)
{
	return mt->maxentries;
}

/**
 * mactable_set_nports() - change the highest port number.
 * @mt: the table.
 * @nports: new highest port number (ports are 0..@nports, at most 65535).
 *
 * Entries of ports above @nports are flushed.
 *
 * Return: 0, -EINVAL, or -ENOMEM (the table is unchanged).
 */
int mactable_set_nports(struct mactable *mt, unsigned nports)
{
	unsigned leaves = mt_roundup(nports + 1, MT_MAX_NPORTS + 1);
	unsigned old = mt->ports ? mt->nports + 1 : 0;
	struct mt_port *ports;
	uint32_t *tree;
	unsigned i;

	if (nports > MT_MAX_NPORTS)
		return -EINVAL;
	ports = calloc(nports + 1, sizeof(*ports));
	tree = calloc(leaves, sizeof(*tree));
	if (!ports || !tree) {
		free(ports);
		free(tree);
		return -ENOMEM;
	}
	for (i = nports + 1; i < old; i++)
		mt_flush_port(mt, i);
	if (old)
		memcpy(ports, mt->ports,
		       (old < nports + 1 ? old : nports + 1) * sizeof(*ports));
	free(mt->ports);
	free(mt->tree);
	mt->ports = ports;
	mt->tree = tree;
	mt->tree_leaves = leaves;
	mt->nports = nports;
	mt_tree_build(mt);
	return 0;
}

/**
 * mactable_set_expire() - set how long an unseen entry lives.
 * @mt: the table.
 * @seconds: entries unseen for this long are removed by mactable_expire().
 */
void mactable_set_expire(struct mactable *mt, unsigned seconds)
{
	mt->expire = seconds;
}

/**
 * mactable_get_expire() - how long an unseen entry lives.
 * @mt: the table.
 *
 * Return: the ageing time in seconds.
 */
unsigned mactable_get_expire(const struct mactable *mt)
{
	return mt->expire;
}

/**
 * mactable_set_minpers() - set the minimum persistence.
 * @mt: the table.
 * @seconds: an entry seen this recently on its port does not move to
 *	another one.
 */
void mactable_set_minpers(struct mactable *mt, unsigned seconds)
{
	mt->minpers = seconds;
}

/**
 * mactable_get_minpers() - the minimum persistence.
 * @mt: the table.
 *
 * Return: the minimum persistence in seconds.
 */
unsigned mactable_get_minpers(const struct mactable *mt)
{
	return mt->minpers;
}

/**
 * mactable_learn() - record that @mac was seen on @port in @vlan.
 * @mt: the table.
 * @mac: source MAC (the caller filters out multicast ones).
 * @vlan: VLAN number.
 * @port: port the frame came from, 0..nports.
 * @now: monotonic time in seconds; must not go backwards between calls.
 * @oldport: if not NULL, set to the previous port on MACTABLE_MOVED and to
 *	the current port on MACTABLE_KEPT; untouched otherwise.
 *
 * A new entry evicts the oldest entry of the busiest port when the table is
 * full. Learning a known entry allocates nothing and takes O(1).
 *
 * A @port above nports is not learned and gives MACTABLE_KEPT with
 * *@oldport untouched; so does a new entry when memory runs out on an
 * empty table (on a non-empty one an entry is evicted to make room).
 *
 * Return: what was done, see enum mactable_learn_result.
 */
enum mactable_learn_result mactable_learn(struct mactable *mt,
					  const uint8_t mac[6], uint16_t vlan,
					  unsigned port, time_t now,
					  unsigned *oldport)
{
	uint64_t key = mt_key(mac, vlan);
	struct mt_entry *e;
	unsigned b;

	if (port > mt->nports)
		return MACTABLE_KEPT;
	e = mt_find_entry(mt, key, &b);
	if (e && e->port == port) {
		e->last_seen = now;
		if (e != mt->ports[port].tail) {
			mt_port_unlink(mt, e);
			mt_port_append(mt, e);
		}
		return MACTABLE_REFRESHED;
	}
	if (e) {
		unsigned prev = e->port;

		if (oldport)
			*oldport = prev;
		if (now - e->last_seen < (time_t)mt->minpers)
			return MACTABLE_KEPT;
		mt_port_unlink(mt, e);
		mt->ports[prev].count--;
		mt_tree_update(mt, prev);
		e->port = port;
		e->last_seen = now;
		mt_port_append(mt, e);
		mt->ports[port].count++;
		mt_tree_update(mt, port);
		return MACTABLE_MOVED;
	}

	while (mt->count >= mt->maxentries && mt->count > 0)
		mt_evict_one(mt, port);
	e = mt_alloc_entry(mt);
	if (!e && mt->count > 0) {
		mt_evict_one(mt, port);
		e = mt_alloc_entry(mt);
	}
	if (!e)
		return MACTABLE_KEPT;
	e->key = key;
	e->port = port;
	e->last_seen = now;
	e->hnext = mt->buckets[b];
	if (e->hnext)
		e->hnext->hpprev = &e->hnext;
	e->hpprev = &mt->buckets[b];
	mt->buckets[b] = e;
	mt_port_append(mt, e);
	mt->ports[port].count++;
	mt->count++;
	mt_tree_update(mt, port);
	return MACTABLE_NEW;
}

/**
 * mactable_lookup() - the port where @mac was last seen in @vlan.
 * @mt: the table.
 * @mac: destination MAC.
 * @vlan: VLAN number.
 *
 * Age is not checked: a stale entry answers until mactable_expire()
 * removes it, as in vde_switch.
 *
 * Return: the port (>= 0), or a negative value (-ENOENT) if unknown.
 */
int mactable_lookup(const struct mactable *mt, const uint8_t mac[6],
		    uint16_t vlan)
{
	const struct mt_entry *e = mt_find_entry(mt, mt_key(mac, vlan), NULL);

	return e ? (int)e->port : -ENOENT;
}

static void mt_fill_info(const struct mt_entry *e, unsigned bucket,
			 struct mactable_entry_info *info)
{
	int i;

	for (i = 0; i < 6; i++)
		info->mac[i] = (uint8_t)(e->key >> (40 - 8 * i));
	info->vlan = (uint16_t)(e->key >> 48);
	info->port = e->port;
	info->bucket = bucket;
	info->last_seen = e->last_seen;
}

/**
 * mactable_find() - describe the entry of @mac in @vlan.
 * @mt: the table.
 * @mac: the MAC.
 * @vlan: VLAN number.
 * @info: filled in when the entry exists (bucket is the bucket index).
 *
 * Return: 0, or -ENODEV if there is no such entry (vde_switch's hash/find
 * code for a miss).
 */
int mactable_find(const struct mactable *mt, const uint8_t mac[6],
		  uint16_t vlan, struct mactable_entry_info *info)
{
	const struct mt_entry *e;
	unsigned b;

	e = mt_find_entry(mt, mt_key(mac, vlan), &b);
	if (!e)
		return -ENODEV;
	if (info)
		mt_fill_info(e, b, info);
	return 0;
}

/**
 * mactable_expire() - remove entries not seen for the ageing time.
 * @mt: the table.
 * @now: monotonic time in seconds.
 *
 * An entry goes when @now - last_seen >= the ageing time. Each port's list
 * is ordered by last_seen, so the walk stops at its first young entry.
 *
 * Return: the number of entries removed.
 */
unsigned mactable_expire(struct mactable *mt, time_t now)
{
	unsigned removed = 0;
	unsigned port;
	struct mt_entry *e;

	for (port = 0; port <= mt->nports; port++) {
		while ((e = mt->ports[port].head) &&
		       now - e->last_seen >= (time_t)mt->expire) {
			mt_remove(mt, e);
			removed++;
		}
	}
	return removed;
}

/**
 * mactable_flush_port() - remove the entries of one port.
 * @mt: the table.
 * @port: the port; entries of other ports stay.
 */
void mactable_flush_port(struct mactable *mt, unsigned port)
{
	if (port <= mt->nports)
		mt_flush_port(mt, port);
}

/**
 * mactable_flush_port_vlan() - remove the entries of one port in one VLAN.
 * @mt: the table.
 * @port: the port.
 * @vlan: the VLAN; the port's entries in other VLANs stay.
 *
 * Return: the number of entries removed.
 */
unsigned mactable_flush_port_vlan(struct mactable *mt, unsigned port,
				  uint16_t vlan)
{
	struct mt_entry *e, *next;
	unsigned removed = 0;

	if (port > mt->nports)
		return 0;
	for (e = mt->ports[port].head; e; e = next) {
		next = e->pnext;
		if ((uint16_t)(e->key >> 48) == vlan) {
			mt_remove(mt, e);
			removed++;
		}
	}
	return removed;
}

/*
 * Every entry back to the pool. The bucket heads are cleared too, unless
 * @buckets is false (the caller replaces them): one by one when entries are
 * few for the buckets, so that flushing a large, sparse table does not
 * touch all of it (hash/setsize 1048576 is 8 MB of heads).
 */
static void mt_flush(struct mactable *mt, bool buckets)
{
	bool each = buckets && mt->count < mt->hashsize / 16;
	unsigned port;
	struct mt_entry *e;

	for (port = 0; port <= mt->nports; port++) {
		while ((e = mt->ports[port].head)) {
			if (mt->discard)
				mt_tell_discard(mt, e);
			if (each)
				mt->buckets[mt_bucket(mt, e->key)] = NULL;
			mt->ports[port].head = e->pnext;
			e->hnext = mt->free_list;
			e->hpprev = NULL;
			mt->free_list = e;
		}
		mt->ports[port].tail = NULL;
		mt->ports[port].count = 0;
	}
	if (buckets && !each)
		memset(mt->buckets, 0, mt->hashsize * sizeof(*mt->buckets));
	mt->count = 0;
	mt_tree_build(mt);
}

/**
 * mactable_flush() - remove every entry.
 * @mt: the table.
 *
 * The entries go back to the pool; its memory is kept for reuse.
 */
void mactable_flush(struct mactable *mt)
{
	mt_flush(mt, true);
}

/**
 * mactable_set_discard() - be told of every entry that leaves the table
 * @mt: the table.
 * @cb: called with each entry as it goes (expired, flushed, evicted), or
 *	NULL to stop; it must not change the table.
 * @arg: its first argument.
 */
void mactable_set_discard(struct mactable *mt,
			  void (*cb)(void *arg,
				     const struct mactable_entry_info *e),
			  void *arg)
{
	mt->discard = cb;
	mt->discard_arg = arg;
}

/**
 * mactable_count() - how many entries the table holds.
 * @mt: the table.
 *
 * Return: the entry count.
 */
unsigned mactable_count(const struct mactable *mt)
{
	return mt->count;
}

/**
 * mactable_port_count() - how many entries one port holds.
 * @mt: the table.
 * @port: the port.
 *
 * Return: the port's entry count, 0 for a port above nports.
 */
unsigned mactable_port_count(const struct mactable *mt, unsigned port)
{
	return mt_leaf_count(mt, port);
}

/**
 * mactable_evictions() - how many entries were evicted to make room.
 * @mt: the table.
 *
 * Return: the eviction count since the table was created.
 */
uint64_t mactable_evictions(const struct mactable *mt)
{
	return mt->evictions;
}

/**
 * mactable_foreach() - call @cb for every entry, in bucket order.
 * @mt: the table.
 * @cb: the callback; it must not change the table.
 * @arg: passed to @cb.
 */
void mactable_foreach(const struct mactable *mt,
		      void (*cb)(const struct mactable_entry_info *, void *),
		      void *arg)
{
	struct mactable_entry_info info;
	const struct mt_entry *e;
	unsigned b;

	for (b = 0; b < mt->hashsize; b++) {
		for (e = mt->buckets[b]; e; e = e->hnext) {
			mt_fill_info(e, b, &info);
			cb(&info, arg);
		}
	}
}
