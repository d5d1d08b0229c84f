/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * A small HTTP server for the service mode, on libmicrohttpd: GET and HEAD
 * only, one thread per connection (a handler may wait for a profile being
 * taken), bounded connections and request size, an optional bearer token.
 * It knows nothing of profiles: a handler turns a request into a status, a
 * content type and a body.
 */
#ifndef PROFILER_HTTPD_H
#define PROFILER_HTTPD_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/* Limits: connections at once, per client address, and idle seconds. */
#define HTTPD_MAX_CONNECTIONS	16
#define HTTPD_MAX_PER_IP	8
#define HTTPD_IDLE_TIMEOUT_S	60
/* Bytes of one request's headers and URL, at most. */
#define HTTPD_REQUEST_MEMORY	(16 * 1024)

struct http_req {
	const char *path;	/* "/metrics", without the query */
	void *conn;		/* the library's connection */
};

/* A query argument of the request ("seconds"), NULL if absent. */
const char *http_req__arg(const struct http_req *r, const char *name);

struct http_resp {
	int status;		/* 200, 400, 404, 503... */
	const char *type;	/* "text/plain; version=0.0.4" */
	char *body;		/* malloc'd; the server frees it */
	size_t len;
	const char *disposition; /* Content-Disposition, or NULL */
};

/* Fill resp; 0, or -ENOMEM (the server answers 500). */
typedef int (*http_handler)(void *ctx, const struct http_req *req,
			    struct http_resp *resp);

struct httpd_opts {
	const char *addr;	/* "127.0.0.1", "::1", "0.0.0.0" */
	uint16_t port;		/* 0: any free port */
	const char *token;	/* requests need "Authorization: Bearer TOKEN";
				 * NULL: none */
};

struct httpd;

/*
 * Listen and serve in the library's threads.  NULL with a message in err
 * (address in use, bad address...).
 */
struct httpd *httpd__start(const struct httpd_opts *o, http_handler h,
			   void *ctx, char *err, size_t err_len);
/* The port it listens on (the one chosen, with port 0). */
uint16_t httpd__port(const struct httpd *d);
/*
 * Stop accepting, give the requests under way up to grace_ms to finish
 * sending (the owner has told waiting handlers to return), then end every
 * connection.
 */
void httpd__stop(struct httpd *d, int grace_ms);

/* A body from printf-style text, for handlers: 0 or -ENOMEM. */
int http_resp__printf(struct http_resp *r, int status, const char *type,
		      const char *fmt, ...) __attribute__((format(printf, 4, 5)));

/*
 * A body written to an open_memstream(&text, &len) stream f: closes f and
 * hands the text over.  0, or -ENOMEM (text freed).
 */
int http_resp__stream(struct http_resp *r, int status, const char *type, FILE *f,
		      char **text, size_t *len);

#endif
