/* outreach_hist.c — the demo's commissioners, leader visits, salons and financing of
 * January–April 2024, through the services (firm/commissioner.h, firm/outreach.h,
 * firm/financing.h, the case engine) with the simulated clock, as history.c does for demands.
 * The zone's report gives the figures reproduced: 35 chief service commissioners appointed,
 * each looking after firms (the registry's firms shared out among them by industry and load:
 * the thirty appointed in March take over firms with a recorded reason); leader visits and
 * enterprise salons whose issues became demands linked back to them (and were then handled);
 * two foreign-trade firms financed with 11,000,000 yuan in total. Deterministic. */
#include "core/ftz_setup.h"
#include "demo/demo.h"
#include "demo/internal.h"
#include "auth/auth.h"
#include "case/case.h"
#include "core/arena.h"
#include "core/calendar.h"
#include "core/date.h"
#include "core/log.h"
#include "core/mem.h"
#include "core/platform.h"
#include "db/db.h"
#include "firm/commissioner.h"
#include "firm/demand.h"
#include "firm/financing.h"
#include "firm/outreach.h"

#include <stdio.h>
#include <string.h>

#define N_COMMISSIONERS 35
#define OSEED           0x4f55545245414348ull

typedef struct osim {
    ftz_ctx *c;
    uint64_t r;
    ftz_principal *leader, *dispatcher, *staff, *admin;
    int64_t invest;
    int steps_refused;
    int visits, salons, issues;
} osim;

