/* ops.c — the operations endpoints: /healthz (the process answers), /readyz (its database
 * answers), /metrics (Prometheus text). All public, none touches a session. */
#include "core/ftz_setup.h"
#include "http/internal.h"
#include "db/db.h"

void ftz_ops_healthz(ftz_ctx *c)
{
    /* Load balancers ask this many times a second: a constant body, no JSON tree. */
    static const char body[] = "{\"status\":\"ok\"}";
    ftz_reply_bytes(c, 200, "application/json", body, sizeof body - 1, NULL);
}

void ftz_ops_readyz(ftz_ctx *c)
{
    if (ftz_db_ping(c->db)) {
        ftz_reply_json(c, 200, json_pack("{s:s}", "status", "ready"));
    } else {
        ftz_reply_fail(c, FTZ_EDB, "db", NULL);
    }
}

void ftz_ops_metrics(ftz_ctx *c)
{
    ftz_buf b;
    ftz_buf_init(&b, 0);
    ftz_metrics_render(c, &b);
    ftz_reply_bytes(c, 200, "text/plain; version=0.0.4; charset=utf-8", b.data ? b.data : "", b.len,
                    NULL);
    ftz_buf_cleanup(&b);
}
