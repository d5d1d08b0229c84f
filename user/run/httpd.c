// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <microhttpd.h>

#include "lib/log.h"
#include "run/httpd.h"

struct httpd {
	struct MHD_Daemon *mhd;
	http_handler handler;
	void *ctx;
	char *auth;		/* "Bearer TOKEN", or NULL */
	uint16_t port;
	int active;		/* requests begun and not completed (atomic) */
};

const char *http_req__arg(const struct http_req *r, const char *name)
{
	return MHD_lookup_connection_value(r->conn, MHD_GET_ARGUMENT_KIND, name);
}

int http_resp__printf(struct http_resp *r, int status, const char *type,
		      const char *fmt, ...)
{
	va_list ap;
	int n;

	free(r->body);
	r->body = NULL;
	va_start(ap, fmt);
	n = vasprintf(&r->body, fmt, ap);
	va_end(ap);
	if (n < 0) {
		r->body = NULL;
		return -ENOMEM;
	}
	r->status = status;
	r->type = type;
	r->len = (size_t)n;
	return 0;
}

int http_resp__stream(struct http_resp *r, int status, const char *type, FILE *f,
		      char **text, size_t *len)
{
	if (fclose(f)) {
		free(*text);
		*text = NULL;
		return -ENOMEM;
	}
	free(r->body);
	r->status = status;
	r->type = type;
	r->body = *text;
	r->len = *len;
	*text = NULL;
	return 0;
}

/* Equal, in a time that does not depend on where they differ. */
static bool same_secret(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b), i;
	unsigned char d = la != lb;

	for (i = 0; i < la && i < lb; i++)
		d |= (unsigned char)a[i] ^ (unsigned char)b[i];
	return !d;
}

static enum MHD_Result send_resp(struct MHD_Connection *c, struct http_resp *r)
{
	struct MHD_Response *resp;
	enum MHD_Result ret;

	resp = MHD_create_response_from_buffer(r->len, r->body, MHD_RESPMEM_MUST_FREE);
	if (!resp) {
		free(r->body);
		return MHD_NO;
	}
	r->body = NULL;
	MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE, r->type);
	MHD_add_response_header(resp, "X-Content-Type-Options", "nosniff");
	MHD_add_response_header(resp, MHD_HTTP_HEADER_CACHE_CONTROL, "no-store");
	if (r->disposition)
		MHD_add_response_header(resp, "Content-Disposition", r->disposition);
	if (r->status == MHD_HTTP_UNAUTHORIZED)
		MHD_add_response_header(resp, MHD_HTTP_HEADER_WWW_AUTHENTICATE,
					"Bearer realm=\"profiler\"");
	ret = MHD_queue_response(c, (unsigned int)r->status, resp);
	MHD_destroy_response(resp);
	return ret;
}

static enum MHD_Result plain(struct MHD_Connection *c, int status, const char *text)
{
	struct http_resp r = {};

	if (http_resp__printf(&r, status, "text/plain; charset=utf-8", "%s\n", text))
		return MHD_NO;
	return send_resp(c, &r);
}

/*
 * Called by the library once the headers are in (*state NULL), then for
 * each piece of a body, then once more.  Only GET and HEAD, without a body.
 */
static enum MHD_Result on_request(void *cls, struct MHD_Connection *c,
				  const char *url, const char *method,
				  const char *version, const char *upload,
				  size_t *upload_size, void **state)
{
	static int got_headers, got_body;
	struct httpd *d = cls;
	struct http_req req = { .path = url, .conn = c };
	struct http_resp resp = {};
	const char *auth;

	(void)version;
	(void)upload;
	if (!*state) {
		*state = &got_headers;
		__atomic_add_fetch(&d->active, 1, __ATOMIC_SEQ_CST);
		if (strcmp(method, MHD_HTTP_METHOD_GET) &&
		    strcmp(method, MHD_HTTP_METHOD_HEAD))
			return plain(c, MHD_HTTP_METHOD_NOT_ALLOWED, "only GET and HEAD");
		return MHD_YES;
	}
	if (*upload_size) {
		*upload_size = 0;
		*state = &got_body;
		return MHD_YES;
	}
	if (*state == &got_body)
		return plain(c, MHD_HTTP_CONTENT_TOO_LARGE, "requests have no body here");
	if (d->auth) {
		auth = MHD_lookup_connection_value(c, MHD_HEADER_KIND,
						   MHD_HTTP_HEADER_AUTHORIZATION);
		if (!auth || !same_secret(auth, d->auth))
			return plain(c, MHD_HTTP_UNAUTHORIZED,
				     "a bearer token is needed (Authorization: Bearer TOKEN)");
	}
	resp.status = 200;
	resp.type = "text/plain; charset=utf-8";
	if (d->handler(d->ctx, &req, &resp)) {
		free(resp.body);
		return plain(c, MHD_HTTP_INTERNAL_SERVER_ERROR, "out of memory");
	}
	if (!resp.body && http_resp__printf(&resp, resp.status, resp.type, "%s", ""))
		return MHD_NO;
	return send_resp(c, &resp);
}