static uint64_t rnd(osim *s)
{
    uint64_t z = (s->r += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

static int rint_(osim *s, int lo, int hi)
{
    return lo + (int)(rnd(s) % (uint64_t)(hi - lo + 1));
}

static int64_t at(ftz_date d, int minute)
{
    return (int64_t)d * 86400 + (int64_t)minute * 60 - FTZ_SHANGHAI_OFFSET;
}

static ftz_date workday(ftz_date d, int n)
{
    ftz_date out;
    if (ftz_cal_add_workdays(ftz_platform_cal(), d, n, &out)) return d + n;
    return out;
}

static bool fatal(ftz_rc rc)
{
    return rc == FTZ_EDB || rc == FTZ_EINTERNAL || rc == FTZ_EIO;
}

/* A refused step is logged and counted, not fatal: the demo shows what the services allow. */
static ftz_rc soft(osim *s, ftz_rc rc, const char *what)
{
    if (!rc) return FTZ_OK;
    if (fatal(rc)) return rc;
    const ftz_err *e = &s->c->err;
    ftz_log_warn("demo: %s refused: %s %s %s", what, e->code ? e->code : ftz_rc_name(rc),
                 e->nfields ? e->fields[0].field : "", e->nfields ? e->fields[0].code : "");
    s->steps_refused++;
    return FTZ_OK;
}

static void as(osim *s, ftz_principal *who, int64_t t)
{
    s->c->who = who;
    s->c->clock = t;
    ftz_err_init(&s->c->err, s->c->arena);
}

static ftz_rc principal(ftz_ctx *c, const char *username, ftz_principal **out)
{
    int64_t uid;
    ftz_err_init(&c->err, c->arena);
    ftz_rc rc = auth_user_find(c, username, &uid);
    if (rc) return rc;
    return auth_load_principal(c, uid, out);
}

/* ---- commissioners: 35 appointed, the firms shared out ---- */

static const char *const sections[] = {"F", "C", "G", "I", "L", "M", "A", "E", "H", "N"};

static ftz_rc commissioners(osim *s)
{
    ftz_ctx *c = s->c;
    ftz_rc rc;
    int64_t bizenv;
    ftz_err_init(&c->err, c->arena);
    if ((rc = auth_dept_find(c, "BIZENV", &bizenv))) return rc;
    int64_t ids[N_COMMISSIONERS];
    static const char *const given[] = {"立新", "海燕", "晓东", "春雨", "建国", "丽华", "志强",
                                        "雪梅", "国栋", "秀兰", "宏伟", "玉洁", "振华", "红梅",
                                        "德明", "佳怡", "鹏飞", "淑珍", "文斌", "静怡"};
    static const char *const family[] = {"王", "李", "刘", "陈", "杨",
                                         "赵", "孙", "周", "吴", "郑"};
    for (int i = 0; i < N_COMMISSIONERS; i++) {
        char name[32];
        if (i == 0)
            snprintf(name, sizeof name, "commissioner");
        else
            snprintf(name, sizeof name, "commissioner%d", i + 1);
        as(s, s->admin, at(ftz_date_ymd(2024, 3, 1), 9 * 60));
        rc = auth_user_find(c, name, &ids[i]);
        if (rc == FTZ_ENOTFOUND) {
            const char *roles[] = {"commissioner"};
            char display[32];
            snprintf(display, sizeof display, "%s%s", family[i % 10], given[(i * 7) % 20]);
            auth_user_in in = {.username = name,
                               .password = FTZ_DEMO_PASSWORD,
                               .display_name = display,
                               .lang = "zh",
                               .roles = roles,
                               .nroles = 1,
                               .department_id = bizenv};
            ftz_err_init(&c->err, c->arena);
            rc = auth_user_create(c, &in, &ids[i]);
        }
        if (rc) return rc;
        /* each matches one or two industry sections, a cap of 20 firms */
        const char *codes[2] = {sections[i % 10], sections[(i + 3) % 10]};
        firm_profile_in p = {.industries = codes,
                             .nindustries = (size_t)(i % 2 ? 2 : 1),
                             .max_firms = 20,
                             .active = true,
                             .version = 0};
        json_t *cur = NULL;
        ftz_err_init(&c->err, c->arena);
        if (firm_commissioner_profile_get(c, ids[i], &cur) == FTZ_OK) {
            p.version = json_integer_value(json_object_get(cur, "version"));
            json_decref(cur);
        }
        ftz_err_init(&c->err, c->arena);
        if ((rc = soft(s, firm_commissioner_profile_set(c, ids[i], &p), "commissioner profile")))
            return rc;
    }
    /* March: the new commissioners take over the firms beyond each one's share */
    ftz_stmt *st;
    if ((rc = ftz_db_prepare(c->db, "SELECT id, commissioner_id, version FROM firms ORDER BY id",
                             &st)))
        return rc;
    size_t cap = 1024, n = 0;
    int64_t(*rows)[3] = ftz_arena_alloc(c->arena, cap * sizeof *rows);
    int r;
    while ((r = ftz_stmt_next(st)) == 1 && n < cap) {
        rows[n][0] = ftz_stmt_int(st, 0);
        rows[n][1] = ftz_stmt_int(st, 1);
        rows[n][2] = ftz_stmt_int(st, 2);
        n++;
    }
    ftz_stmt_done(st);
    if (r < 0) return FTZ_EDB;
    for (size_t i = 0; i < n; i++) {
        int64_t want = ids[i % N_COMMISSIONERS];
        if (rows[i][1] == want) continue;
        as(s, s->admin, at(workday(ftz_date_ymd(2024, 3, 4), (int)(i % 10)), 10 * 60));
        rc = firm_commissioner_assign(c, rows[i][0], want,
                                      "首席服务专员扩至35名，按行业与负荷重新分配", rows[i][2]);
        if ((rc = soft(s, rc, "commissioner reassignment"))) return rc;
    }
    return FTZ_OK;
}

/* ---- a demand raised at a visit or salon, then handled through the loop ---- */

static ftz_rc handle_demand(osim *s, int64_t id, ftz_date d, bool open)
{
    ftz_ctx *c = s->c;
    const struct {
        const char *event;
        int day, minute;
    } steps[] = {{"assess", 0, 15 * 60},
                 {"dispatch", 0, 15 * 60 + 30},
                 {"receive", 1, 10 * 60},
                 {"reply", 4, 16 * 60},
                 {"evaluate", 6, 10 * 60}};
    size_t last = open ? 3 : FTZ_COUNTOF(steps);
    for (size_t i = 0; i < last; i++) {
        ftz_principal *who = i < 2 ? s->dispatcher : i < 4 ? s->staff : s->dispatcher;
        as(s, who, at(workday(d, steps[i].day), steps[i].minute));
        json_t *cur = NULL;
        ftz_rc rc = case_get(c, &demand_kind, id, &cur);
        if (rc) return soft(s, rc, "demand read");
        int64_t v = json_integer_value(json_object_get(cur, "version"));
        json_decref(cur);
        json_t *in = NULL;
        if (strcmp(steps[i].event, "assess") == 0)
            in = json_pack("{s:s,s:s,s:I}", "category", rint_(s, 0, 1) ? "help" : "enquiry",
                           "priority", "normal", "lead_dept_id", (json_int_t)s->invest);
        else if (strcmp(steps[i].event, "reply") == 0)
            in = json_pack("{s:s}", "reply", "已协调相关部门解决，并向企业反馈办理结果。");
        else if (strcmp(steps[i].event, "evaluate") == 0)
            in = json_pack("{s:b,s:i}", "solved", 1, "satisfaction", rint_(s, 4, 5));
        as(s, who, at(workday(d, steps[i].day), steps[i].minute));
        rc = case_fire(c, &demand_kind, id, v, steps[i].event, in);
        json_decref(in);
        if ((rc = soft(s, rc, steps[i].event))) return rc;
    }
    return FTZ_OK;
}

static const struct {
    const char *title, *body, *topic;
} issues[] = {
    {"希望协调解决厂区道路照明问题", "厂区外道路夜间无照明，影响货车进出安全。", "utilities"},
    {"申请协调专业技术人才引进", "急需俄语翻译和跨境物流人才，希望纳入人才政策。", "labour"},
    {"希望简化进口木材检疫流程", "进口板材检疫周期长，影响订单交付。", "customs"},
    {"咨询设备购置补贴申报", "新购生产线能否申报技改补贴。", "policy"},
    {"反映贷款审批周期长", "流动资金贷款审批超过一个月。", "finance"},
    {"希望增加中俄班车频次", "货物集港等待时间长。", "customs"},
};

/* ---- visits and salons ---- */

static ftz_rc visits_and_salons(osim *s, const int64_t *firms, size_t nfirms)
{
    ftz_ctx *c = s->c;
    ftz_rc rc;
    /* the "six must-visits": a leader visit most working weeks */
    for (int i = 0; i < 24; i++) {
        ftz_date d = workday(ftz_date_ymd(2024, 1, 8) + i * 4, 0);
        char day[11];
        ftz_date_format(d, day);
        int64_t firm = firms[(size_t)rint_(s, 0, (int)nfirms - 1)];
        outreach_visit_in in = {.firm_id = firm,
                                .visited_on = day,
                                .leader_id = s->leader->user_id,
                                .participants = "招商服务局、营商环境建设局相关负责人",
                                .purpose = "走访了解企业生产经营情况和困难诉求"};
        as(s, s->leader, at(d, 17 * 60));
        int64_t vid;
        if ((rc = soft(s, outreach_visit_create(c, &in, &vid), "visit"))) return rc;
        if (c->err.rc) continue;
        s->visits++;
        int nissues = rint_(s, 0, 2);
        for (int k = 0; k < nissues; k++) {
            int t = rint_(s, 0, (int)FTZ_COUNTOF(issues) - 1);
            outreach_issue_in ii = {.title = issues[t].title,
                                    .body = issues[t].body,
                                    .topic = issues[t].topic,
                                    .lang = "zh"};
            as(s, s->leader, at(d, 17 * 60 + 10 + k));
            int64_t did;
            rc = outreach_visit_raise(c, vid, &ii, &did);
            if ((rc = soft(s, rc, "visit issue"))) return rc;
            if (c->err.rc) continue;
            s->issues++;
            if ((rc = handle_demand(s, did, workday(d, 1), i >= 22))) return rc;
        }
    }
    /* enterprise salons: one a month, 8–14 firms each */
    static const char *const titles[] = {"政银企对接沙龙", "跨境电商政策解读沙龙",
                                         "中俄贸易企业座谈会", "人才政策宣讲沙龙"};
    static const char *const topics[] = {"融资对接、信贷产品", "跨境电商综试区政策",
                                         "通关便利化、互市贸易", "人才引进与稳岗补贴"};
    for (int m = 0; m < 4; m++) {
        ftz_date d = workday(ftz_date_ymd(2024, 1 + m, 20), 0);
        char day[11];
        ftz_date_format(d, day);
        outreach_salon_in in = {.title = titles[m],
                                .held_on = day,
                                .place = "黑河自贸片区政务服务中心三楼会议室",
                                .topics = topics[m],
                                .organiser_dept = s->invest};
        as(s, s->staff, at(d, 9 * 60));
        int64_t sid;
        if ((rc = soft(s, outreach_salon_create(c, &in, &sid), "salon"))) return rc;
        if (c->err.rc) continue;
        s->salons++;
        outreach_attendee att[14];
        int na = rint_(s, 8, 14);
        for (int k = 0; k < na; k++) {
            att[k].firm_id = firms[(size_t)(m * 37 + k * 11) % nfirms];
            att[k].attendees = "总经理、财务负责人";
        }
        as(s, s->staff, at(d, 9 * 60 + 5));
        if ((rc = soft(s, outreach_salon_set_firms(c, sid, 0, att, (size_t)na), "salon firms")))
            return rc;
        for (int k = 0; k < 2; k++) {
            int t = (m + k * 3) % (int)FTZ_COUNTOF(issues);
            outreach_issue_in ii = {.firm_id = att[k].firm_id,
                                    .title = issues[t].title,
                                    .body = issues[t].body,
                                    .topic = issues[t].topic,
                                    .lang = "zh"};
            as(s, s->staff, at(d, 16 * 60 + k));
            int64_t did;
            rc = outreach_salon_raise(c, sid, &ii, &did);
            if ((rc = soft(s, rc, "salon issue"))) return rc;
            if (c->err.rc) continue;
            s->issues++;
            if ((rc = handle_demand(s, did, workday(d, 1), m == 3 && k == 1))) return rc;
        }
    }
    return FTZ_OK;
}

/* ---- financing: the banks' products, needs, and two foreign-trade firms financed with
 * 11,000,000 yuan ---- */

static ftz_rc financing(osim *s, const int64_t *border, size_t nborder)
{
    ftz_ctx *c = s->c;
    ftz_rc rc;
    static const struct {
        const char *bank, *name;
        int64_t max_fen, rate_bp, term;
    } products[] = {
        {"中国银行黑河分行", "外贸通宝（出口订单融资）", 1000000000, 385, 12},
        {"黑龙江农商银行", "边贸e贷", 300000000, 420, 24},
        {"中国建设银行黑河分行", "跨境快贷", 500000000, 395, 12},
    };
    int64_t pid[3];
    for (size_t i = 0; i < FTZ_COUNTOF(products); i++) {
        financing_product_in in = {.bank = products[i].bank,
                                   .name = products[i].name,
                                   .max_amount_fen = products[i].max_fen,
                                   .rate_bp = products[i].rate_bp,
                                   .term_months = products[i].term,
                                   .active = 1};
        as(s, s->admin, at(ftz_date_ymd(2024, 1, 3), 10 * 60));
        if ((rc = financing_product_create(c, &in, &pid[i]))) return soft(s, rc, "bank product");
    }
    /* needs: two granted (6,000,000 + 5,000,000 yuan = 1100万元), others open or declined */
    static const struct {
        int64_t amount_fen, grant_fen;
        int product, month, day;
        const char *purpose;
        const char *end; /* granted | declined | matched | open */
    } needs[] = {
        {600000000, 600000000, 0, 2, 26, "对俄出口订单备货流动资金", "granted"},
        {500000000, 500000000, 2, 3, 18, "跨境电商海外仓建设", "granted"},
        {200000000, 0, 1, 3, 25, "互市贸易商品收购资金", "declined"},
        {150000000, 0, 1, 4, 8, "冷链物流设备购置", "matched"},
        {300000000, 0, 0, 4, 16, "木材进口预付款", "open"},
    };
    for (size_t i = 0; i < FTZ_COUNTOF(needs) && i < nborder; i++) {
        ftz_date d = workday(ftz_date_ymd(2024, needs[i].month, needs[i].day), 0);
        char day[11];
        ftz_date_format(d, day);
        financing_need_in in = {.firm_id = border[i],
                                .amount_fen = needs[i].amount_fen,
                                .purpose = needs[i].purpose,
                                .term_months = 12,
                                .raised_on = day};
        as(s, s->staff, at(d, 10 * 60));
        int64_t nid;
        if ((rc = soft(s, financing_need_create(c, &in, &nid), "financing need"))) return rc;
        if (c->err.rc || strcmp(needs[i].end, "open") == 0) continue;
        int64_t mid;
        as(s, s->staff, at(workday(d, 2), 10 * 60));
        if ((rc = soft(s,
                       financing_match_create(c, nid, pid[needs[i].product], "银企对接推荐", &mid),
                       "financing match")))
            return rc;
        if (c->err.rc || strcmp(needs[i].end, "matched") == 0) continue;
        const char *path[2] = {"applied", needs[i].end};
        for (int k = 0; k < 2; k++) {
            ftz_date dk = workday(d, k == 0 ? 5 : 15);
            char dks[11];
            ftz_date_format(dk, dks);
            as(s, s->staff, at(dk, 11 * 60));
            json_t *cur = NULL;
            if ((rc = financing_match_get(c, mid, &cur))) return soft(s, rc, "match read");
            int64_t v = json_integer_value(json_object_get(cur, "version"));
            json_decref(cur);
            financing_match_change ch = {.status = path[k]};
            if (strcmp(path[k], "granted") == 0) {
                ch.has_amount = true;
                ch.amount_granted_fen = needs[i].grant_fen;
                ch.granted_on = dks;
            }
            as(s, s->staff, at(dk, 11 * 60));
            if ((rc = soft(s, financing_match_update(c, mid, v, &ch), "match update"))) return rc;
        }
    }
    return FTZ_OK;
}

ftz_rc demo_outreach_history_run(ftz_ctx *c)
{
    osim s;
    memset(&s, 0, sizeof s);
    s.c = c;
    s.r = OSEED;
    ftz_principal *sys = c->who;
    ftz_rc rc;
    if ((rc = principal(c, "leader", &s.leader)) ||
        (rc = principal(c, "dispatcher", &s.dispatcher)) ||
        (rc = principal(c, "staff", &s.staff)) || (rc = principal(c, "admin", &s.admin)))
        goto out;
    ftz_err_init(&c->err, c->arena);
    if ((rc = auth_dept_find(c, "INVEST", &s.invest))) goto out;
    /* the firms: all of them, and the cross-border ones for financing */
    int64_t *firms = ftz_arena_alloc(c->arena, 1024 * sizeof *firms);
    int64_t *border = ftz_arena_alloc(c->arena, 1024 * sizeof *border);
    size_t nf = 0, nb = 0;
    ftz_stmt *st;
    if ((rc = ftz_db_prepare(c->db, "SELECT id, cross_border, department_id FROM firms ORDER BY id",
                             &st)))
        goto out;
    int r;
    while ((r = ftz_stmt_next(st)) == 1 && nf < 1024) {
        firms[nf++] = ftz_stmt_int(st, 0);
        /* foreign-trade firms the investment bureau (which matches financing) looks after */
        if (ftz_stmt_int(st, 1) && ftz_stmt_int(st, 2) == s.invest && nb < 1024)
            border[nb++] = ftz_stmt_int(st, 0);
    }
    ftz_stmt_done(st);
    if (r < 0 || nf == 0) {
        rc = r < 0 ? FTZ_EDB : FTZ_EINTERNAL;
        goto out;
    }
    if ((rc = commissioners(&s)) || (rc = visits_and_salons(&s, firms, nf)) ||
        (rc = financing(&s, border, nb)))
        goto out;
    int64_t financed = 0, granted = 0;
    if ((rc = ftz_db_scalar(c->db, &financed,
                            "SELECT count(DISTINCT n.firm_id) FROM financing_matches m JOIN "
                            "financing_needs n ON n.id = m.need_id WHERE m.status = 'granted'",
                            "")) ||
        (rc = ftz_db_scalar(c->db, &granted,
                            "SELECT COALESCE(SUM(amount_granted_fen), 0) FROM financing_matches "
                            "WHERE status = 'granted'",
                            "")))
        goto out;
    printf("ftz: demo outreach: %d commissioners, %d visits, %d salons, %d issues raised as "
           "demands, %lld firms financed with %lld yuan\n",
           N_COMMISSIONERS, s.visits, s.salons, s.issues, (long long)financed,
           (long long)(granted / 100));
    if (s.steps_refused)
        printf("ftz: warning: the services refused %d outreach demo steps (see the log)\n",
               s.steps_refused);
out:
    c->who = sys;
    c->clock = 0;
    ftz_err_init(&c->err, c->arena);
    return rc;
}
