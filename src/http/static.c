/* static.c — serves the built web UI (web/dist) with an SPA fallback: a path that names no
 * file and has no extension gets index.html, so the client router handles it. Hashed assets
 * (under /assets/) are cached for a year; index.html is never cached, so a new build shows
 * at the next load. Paths are checked before any file is opened: no "..", no NUL, regular
 * files only, under the configured directory. */
#include "core/ftz_setup.h"
#include "http/internal.h"
#include "core/arena.h"
#include "core/mem.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define STATIC_MAX (32 * 1024 * 1024)

static const struct {
    const char *ext, *type;
} types[] = {
    {".html", "text/html; charset=utf-8"},
    {".js", "text/javascript; charset=utf-8"},
    {".mjs", "text/javascript; charset=utf-8"},
    {".css", "text/css; charset=utf-8"},
    {".json", "application/json"},
    {".svg", "image/svg+xml"},
    {".png", "image/png"},
    {".jpg", "image/jpeg"},
    {".ico", "image/x-icon"},
    {".woff2", "font/woff2"},
    {".woff", "font/woff"},
    {".ttf", "font/ttf"},
    {".txt", "text/plain; charset=utf-8"},
    {".map", "application/json"},
    {".webmanifest", "application/manifest+json"},
};

static const char *type_of(const char *path)
{
    const char *dot = strrchr(path, '.');
    const char *slash = strrchr(path, '/');
    if (!dot || (slash && dot < slash)) return NULL;
    for (size_t i = 0; i < FTZ_COUNTOF(types); i++)
        if (strcmp(dot, types[i].ext) == 0) return types[i].type;
    return "application/octet-stream";
}

static bool read_file(ftz_ctx *c, const char *path, unsigned char **data, size_t *len)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
    if (fd < 0) return false;
    struct stat sb;
    if (fstat(fd, &sb) != 0 || !S_ISREG(sb.st_mode) || sb.st_size > STATIC_MAX) {
        close(fd);
        return false;
    }
    unsigned char *buf = ftz_arena_alloc(c->arena, (size_t)sb.st_size + 1);
    size_t got = 0;
    while (got < (size_t)sb.st_size) {
        ssize_t n = read(fd, buf + got, (size_t)sb.st_size - got);
        if (n <= 0) {
            if (n < 0 && errno == EINTR) continue;
            close(fd);
            return false;
        }
        got += (size_t)n;
    }
    close(fd);
    *data = buf;
    *len = got;
    return true;
}

void ftz_static_serve(ftz_ctx *c, const char *web_dir)
{
    const char *p = c->req->path;
    if (strstr(p, "..") || strchr(p, '\\') || p[0] != '/') {
        ftz_reply_fail(c, FTZ_ENOTFOUND, "no_route", NULL);
        return;
    }
    const char *rel = strcmp(p, "/") == 0 ? "/index.html" : p;
    const char *type = type_of(rel);
    unsigned char *data;
    size_t len;
    char *full = ftz_arena_printf(c->arena, "%s%s", web_dir, rel);
    /* A pre-compressed copy (written at build time by web/scripts/compress.mjs) for clients
     * that take gzip: the bundle is a third of its size on the wire. */
    const char *ae = ftz_req_header(c, "Accept-Encoding");
    if (type && ae && strstr(ae, "gzip") &&
        read_file(c, ftz_arena_printf(c->arena, "%s.gz", full), &data, &len)) {
        ftz_reply_bytes(c, 200, type, data, len, NULL);
        ftz_reply_header(c, "Content-Encoding", "gzip");
        ftz_reply_header(c, "Vary", "Accept-Encoding");
        ftz_reply_header(c, "Cache-Control",
                         strncmp(rel, "/assets/", 8) == 0 ? "public, max-age=31536000, immutable"
                                                          : "no-cache");
        return;
    }
    if (type && read_file(c, full, &data, &len)) {
        ftz_reply_header(c, "Vary", "Accept-Encoding");
        ftz_reply_bytes(c, 200, type, data, len, NULL);
        ftz_reply_header(c, "Cache-Control",
                         strncmp(rel, "/assets/", 8) == 0 ? "public, max-age=31536000, immutable"
                                                          : "no-cache");
        return;
    }
    if (!type || strcmp(rel, "/index.html") == 0) {
        /* SPA route: the client decides. */
        full = ftz_arena_printf(c->arena, "%s/index.html", web_dir);
        if (read_file(c, full, &data, &len)) {
            ftz_reply_bytes(c, 200, "text/html; charset=utf-8", data, len, NULL);
            ftz_reply_header(c, "Cache-Control", "no-cache");
            return;
        }
        static const char page[] =
            "<!doctype html><meta charset=utf-8><title>ftz</title>"
            "<p>ftz API server. The web UI is not built here (web/dist is missing); "
            "the API is under /api/v1/.</p>";
        ftz_reply_bytes(c, 200, "text/html; charset=utf-8", page, sizeof page - 1, NULL);
        return;
    }
    ftz_reply_fail(c, FTZ_ENOTFOUND, "no_route", NULL);
}
