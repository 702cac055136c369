/* SPDX-License-Identifier: GPL-2.0-or-later
 * fuzz_vxlan.c - what a VXLAN port does with a datagram from the network
 * (switch/vxlanhdr.c, switch/vxlanfdb.c, as vxlanep.c's receive path):
 * check the header, then learn the inner source MAC behind the sending
 * VTEP and look up the inner destination, in a small forwarding database.
 *
 * Input: records of [1 byte: sender VTEP, 1 byte: seconds passing,
 * 2 bytes: length L] then L bytes of datagram (VXLAN header + frame).
 * Invariants: the header parses iff it is at least 8 bytes with flags
 * exactly "I", the VNI is bytes 4..6 and survives vxlan_hdr_build();
 * the table never holds more MACs than its bound, nor more VTEPs than
 * VXLAN_VTEP_MAX; a MAC just learned (not refused) is found behind its
 * VTEP.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <string.h>

#include "fuzz.h"
#include "vxlanfdb.h"
#include "vxlanhdr.h"

#define MAXMACS 64

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct vxlan_fdb *fdb = vxlan_fdb_create(MAXMACS, 30);
	time_t now = 1000;

	FUZZ_CHECK(fdb, "out of memory");
	while (size >= 4) {
		size_t len = (size_t)data[2] << 8 | data[3];
		struct sockaddr_in6 from;
		uint8_t *dg, hdr[VXLAN_HLEN];
		uint32_t vni = 0, vni2 = 0;
		int rc, vt;

		now += data[1];
		memset(&from, 0, sizeof(from));
		from.sin6_family = AF_INET6;
		from.sin6_port = htons(VXLAN_PORT_DEF);
		from.sin6_addr.s6_addr[15] = data[0];
		if (data[0] & 0x80) {	/* a v4-mapped sender too */
			from.sin6_addr.s6_addr[10] = 0xff;
			from.sin6_addr.s6_addr[11] = 0xff;
		}
		data += 4;
		size -= 4;
		if (len > size)
			len = size;
		dg = malloc(len ? len : 1);	/* exactly: ASan sees overreads */
		FUZZ_CHECK(dg, "out of memory");
		memcpy(dg, data, len);
		data += len;
		size -= len;

		rc = vxlan_hdr_parse(dg, len, &vni);
		if (len < VXLAN_HLEN)
			FUZZ_CHECK(rc == -EMSGSIZE, "%zu bytes: rc %d", len, rc);
		else if (dg[0] != VXLAN_FLAG_I)
			FUZZ_CHECK(rc == -EBADMSG, "flags 0x%02x: rc %d", dg[0],
				   rc);
		else
			FUZZ_CHECK(rc == 0, "rc %d", rc);
		if (rc || len < VXLAN_HLEN + 14) {
			free(dg);
			continue;
		}
		FUZZ_CHECK(vni == ((uint32_t)dg[4] << 16 |
				   (uint32_t)dg[5] << 8 | dg[6]) &&
				   vni <= VXLAN_VNI_MAX,
			   "vni %u", vni);
		vxlan_hdr_build(hdr, vni);
		FUZZ_CHECK(vxlan_hdr_parse(hdr, sizeof(hdr), &vni2) == 0 &&
				   vni2 == vni,
			   "vni %u built, %u parsed", vni, vni2);

		vxlan_fdb_expire(fdb, now);
		vt = vxlan_fdb_vtep(fdb, (struct sockaddr *)&from,
				    sizeof(from), false, now);
		if (vt >= 0) {
			const uint8_t *frame = dg + VXLAN_HLEN;
			uint64_t refused = vxlan_fdb_refused(fdb);
			int got;

			FUZZ_CHECK(vt < VXLAN_VTEP_MAX, "vtep %d", vt);
			FUZZ_CHECK(vxlan_fdb_vtep_at(fdb, (unsigned)vt),
				   "vtep %d not there", vt);
			vxlan_fdb_vtep_at(fdb, (unsigned)vt)->in_pkts++;
			rc = vxlan_fdb_learn(fdb, frame + 6, vt, now);
			got = vxlan_fdb_lookup(fdb, frame + 6, now);
			if (rc == 0 && !(frame[6] & 1) &&
			    vxlan_fdb_refused(fdb) == refused)
				FUZZ_CHECK(got == vt, "learned behind %d, "
					   "found behind %d", vt, got);
			(void)vxlan_fdb_lookup(fdb, frame, now);
		}
		FUZZ_CHECK(vxlan_fdb_nmacs(fdb) <= MAXMACS, "%u MACs",
			   vxlan_fdb_nmacs(fdb));
		FUZZ_CHECK(vxlan_fdb_nvteps(fdb) <= VXLAN_VTEP_MAX, "%u VTEPs",
			   vxlan_fdb_nvteps(fdb));
		free(dg);
	}
	vxlan_fdb_destroy(fdb);
	return 0;
}
