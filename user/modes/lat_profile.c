// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * The flat profile of calls (modes/lat_profile.h), shared by lat's
 * readings and top's lat view so that both draw the same table from the
 * same model.
 */
#include <errno.h>
#include <time.h>

#include "model/profile.h"
#include "modes/lat_profile.h"

struct profile *lat_profile_new(const char *title, bool count_only,
				int64_t duration_ns, size_t probed)
{
	struct profile *p = profile__new();
	struct timespec now;

	if (!p || profile__add_type(p, "calls", "count") < 0 ||
	    (!count_only && profile__add_type(p, "time", "nanoseconds") < 0))
		goto oom;
	p->default_type = count_only ? 0 : 1;
	p->duration_ns = duration_ns;
	clock_gettime(CLOCK_REALTIME, &now);
	p->time_ns = now.tv_sec * 1000000000LL + now.tv_nsec - duration_ns;
	if (profile__str(p, title) < 0 || profile__str(p, "lat") < 0)
		goto oom;
	p->title = profile__str(p, title);
	p->mode = profile__str(p, "lat");
	if (profile__add_metric(p, "", "functions_probed", "count", probed))
		goto oom;
	return p;
oom:
	profile__free(p);
	return NULL;
}

int lat_profile_add(struct profile *p, const struct lat_span *f)
{
	int64_t values[2] = { (int64_t)f->calls, (int64_t)f->time_ns };
	struct prof_hist *h;
	uint32_t loc;
	int err;

	if (!f->calls)
		return 0;
	loc = profile__location(p, f->frame);
	if (!loc)
		return -ENOMEM;
	err = profile__add_sample(p, &loc, 1, 0, f->comm, values);
	if (err)
		return err;
	if (!f->counts)
		return 1;
	h = profile__add_hist(p, PROF_GROUP_LATENCY, f->frame->name, "nanoseconds",
			      f->counts, f->max_ns);
	if (!h)
		return -ENOMEM;
	h->min = f->min_ns;
	h->location = loc;
	return 1;
}