/* A request is over (answered, or its connection gone). */
static void on_completed(void *cls, struct MHD_Connection *c, void **state,
			 enum MHD_RequestTerminationCode why)
{
	struct httpd *d = cls;

	(void)c;
	(void)why;
	if (*state)
		__atomic_sub_fetch(&d->active, 1, __ATOMIC_SEQ_CST);
	*state = NULL;
}

/* The library's own messages, at debug level. */
static void on_log(void *cls, const char *fmt, va_list ap)
{
	char buf[512];

	(void)cls;
	vsnprintf(buf, sizeof(buf), fmt, ap);
	buf[strcspn(buf, "\n")] = '\0';
	p_dbg("http: %s", buf);
}

struct httpd *httpd__start(const struct httpd_opts *o, http_handler h,
			   void *ctx, char *err, size_t err_len)
{
	struct sockaddr_storage ss = {};
	struct sockaddr_in *v4 = (struct sockaddr_in *)&ss;
	struct sockaddr_in6 *v6 = (struct sockaddr_in6 *)&ss;
	unsigned int flags = MHD_USE_THREAD_PER_CONNECTION | MHD_USE_ITC |
			     MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_ERROR_LOG;
	const union MHD_DaemonInfo *info;
	struct httpd *d;

	if (inet_pton(AF_INET, o->addr, &v4->sin_addr) == 1) {
		v4->sin_family = AF_INET;
		v4->sin_port = htons(o->port);
	} else if (inet_pton(AF_INET6, o->addr, &v6->sin6_addr) == 1) {
		v6->sin6_family = AF_INET6;
		v6->sin6_port = htons(o->port);
		flags |= MHD_USE_IPv6;
	} else {
		snprintf(err, err_len, "'%s' is not an IPv4 or IPv6 address", o->addr);
		return NULL;
	}
	d = calloc(1, sizeof(*d));
	if (!d || (o->token && asprintf(&d->auth, "Bearer %s", o->token) < 0)) {
		free(d);
		snprintf(err, err_len, "out of memory");
		return NULL;
	}
	d->handler = h;
	d->ctx = ctx;
	d->mhd = MHD_start_daemon(flags, 0, NULL, NULL, on_request, d,
				  MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&ss,
				  MHD_OPTION_CONNECTION_LIMIT, (unsigned int)HTTPD_MAX_CONNECTIONS,
				  MHD_OPTION_PER_IP_CONNECTION_LIMIT, (unsigned int)HTTPD_MAX_PER_IP,
				  MHD_OPTION_CONNECTION_TIMEOUT, (unsigned int)HTTPD_IDLE_TIMEOUT_S,
				  MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)HTTPD_REQUEST_MEMORY,
				  MHD_OPTION_EXTERNAL_LOGGER, on_log, NULL,
				  MHD_OPTION_NOTIFY_COMPLETED, on_completed, d,
				  MHD_OPTION_END);
	if (!d->mhd) {
		snprintf(err, err_len, "cannot listen on %s port %u (in use, or not "
			 "an address of this machine)", o->addr, (unsigned int)o->port);
		free(d->auth);
		free(d);
		return NULL;
	}
	info = MHD_get_daemon_info(d->mhd, MHD_DAEMON_INFO_BIND_PORT);
	d->port = info ? info->port : o->port;
	return d;
}

uint16_t httpd__port(const struct httpd *d)
{
	return d->port;
}

void httpd__stop(struct httpd *d, int grace_ms)
{
	struct timespec pause = { 0, 10 * 1000000L };
	int waited;

	if (!d)
		return;
	/* No new connections; the requests under way finish sending. */
	MHD_quiesce_daemon(d->mhd);
	for (waited = 0; waited < grace_ms &&
	     __atomic_load_n(&d->active, __ATOMIC_SEQ_CST) > 0; waited += 10)
		nanosleep(&pause, NULL);
	MHD_stop_daemon(d->mhd);
	if (d->auth)
		memset(d->auth, 0, strlen(d->auth));
	free(d->auth);
	free(d);
}
