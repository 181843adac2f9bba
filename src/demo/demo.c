/* demo.c — the demonstration data of the Heihe area (see demo.h). Names come from the zone's
 * own report (../shared/seed): the firms it names, its departments and the overseas station.
 * Credit codes are made valid with the GB 32100/GB 11714 check characters (Heihe's
 * administrative division code is 231100); they are not the real firms' codes. */
#include "core/ftz_setup.h"
#include "demo/demo.h"
#include "auth/auth.h"
#include "core/arena.h"
#include "core/settings.h"
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
};

static const struct {
    const char *org8, *zh, *ru, *en;
} firms[] = {
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

static const struct {
    const char *username, *name, *role, *dept;
    int firm; /* index into firms + 1, 0 none */
} users[] = {
    {"leader", "王主任", "leader", "ZONE", 0},
    {"staff", "李招商", "staff", "INVEST", 0},
    {"commissioner", "张专员", "commissioner", "BIZENV", 0},
    {"customs", "赵关员", "customs", "CUSTOMS", 0},
    {"postal", "刘邮政", "postal", "POST", 0},
    {"station", "Иван Петров", "station", "STATION", 0},
    {"firm", "品优公司", "firm", NULL, 1},
};

/* A valid credit code: 9 (registration: market regulator) 1 (company) 231100 (Heihe) +
 * organisation code (8 + its check) + the outer check. */
static void credit_code(const char *org8, char out[19])
{
    char first17[18];
    snprintf(first17, sizeof first17, "91231100%s%c", org8, firm_orgcode_check_char(org8));
    snprintf(out, 19, "%s%c", first17, firm_uscc_check_char(first17));
}

ftz_rc ftz_demo_run(ftz_ctx *c, bool *created)
{
    *created = false;
    int64_t id;
    ftz_rc rc = auth_dept_find(c, "ZONE", &id);
    if (rc == FTZ_OK) return FTZ_OK;
    if (rc != FTZ_ENOTFOUND) return rc;
    ftz_err_init(&c->err, c->arena);

    /* Demo databases hash at the minimum cost, so log-ins are instant. */
    json_t *cost = json_pack("{s:i,s:i}", "auth.argon2_opslimit", 1, "auth.argon2_memlimit_kib", 8);
    rc = ftz_setting_set_many(c, cost);
    json_decref(cost);
    if (rc) return rc;

    int64_t dept_ids[FTZ_COUNTOF(depts)];
    for (size_t i = 0; i < FTZ_COUNTOF(depts); i++) {
        int64_t parent = 0;
        for (size_t k = 0; k < i; k++)
            if (depts[i].parent && strcmp(depts[k].code, depts[i].parent) == 0)
                parent = dept_ids[k];
        rc = auth_dept_create(c, depts[i].code, depts[i].zh, depts[i].ru, depts[i].en, parent,
                              &dept_ids[i]);
        if (rc) return rc;
    }
    int64_t firm_ids[FTZ_COUNTOF(firms)];
    for (size_t i = 0; i < FTZ_COUNTOF(firms); i++) {
        char code[19];
        credit_code(firms[i].org8, code);
        firm_in in = {code, firms[i].zh, firms[i].ru, firms[i].en, "active", 0, dept_ids[1]};
        rc = firm_create(c, &in, &firm_ids[i]);
        if (rc) return rc;
    }
    int64_t commissioner = 0;
    for (size_t i = 0; i < FTZ_COUNTOF(users); i++) {
        const char *roles[] = {users[i].role};
        int64_t dept = 0;
        for (size_t k = 0; users[i].dept && k < FTZ_COUNTOF(depts); k++)
            if (strcmp(depts[k].code, users[i].dept) == 0) dept = dept_ids[k];
        auth_user_in in = {0};
        in.username = users[i].username;
        in.password = FTZ_DEMO_PASSWORD;
        in.display_name = users[i].name;
        in.roles = roles;
        in.nroles = 1;
        in.department_id = dept;
        in.firm_id = users[i].firm ? firm_ids[users[i].firm - 1] : 0;
        in.lang = strcmp(users[i].role, "station") == 0 ? "ru" : "zh";
        int64_t uid;
        rc = auth_user_create(c, &in, &uid);
        if (rc) return rc;
        if (strcmp(users[i].role, "commissioner") == 0) commissioner = uid;
    }
    /* The commissioner looks after the first three firms. */
    for (size_t i = 0; i < 3 && commissioner; i++) {
        json_t *f;
        rc = firm_get(c, firm_ids[i], &f);
        if (rc) return rc;
        int64_t version = json_integer_value(json_object_get(f, "version"));
        json_decref(f);
        json_t *patch = json_pack("{s:I}", "commissioner_id", (json_int_t)commissioner);
        rc = firm_update(c, firm_ids[i], version, patch);
        json_decref(patch);
        if (rc) return rc;
    }
    *created = true;
    return FTZ_OK;
}

void ftz_demo_print_logins(void)
{
    printf("Demo log-ins (password for all: %s; admin: the one set at `ftz init`):\n",
           FTZ_DEMO_PASSWORD);
    for (size_t i = 0; i < FTZ_COUNTOF(users); i++)
        printf("  %-13s %s\n", users[i].username, users[i].role);
}
