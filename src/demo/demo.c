/* demo.c — the demonstration data of the Heihe area (see demo.h). Names come from the zone's
 * own report (../shared/seed): the firms it names, its departments and the overseas station.
 * Credit codes are made valid with the GB 32100/GB 11714 check characters (Heihe's
 * administrative division code is 231100); they are not the real firms' codes.
 *
 * Two parts: the base data here (departments, accounts, the five named firms: all that
 * `ftz demo --minimal` writes, and what the tests build on), and the history of
 * January–April 2024 in history.c (about 400 firms, close to 1,000 demands). */
#include "core/ftz_setup.h"
#include "demo/demo.h"
#include "auth/auth.h"
#include "case/case.h"
#include "core/arena.h"
#include "core/settings.h"
#include "demo/internal.h"
#include "firm/demand.h"
#include "firm/firm.h"
#include "firm/uscc.h"

#include <stdio.h>
#include <string.h>

static const struct {
    const char *code, *parent, *zh, *ru, *en;
} depts[] = {
    {"ZONE", NULL, "黑河自贸片区管委会", "Администрация зоны Хэйхэ", "Heihe Area Administration"},
    {"INVEST", "ZONE", "招商服务局", "Бюро по привлечению инвестиций",
     "Investment Promotion Bureau"},
    {"BIZENV", "ZONE", "营商环境建设局", "Бюро деловой среды", "Business Environment Office"},
    {"GOVSVC", "ZONE", "政务服务中心", "Центр госуслуг", "Government Service Centre"},
    {"STATION", "GOVSVC", "驻俄政务服务驿站", "Представительство в России",
     "Overseas Service Station in Russia"},
    {"ECON", "ZONE", "经济发展局", "Бюро экономического развития", "Economic Development Bureau"},
    {"CUSTOMS", NULL, "黑河海关", "Таможня Хэйхэ", "Heihe Customs"},
    {"POST", NULL, "中国邮政黑河国际互换局", "Международный почтамт Хэйхэ",
     "China Post Heihe International Exchange Office"},
    /* lead units of demands */
    {"HRSS", "ZONE", "人力资源和社会保障局", "Бюро труда и социального обеспечения",
     "Human Resources and Social Security Bureau"},
    {"LAND", "ZONE", "自然资源局", "Бюро природных ресурсов", "Natural Resources Bureau"},
    {"TAX", "ZONE", "税务局", "Налоговое бюро", "Tax Bureau"},
    {"POWER", "ZONE", "供电公司", "Электросетевая компания", "Power Supply Company"},
    {"PORT", "ZONE", "口岸服务中心", "Центр обслуживания пункта пропуска", "Port Services Centre"},
};

static const struct {
    const char *org8, *zh, *ru, *en;
} firms[DEMO_NBASE_FIRMS] = {
    {"MA1B2C3D", "黑河品优进出口有限责任公司", "ООО «Пинью импорт-экспорт» Хэйхэ",
     "Heihe Pinyou Import & Export Co., Ltd."},
    {"MA2C3D4E", "黑河宇鑫贸易有限责任公司", "ООО «Юйсинь трейдинг» Хэйхэ",
     "Heihe Yuxin Trading Co., Ltd."},
    {"MA3D4E5F", "黑河东奥能源有限公司", "ООО «Дунъао энерджи» Хэйхэ",
     "Heihe Dong'ao Energy Co., Ltd."},
    {"MA4E5F6G", "黑河东岱气体有限公司", "ООО «Дундай газ» Хэйхэ", "Heihe Dongdai Gas Co., Ltd."},
    {"MA5F6G7H", "黑河新丝路木业有限公司", "ООО «Новый шёлковый путь» Хэйхэ",
     "Heihe New Silk Road Wood Co., Ltd."},
};

/* The accounts. `full` ones exist only with the history (`ftz demo` without --minimal): the
 * tests' expectations of the base accounts (one staff user, one commissioner) stay true. */
