/* window_hist.c — the demo's January–April 2024 at the can't-get-it-done window, written
 * through the case services (case_file, case_fire) with the simulated clock and the acting
 * user's principal, as history.c does for demands. The zone's report gives the figures this
 * reproduces: 231 firms advised at the window and 117 problems solved there. The rest is a
 * plausible spread: consultations settled on the spot, problems settled at the window or
 * raised to the departments, a joint review or the business-environment office; a few refused
 * after a supervisor approved the report, a few outside the window (litigation, petitions),
 * some not solved, and the last days' cases still open. Deterministic (a fixed seed). */
#include "core/ftz_setup.h"
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
#include "firm/window.h"

#include <stdio.h>
#include <string.h>

#define N_ADVISED  231 /* firms advised (the report) */
#define N_SOLVED   117 /* problems solved (the report) */
#define N_PROBLEMS 152 /* problem cases: solved, refused, outside, not solved, open */
#define N_REFUSED  9
#define N_OUTSIDE  6
#define N_OPEN     8
#define N_SECOND   48 /* firms that came twice */
#define WSEED      0x57494e444f573234ull

typedef enum { O_CONSULT, O_SOLVED, O_REFUSED, O_OUTSIDE, O_UNSOLVED, O_OPEN } outcome;

typedef struct wplan {
    int64_t firm;
    outcome o;
    int level; /* 0 window … 3 bizenv */
    ftz_date day;
} wplan;

typedef struct wsim {
    ftz_ctx *c;
    uint64_t r;
    ftz_principal *clerk, *leader, *dispatcher, *staff[7];
    int64_t depts[7], govsvc, bizenv;
    int64_t end;
    int cases, refused_steps;
} wsim;

static const char *const lead_codes[7] = {"INVEST", "ECON", "HRSS", "LAND", "TAX", "POWER", "PORT"};
static const char *const lead_users[7] = {"staff", "econ", "hrss", "land", "tax", "power", "port"};

