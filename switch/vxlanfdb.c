/* SPDX-License-Identifier: GPL-2.0-or-later
 * vxlanfdb.c - a VXLAN port's forwarding database (see vxlanfdb.h).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "mactable.h"
#include "vxlanfdb.h"

struct vxlan_fdb {
	struct mactable *mt;		/* MAC -> VTEP index */
	unsigned expire;
	unsigned nvteps;
	uint64_t refused;		/* VTEPs not learned: table full */
	struct vxlan_vtep vteps[VXLAN_VTEP_MAX];
};

/**
 * vxlan_fdb_create() - an empty database
 * @maxmacs:	bound on learned MACs (1..65536)
 * @expire:	ageing, seconds
 *
 * Return: the database, or NULL with errno set
 */
struct vxlan_fdb *vxlan_fdb_create(unsigned maxmacs, unsigned expire)
{
	struct vxlan_fdb *f = calloc(1, sizeof(*f));

	if (!f)
		return NULL;
	f->mt = mactable_create(maxmacs, maxmacs, VXLAN_VTEP_MAX - 1);
	if (!f->mt) {
		free(f);
		return NULL;
	}
	mactable_set_expire(f->mt, expire);
	mactable_set_minpers(f->mt, 0);	/* a MAC moves at once, as in the
					 * kernel */
	f->expire = expire;
	return f;
}

/**
 * vxlan_fdb_destroy() - free a database
 * @f:		the database, or NULL
 */
void vxlan_fdb_destroy(struct vxlan_fdb *f)
{
	if (!f)
		return;
	mactable_destroy(f->mt);
	free(f);
}

static void vtep_free(struct vxlan_fdb *f, unsigned i)
{
	memset(&f->vteps[i], 0, sizeof(f->vteps[i]));
	f->nvteps--;
}

/* Learned VTEPs without MACs for the ageing time leave; with @all, any
 * learned VTEP without MACs (room is needed). */
static void vteps_reclaim(struct vxlan_fdb *f, time_t now, bool all)
{
	unsigned i;

	for (i = 0; i < VXLAN_VTEP_MAX; i++) {
		struct vxlan_vtep *v = &f->vteps[i];

		if (v->used && !v->is_static &&
		    !mactable_port_count(f->mt, i) &&
		    (all || now - v->seen >= (time_t)f->expire))
			vtep_free(f, i);
	}
}

/**
 * vxlan_fdb_vtep() - the index of a VTEP, added if new
 * @f:		the database
 * @sa:		its address (IP and the UDP port frames go to)
 * @len:	length of @sa
 * @is_static:	a remote of the URL (never aged)
 * @now:	monotonic seconds
 *
 * A learned VTEP's last-heard time is refreshed.
 *
 * Return: the index, or -ENOSPC (counted) if the table is full
 */
int vxlan_fdb_vtep(struct vxlan_fdb *f, const struct sockaddr *sa,
		   socklen_t len, bool is_static, time_t now)
{
	int i, free_i = -1;

	for (i = 0; i < VXLAN_VTEP_MAX; i++) {
		struct vxlan_vtep *v = &f->vteps[i];

		if (!v->used) {
			if (free_i < 0)
				free_i = i;
			continue;
		}
		if (sa_equal(&v->addr, sa, len)) {
			v->seen = now;
			v->is_static |= is_static;
			return i;
		}
	}
	if (free_i < 0) {
		vteps_reclaim(f, now, true);
		for (i = 0; i < VXLAN_VTEP_MAX && free_i < 0; i++)
			if (!f->vteps[i].used)
				free_i = i;
		if (free_i < 0) {
			f->refused++;
			return -ENOSPC;
		}
	}
	if (len > sizeof(f->vteps[free_i].addr.ss))
		return -EINVAL;
	memcpy(&f->vteps[free_i].addr.ss, sa, len);
	f->vteps[free_i].addr.len = len;
	f->vteps[free_i].used = true;
	f->vteps[free_i].is_static = is_static;
	f->vteps[free_i].seen = now;
	f->nvteps++;
	return free_i;
}

/**
 * vxlan_fdb_learn() - @mac is behind VTEP @vtep
 * @f:		the database
 * @mac:	an inner source address
 * @vtep:	the VTEP's index
 * @now:	monotonic seconds
 *
 * Return: 0, or -EINVAL for a group address or an unused VTEP
 */
int vxlan_fdb_learn(struct vxlan_fdb *f, const uint8_t mac[6], int vtep,
		    time_t now)
{
	if ((mac[0] & 1) || vtep < 0 || vtep >= VXLAN_VTEP_MAX ||
	    !f->vteps[vtep].used)
		return -EINVAL;
	mactable_learn(f->mt, mac, 0, (unsigned)vtep, now, NULL);
	return 0;
}

/**
 * vxlan_fdb_lookup() - the VTEP @mac is behind
 * @f:		the database
 * @mac:	an inner destination address
 * @now:	monotonic seconds
 *
 * Return: the VTEP's index, or -1 (flood)
 */
int vxlan_fdb_lookup(const struct vxlan_fdb *f, const uint8_t mac[6],
		     time_t now)
{
	struct mactable_entry_info e;

	if (mac[0] & 1)
		return -1;
	if (mactable_find(f->mt, mac, 0, &e))
		return -1;
	if (now - e.last_seen >= (time_t)f->expire)
		return -1;
	return (int)e.port;
}

/**
 * vxlan_fdb_expire() - forget MACs not heard for the ageing time, and
 * learned VTEPs left without MACs for as long
 * @f:		the database
 * @now:	monotonic seconds
 */
void vxlan_fdb_expire(struct vxlan_fdb *f, time_t now)
{
	mactable_expire(f->mt, now);
	vteps_reclaim(f, now, false);
}

/**
 * vxlan_fdb_vtep_at() - the VTEP of index @i
 * @f:		the database
 * @i:		0..VXLAN_VTEP_MAX-1
 *
 * Return: the VTEP, or NULL if that slot is unused
 */
struct vxlan_vtep *vxlan_fdb_vtep_at(struct vxlan_fdb *f, unsigned i)
{
	return i < VXLAN_VTEP_MAX && f->vteps[i].used ? &f->vteps[i] : NULL;
}

/**
 * vxlan_fdb_vtep_macs() - how many MACs are behind VTEP @i
 * @f:		the database
 * @i:		its index
 *
 * Return: the count
 */
unsigned vxlan_fdb_vtep_macs(const struct vxlan_fdb *f, unsigned i)
{
	return mactable_port_count(f->mt, i);
}

/**
 * vxlan_fdb_nvteps() - how many VTEPs are known
 * @f:		the database
 *
 * Return: the count
 */
unsigned vxlan_fdb_nvteps(const struct vxlan_fdb *f)
{
	return f->nvteps;
}

/**
 * vxlan_fdb_nmacs() - how many MACs are known
 * @f:		the database
 *
 * Return: the count
 */
unsigned vxlan_fdb_nmacs(const struct vxlan_fdb *f)
{
	return mactable_count(f->mt);
}

/**
 * vxlan_fdb_evictions() - MACs pushed out by new ones while full
 * @f:		the database
 *
 * Return: the count
 */
uint64_t vxlan_fdb_evictions(const struct vxlan_fdb *f)
{
	return mactable_evictions(f->mt);
}

/**
 * vxlan_fdb_refused() - VTEPs not learned because the table was full
 * @f:		the database
 *
 * Return: the count
 */
uint64_t vxlan_fdb_refused(const struct vxlan_fdb *f)
{
	return f->refused;
}