static const struct {
    const char *username, *name, *role, *dept;
    int firm; /* index into firms + 1, 0 none */
    bool full;
} users[] = {
    {"leader", "王主任", "leader", "ZONE", 0, false},
    {"staff", "李招商", "staff", "INVEST", 0, false},
    {"commissioner", "张专员", "commissioner", "BIZENV", 0, false},
    {"customs", "赵关员", "customs", "CUSTOMS", 0, false},
    {"postal", "刘邮政", "postal", "POST", 0, false},
    {"station", "Иван Петров", "station", "STATION", 0, false},
    {"firm", "品优公司", "firm", NULL, 1, false},
    {"dispatcher", "陈统筹", "dispatcher", "BIZENV", 0, false},
    {"clerk", "吴窗口", "window", "GOVSVC", 0, false},
    /* the history's: staff of each lead unit, four more commissioners */
    {"econ", "孙经发", "staff", "ECON", 0, true},
    {"window", "周受理", "staff", "GOVSVC", 0, true},
    {"hrss", "吴人社", "staff", "HRSS", 0, true},
    {"land", "郑规划", "staff", "LAND", 0, true},
    {"tax", "冯税务", "staff", "TAX", 0, true},
    {"power", "何供电", "staff", "POWER", 0, true},
    {"port", "钱口岸", "staff", "PORT", 0, true},
    {"commissioner2", "黄专员", "commissioner", "BIZENV", 0, true},
    {"commissioner3", "林专员", "commissioner", "BIZENV", 0, true},
    {"commissioner4", "高专员", "commissioner", "BIZENV", 0, true},
    {"commissioner5", "马专员", "commissioner", "BIZENV", 0, true},
};

void demo_credit_code(const char *org8, char out[19])
{
    char first17[18];
    snprintf(first17, sizeof first17, "91231100%s%c", org8, firm_orgcode_check_char(org8));
    snprintf(out, 19, "%s%c", first17, firm_uscc_check_char(first17));
}

bool demo_base_org8(const char *org8)
{
    for (size_t i = 0; i < FTZ_COUNTOF(firms); i++)
        if (strcmp(firms[i].org8, org8) == 0) return true;
    return false;
}

ftz_rc demo_base_firm_ids(ftz_ctx *c, int64_t *ids)
{
    for (size_t i = 0; i < FTZ_COUNTOF(firms); i++) {
        char code[19];
        demo_credit_code(firms[i].org8, code);
        ftz_rc rc = firm_find_by_code(c, code, &ids[i]);
        if (rc) return rc;
    }
    return FTZ_OK;
}

ftz_rc demo_depts_ensure(ftz_ctx *c)
{
    for (size_t i = 0; i < FTZ_COUNTOF(depts); i++) {
        int64_t id, parent = 0;
        ftz_rc rc = auth_dept_find(c, depts[i].code, &id);
        if (rc == FTZ_OK) continue;
        if (rc != FTZ_ENOTFOUND) return rc;
        ftz_err_init(&c->err, c->arena);
        if (depts[i].parent && (rc = auth_dept_find(c, depts[i].parent, &parent))) return rc;
        rc = auth_dept_create(c, depts[i].code, depts[i].zh, depts[i].ru, depts[i].en, parent, &id);
        if (rc) return rc;
    }
    return FTZ_OK;
}

ftz_rc demo_users_ensure(ftz_ctx *c, bool full)
{
    int64_t firm_ids[DEMO_NBASE_FIRMS];
    ftz_rc rc = demo_base_firm_ids(c, firm_ids);
    if (rc) return rc;
    for (size_t i = 0; i < FTZ_COUNTOF(users); i++) {
        if (users[i].full && !full) continue;
        int64_t uid, dept = 0;
        rc = auth_user_find(c, users[i].username, &uid);
        if (rc == FTZ_OK) continue;
        if (rc != FTZ_ENOTFOUND) return rc;
        ftz_err_init(&c->err, c->arena);
        if (users[i].dept && (rc = auth_dept_find(c, users[i].dept, &dept))) return rc;
        const char *roles[] = {users[i].role};
        auth_user_in in = {0};
        in.username = users[i].username;
        in.password = FTZ_DEMO_PASSWORD;
        in.display_name = users[i].name;
        in.roles = roles;
        in.nroles = 1;
        in.department_id = dept;
        in.firm_id = users[i].firm ? firm_ids[users[i].firm - 1] : 0;
        in.lang = strcmp(users[i].role, "station") == 0 ? "ru" : "zh";
        if ((rc = auth_user_create(c, &in, &uid))) return rc;
    }
    return FTZ_OK;
}