static uint64_t rnd(wsim *s)
{
    uint64_t z = (s->r += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

static int rint_(wsim *s, int lo, int hi)
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

static const struct {
    const char *title, *body;
} problems[] = {
    {"企业开办跑了三次未办成", "营业执照和银行开户信息不一致，窗口要求重新提交，已往返三次。"},
    {"不动产登记材料反复补正", "每次只告知一项缺少的材料，前后补正四次仍未受理。"},
    {"出口退税申报被退回", "申报资料格式不符被退回两次，不清楚具体要求。"},
    {"施工许可因图审意见未办成", "图审意见与规划部门要求矛盾，两边都让找对方。"},
    {"食品经营许可现场核查迟迟未安排", "提交申请一个月，现场核查一直未安排。"},
    {"跨境电商备案系统无法提交", "备案系统提示企业信息不存在，海关与商务系统数据不一致。"},
    {"外籍员工工作许可续期被拒", "续期材料齐全却被告知不符合条件，未说明理由。"},
    {"用电报装多次变更方案", "供电方案两次变更，增加了企业成本，装表时间一再推迟。"},
    {"Продление разрешения на работу не оформлено",
     "Документы поданы дважды, каждый раз просят новую справку."},
    {"Таможенное оформление склада не согласовано",
     "Склад временного хранения: разные ведомства требуют разные документы."},
};

static const struct {
    const char *title, *body;
} consults[] = {
    {"咨询留抵退税政策适用条件", "想了解新办企业能否享受留抵退税。"},
    {"咨询边民互市贸易落地加工政策", "企业计划开展互市商品落地加工，想了解条件。"},
    {"咨询外资企业设立流程", "俄方股东拟在片区设立独资企业。"},
    {"咨询稳岗补贴申领", "不清楚稳岗补贴的申领时间和材料。"},
    {"Консультация по открытию счёта в банке", "Как открыть счёт для ООО с российским участием."},
    {"咨询中欧班列集货政策", "了解经黑河口岸集货的运费补贴。"},
};

static const struct {
    const char *code, *text;
} causes[] = {
    {"materials", "补正材料未一次性告知，申请人多次往返"},
    {"coordination", "规划与图审部门意见不一致，缺少牵头协调"},
    {"system", "两个业务系统企业信息未打通，数据不一致"},
    {"process", "同一材料在两个环节重复审核"},
    {"policy_gap", "政策对新业态的适用条件没有明确规定"},
    {"capacity", "现场核查人员不足，排期过长"},
    {"attitude", "窗口人员未说明不予受理的理由"},
    {"applicant", "申请人不符合政策条件，已当面解释并提供替代方案"},
};

static ftz_rc fire(wsim *s, int64_t id, ftz_principal *who, int64_t t, const char *event,
                   json_t *in)
{
    ftz_ctx *c = s->c;
    c->who = who;
    c->clock = t;
    ftz_err_init(&c->err, c->arena);
    json_t *cur = NULL;
    ftz_rc rc = case_get(c, &window_kind, id, &cur);
    if (rc == FTZ_OK) {
        int64_t v = json_integer_value(json_object_get(cur, "version"));
        json_decref(cur);
        ftz_err_init(&c->err, c->arena);
        rc = case_fire(c, &window_kind, id, v, event, in);
    }
    json_decref(in);
    if (rc == FTZ_EDB || rc == FTZ_EINTERNAL || rc == FTZ_EIO) return rc;
    if (rc) {
        ftz_log_warn("demo: window case %lld: %s refused: %s", (long long)id, event,
                     c->err.code ? c->err.code : ftz_rc_name(rc));
        s->refused_steps++;
    }
    return FTZ_OK;
}

static json_t *closing(const char *key, const char *text, int cause)
{
    return json_pack("{s:s,s:s,s:s}", key, text, "root_cause", causes[cause].code,
                     "root_cause_text", causes[cause].text);
}

/* One case from filing to where the plan ends it. */
static ftz_rc one(wsim *s, const wplan *p)
{
    ftz_ctx *c = s->c;
    bool problem = p->o != O_CONSULT;
    int pi = rint_(s, 0, (int)FTZ_COUNTOF(problems) - 1);
    int ci = rint_(s, 0, (int)FTZ_COUNTOF(consults) - 1);
    const char *title = problem ? problems[pi].title : consults[ci].title;
    const char *body = problem ? problems[pi].body : consults[ci].body;
    bool ru = (unsigned char)title[0] == 0xD0; /* Cyrillic */
    int64_t t = at(p->day, rint_(s, 9 * 60, 15 * 60));
    c->who = s->clerk;
    c->clock = t;
    ftz_err_init(&c->err, c->arena);
    case_in in = {.firm_id = p->firm,
                  .channel = rint_(s, 0, 9) < 8 ? "window" : "hotline",
                  .title = title,
                  .body = body,
                  .lang = ru ? "ru" : "zh",
                  .topic = problem ? "problem" : "consultation"};
    int64_t id;
    ftz_rc rc = case_file(c, &window_kind, &in, &id);
    if (rc) {
        ftz_log_warn("demo: window filing refused: %s", c->err.code ? c->err.code : "?");
        s->refused_steps++;
        return rc == FTZ_EDB ? rc : FTZ_OK;
    }
    s->cases++;
    t += 60 * rint_(s, 5, 20);
    if ((rc = fire(s, id, s->clerk, t, "assess",
                   json_pack("{s:s,s:s,s:s,s:I}", "category", "window", "priority",
                             rint_(s, 0, 9) ? "normal" : "urgent", "topic",
                             problem ? "problem" : "consultation", "lead_dept_id",
                             (json_int_t)s->govsvc))))
        return rc;
    t += 60 * rint_(s, 5, 30);
    if (p->o == O_OUTSIDE)
        return fire(
            s, id, s->clerk, t, "reject",
            json_pack("{s:s}", "reason", "属于正在诉讼的事项，已告知申请人通过司法途径解决"));
    if (p->o == O_REFUSED) {
        if ((rc = fire(s, id, s->clerk, t, "request_refusal",
                       json_pack("{s:s}", "report",
                                 "申请人不具备该项资质的法定条件，拟作否定答复并告知替代办法"))))
            return rc;
        int64_t t2 = at(workday(p->day, 1), rint_(s, 9 * 60, 11 * 60));
        if ((rc = fire(s, id, s->leader, t2, "approve_refusal",
                       json_pack("{s:s}", "note", "同意，请当面解释并提供替代方案"))))
            return rc;
        return fire(s, id, s->clerk, t2 + 3600, "refuse",
                    json_pack("{s:s,s:s,s:s}", "reason", "不符合法定条件，已书面说明理由",
                              "root_cause", "applicant", "root_cause_text", causes[7].text));
    }
    ftz_date d = p->day;
    if (p->level == 0) {
        int cause = problem ? rint_(s, 0, 6) : 7;
        if ((rc = fire(s, id, s->clerk, t, "settle",
                       closing("reply", problem ? "窗口当场协调办结" : "已当场解答并提供书面指引",
                               cause))))
            return rc;
    } else {
        /* up the ladder, one level a working day */
        int li = rint_(s, 0, 6);
        for (int lv = 1; lv <= p->level; lv++) {
            int64_t dept = lv == 3 ? s->bizenv : s->depts[li];
            d = workday(d, lv == 1 ? 0 : 1);
            int64_t tl = lv == 1 ? t : at(d, rint_(s, 9 * 60, 16 * 60));
            static const char *const why[] = {"", "需相关部门协调办理", "涉及多个部门，需联合会商",
                                              "疑难复杂，提交营商环境局研判"};
            if ((rc = fire(
                     s, id, lv == 3 ? s->dispatcher : s->clerk, tl, "raise",
                     json_pack("{s:I,s:s}", "lead_dept_id", (json_int_t)dept, "reason", why[lv]))))
                return rc;
        }
        ftz_principal *handler = p->level == 3 ? s->dispatcher : s->staff[li];
        d = workday(d, 1);
        int64_t tr = at(d, rint_(s, 9 * 60, 12 * 60));
        if (tr > s->end) return FTZ_OK;
        if ((rc = fire(s, id, handler, tr, "receive", NULL))) return rc;
        if (p->o == O_OPEN) return FTZ_OK;
        static const int span[] = {0, 4, 8, 12};
        d = workday(d, rint_(s, 1, span[p->level]));
        int64_t tp = at(d, rint_(s, 9 * 60, 17 * 60));
        if (tp > s->end) return FTZ_OK;
        if ((rc = fire(s, id, handler, tp, "reply",
                       closing("reply", "已协调相关部门办结，并向企业反馈", rint_(s, 0, 6)))))
            return rc;
    }
    /* verification with the applicant: solved as planned */
    d = workday(d, rint_(s, 1, 2));
    int64_t te = at(d, rint_(s, 9 * 60, 17 * 60));
    if (te > s->end) return FTZ_OK;
    bool solved = p->o != O_UNSOLVED;
    if ((rc = fire(s, id, s->clerk, te, "evaluate",
                   json_pack("{s:b,s:i}", "solved", solved, "satisfaction",
                             solved ? rint_(s, 4, 5) : 3))))
        return rc;
    if (rint_(s, 0, 9) < 6) {
        int64_t ta = at(workday(d, rint_(s, 3, 8)), 10 * 60);
        if (ta <= s->end && (rc = fire(s, id, s->clerk, ta, "archive", NULL))) return rc;
    }
    return FTZ_OK;
}

static ftz_rc load_principal(ftz_ctx *c, const char *username, ftz_principal **out)
{
    int64_t uid;
    ftz_err_init(&c->err, c->arena);
    ftz_rc rc = auth_user_find(c, username, &uid);
    if (rc) return rc;
    return auth_load_principal(c, uid, out);
}

static ftz_rc dept(ftz_ctx *c, const char *code, int64_t *id)
{
    ftz_err_init(&c->err, c->arena);
    return auth_dept_find(c, code, id);
}

static int by_day(const void *a, const void *b)
{
    const wplan *x = a, *y = b;
    return x->day < y->day ? -1 : x->day > y->day;
}

ftz_rc demo_window_history_run(ftz_ctx *c)
{
    wsim s;
    memset(&s, 0, sizeof s);
    s.c = c;
    s.r = WSEED;
    s.end = at(ftz_date_ymd(2024, 4, 30), 18 * 60);
    ftz_principal *sys = c->who;
    ftz_rc rc;
    if ((rc = load_principal(c, "clerk", &s.clerk)) ||
        (rc = load_principal(c, "leader", &s.leader)) ||
        (rc = load_principal(c, "dispatcher", &s.dispatcher)) ||
        (rc = dept(c, "GOVSVC", &s.govsvc)) || (rc = dept(c, "BIZENV", &s.bizenv)))
        return rc;
    for (int i = 0; i < 7; i++)
        if ((rc = load_principal(c, lead_users[i], &s.staff[i])) ||
            (rc = dept(c, lead_codes[i], &s.depts[i])))
            return rc;
    /* the firms: N_ADVISED distinct ones in a seeded order */
    int64_t *firms = ftz_calloc(1024, sizeof *firms);
    size_t nf = 0;
    ftz_stmt *st;
    if ((rc = ftz_db_prepare(c->db, "SELECT id FROM firms ORDER BY id", &st))) goto out;
    int n;
    while ((n = ftz_stmt_next(st)) == 1 && nf < 1024)
        firms[nf++] = ftz_stmt_int(st, 0);
    ftz_stmt_done(st);
    if (n < 0 || nf < N_ADVISED) {
        rc = n < 0 ? FTZ_EDB : FTZ_EINTERNAL;
        goto out;
    }
    for (size_t i = nf - 1; i > 0; i--) {
        size_t j = (size_t)(rnd(&s) % (i + 1));
        int64_t x = firms[i];
        firms[i] = firms[j];
        firms[j] = x;
    }
    /* the plans: one case per advised firm, a second for some; the outcomes counted out */
    enum { NPLANS = N_ADVISED + N_SECOND };
    wplan *plans = ftz_calloc(NPLANS, sizeof *plans);
    outcome pool[NPLANS];
    size_t np = 0;
    for (int i = 0; i < N_SOLVED; i++)
        pool[np++] = O_SOLVED;
    for (int i = 0; i < N_REFUSED; i++)
        pool[np++] = O_REFUSED;
    for (int i = 0; i < N_OUTSIDE; i++)
        pool[np++] = O_OUTSIDE;
    for (int i = 0; i < N_PROBLEMS - N_SOLVED - N_REFUSED - N_OUTSIDE - N_OPEN; i++)
        pool[np++] = O_UNSOLVED;
    size_t nopen_first = np;
    for (int i = 0; i < N_OPEN; i++)
        pool[np++] = O_OPEN;
    while (np < NPLANS)
        pool[np++] = O_CONSULT;
    /* shuffle all but the open ones, which are filed in the last days */
    for (size_t i = nopen_first - 1; i > 0; i--) {
        size_t j = (size_t)(rnd(&s) % (i + 1));
        outcome x = pool[i];
        pool[i] = pool[j];
        pool[j] = x;
    }
    ftz_date first = ftz_date_ymd(2024, 1, 2);
    for (size_t i = 0; i < NPLANS; i++) {
        wplan *p = &plans[i];
        p->firm = firms[i < N_ADVISED ? i : (i - N_ADVISED) * 3 % N_ADVISED];
        p->o = pool[i];
        int lv = rint_(&s, 0, 99);
        p->level = p->o == O_CONSULT ? 0 : lv < 45 ? 0 : lv < 80 ? 1 : lv < 92 ? 2 : 3;
        if (p->o == O_OPEN && p->level == 0) p->level = 1;
        /* late enough to be seen through by 30 April: the higher the level, the earlier */
        static const int last_day[] = {26, 19, 10, 1};
        ftz_date last = ftz_date_ymd(2024, 4, last_day[p->level]);
        int span = (int)(last - first);
        p->day = p->o == O_OPEN ? workday(ftz_date_ymd(2024, 4, 24), rint_(&s, 0, 3))
                                : workday(first + rint_(&s, 0, span), 0);
    }
    qsort(plans, NPLANS, sizeof *plans, by_day);
    ftz_arena *keep = c->arena;
    ftz_arena *scratch = ftz_arena_new();
    for (size_t i = 0; i < NPLANS && rc == FTZ_OK; i++) {
        ftz_arena_reset(scratch);
        c->arena = scratch;
        rc = one(&s, &plans[i]);
        c->arena = keep;
    }
    ftz_arena_free(scratch);
    ftz_free(plans);
    if (rc == FTZ_OK) {
        printf("ftz: demo window 2024-01-02…2024-04-30: %d cases from %d firms\n", s.cases,
               N_ADVISED);
        if (s.refused_steps)
            printf("ftz: warning: the case engine refused %d window demo steps (see the log)\n",
                   s.refused_steps);
    }
out:
    ftz_free(firms);
    c->who = sys;
    c->clock = 0;
    ftz_err_init(&c->err, c->arena);
    return rc;
}