/* Departments, the cheap password hashing, the five firms, the accounts, and the
 * commissioner of the first three firms. */
static ftz_rc base_run(ftz_ctx *c)
{
    /* Demo databases hash at the minimum cost, so log-ins are instant. */
    json_t *cost = json_pack("{s:i,s:i}", "auth.argon2_opslimit", 1, "auth.argon2_memlimit_kib", 8);
    ftz_rc rc = ftz_setting_set_many(c, cost);
    json_decref(cost);
    if (rc) return rc;
    if ((rc = demo_depts_ensure(c))) return rc;
    int64_t invest;
    if ((rc = auth_dept_find(c, "INVEST", &invest))) return rc;
    int64_t firm_ids[DEMO_NBASE_FIRMS];
    for (size_t i = 0; i < FTZ_COUNTOF(firms); i++) {
        char code[19];
        demo_credit_code(firms[i].org8, code);
        firm_in in = {code, firms[i].zh, firms[i].ru, firms[i].en, "active", 0, invest};
        if ((rc = firm_create(c, &in, &firm_ids[i]))) return rc;
    }
    if ((rc = demo_users_ensure(c, false))) return rc;
    int64_t commissioner;
    if ((rc = auth_user_find(c, "commissioner", &commissioner))) return rc;
    /* The commissioner looks after the first three firms. */
    for (size_t i = 0; i < 3; i++) {
        json_t *f;
        if ((rc = firm_get(c, firm_ids[i], &f))) return rc;
        int64_t version = json_integer_value(json_object_get(f, "version"));
        json_decref(f);
        json_t *patch = json_pack("{s:I}", "commissioner_id", (json_int_t)commissioner);
        rc = firm_update(c, firm_ids[i], version, patch);
        json_decref(patch);
        if (rc) return rc;
    }
    return FTZ_OK;
}

/* Whether the database holds demands already (the history, or real use). */
static ftz_rc has_demands(ftz_ctx *c, bool *out)
{
    case_list_q q = {0};
    q.limit = 1;
    json_t *items;
    int64_t total = 0;
    ftz_rc rc = case_list(c, &demand_kind, &q, &items, &total);
    if (rc) return rc;
    json_decref(items);
    *out = total > 0;
    return FTZ_OK;
}

ftz_rc ftz_demo_run(ftz_ctx *c, bool minimal, bool *created)
{
    *created = false;
    int64_t id;
    ftz_rc rc = auth_dept_find(c, "ZONE", &id);
    if (rc != FTZ_OK && rc != FTZ_ENOTFOUND) return rc;
    ftz_err_init(&c->err, c->arena);
    if (rc == FTZ_ENOTFOUND) {
        if ((rc = base_run(c))) return rc;
        *created = true;
    }
    if (minimal) return FTZ_OK;
    bool present;
    if ((rc = has_demands(c, &present))) return rc;
    if (present) return FTZ_OK;
    if ((rc = demo_history_run(c))) return rc;
    *created = true;
    return FTZ_OK;
}

void ftz_demo_print_logins(void)
{
    printf("Demo log-ins (password for all: %s; admin: the one set at `ftz init`):\n",
           FTZ_DEMO_PASSWORD);
    for (size_t i = 0; i < FTZ_COUNTOF(users); i++)
        if (!users[i].full) printf("  %-13s %s\n", users[i].username, users[i].role);
    printf("With the history (`ftz demo` without --minimal) also:\n");
    for (size_t i = 0; i < FTZ_COUNTOF(users); i++)
        if (users[i].full)
            printf("  %-13s %s (%s)\n", users[i].username, users[i].role, users[i].dept);
    printf("  firm-001 …    firm accounts of every tenth generated firm (firm-001, firm-011, …)\n");
}
