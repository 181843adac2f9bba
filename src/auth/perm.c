/* perm.c — the permission catalogue and the built-in roles (DESIGN.md §7).
 *
 * Every permission a route may declare is listed here once, with its names in three
 * languages for the roles screen. The built-in roles are seeded from this table by
 * auth_roles_seed (roles.c) and stay editable by an admin afterwards. */
#include "core/ftz_setup.h"
#include "auth/auth.h"
#include "auth/internal.h"

#include <string.h>

static const auth_perm_def perms[] = {
    {"audit.read", "查看审计日志", "Просмотр журнала аудита", "Read the audit trail"},
    {"auth.dept.admin", "管理部门", "Управление отделами", "Manage departments"},
    {"auth.dept.read", "查看部门", "Просмотр отделов", "Read departments"},
    {"auth.role.admin", "管理角色与权限", "Управление ролями и правами",
     "Manage roles and permissions"},
    {"auth.role.read", "查看角色", "Просмотр ролей", "Read roles"},
    {"auth.token.admin", "管理所有 API 令牌", "Управление всеми API-токенами",
     "Manage every API token"},
    {"auth.token.create", "创建自己的 API 令牌", "Создание своих API-токенов",
     "Create own API tokens"},
    {"auth.user.admin", "管理用户", "Управление пользователями", "Manage users"},
    {"auth.user.read", "查看用户", "Просмотр пользователей", "Read users"},
    {"demand.assess", "诉求研判、派单、改派、并单", "Оценка и направление обращений",
     "Assess, dispatch, re-dispatch and merge demands"},
    {"demand.evaluate", "诉求回访评价", "Оценка ответа на обращение", "Evaluate demands' replies"},
    {"demand.file", "提交企业诉求", "Подача обращений предприятий", "File enterprise demands"},
    {"demand.handle", "承办企业诉求（签收、答复、退单、申请延期）",
     "Исполнение обращений (приём, ответ, возврат, продление)",
     "Handle demands (receive, reply, return, ask for an extension)"},
    {"demand.read", "查看企业诉求", "Просмотр обращений предприятий", "Read enterprise demands"},
    {"files.read", "查看文件", "Просмотр файлов", "Read files"},
    {"files.upload", "上传文件", "Загрузка файлов", "Upload files"},
    {"financing.admin", "管理银行融资产品", "Управление банковскими продуктами",
     "Manage banks' financing products"},
    {"financing.match", "融资对接（推荐产品、登记获批结果）",
     "Подбор финансирования (продукты, результат)",
     "Match financing (propose products, record the outcome)"},
    {"financing.need", "登记企业融资需求（本企业或辖区内）",
     "Заявка на финансирование (своё предприятие или в зоне ответственности)",
     "Record financing needs (its own firm, or within scope)"},
    {"financing.read", "查看融资需求、对接与融资金额", "Просмотр финансирования",
     "Read financing needs, matches and figures"},
    {"firm.admin", "管理企业名录", "Управление реестром предприятий", "Manage the firm registry"},
    {"firm.assign", "分配、改派首席服务专员，维护专员档案",
     "Назначение и замена главных уполномоченных, их профили",
     "Assign and reassign chief service commissioners, edit their profiles"},
    {"firm.edit", "编辑企业信息（本企业或辖区内）", "Правка сведений о предприятии",
     "Edit firm details (its own firm, or within scope)"},
    {"firm.package", "办理企业开办大礼包事项", "Ведение стартового пакета предприятия",
     "Work on firms' start-up package items"},
    {"firm.read", "查看企业", "Просмотр предприятий", "Read firms"},
    {"firm.workspace", "首席服务专员工作台", "Рабочее место уполномоченного",
     "The commissioner's workspace"},
    {"jobs.admin", "管理后台任务", "Управление фоновыми задачами", "Manage background jobs"},
    {"settings.admin", "修改系统设置", "Изменение настроек", "Change settings"},
    {"settings.read", "查看系统设置", "Просмотр настроек", "Read settings"},
    {"visit.read", "查看领导走访与政企沙龙", "Просмотр визитов и деловых салонов",
     "Read leader visits and enterprise salons"},
    {"visit.write", "登记领导走访、政企沙龙及其提出的诉求",
     "Запись визитов, салонов и поднятых вопросов",
     "Record leader visits, salons and the issues raised there"},
    {"window.evaluate", "办不成事窗口回访核实", "Проверка решения с заявителем (окно)",
     "Verify window cases with the applicant"},
    {"window.file", "向办不成事窗口反映", "Обращение в окно «не удалось решить»",
     "File at the can't-get-it-done window"},
    {"window.handle", "办理办不成事窗口案件（分类、转办、升级、办结）",
     "Ведение дел окна (классификация, передача, решение)",
     "Handle window cases (classify, transfer, raise, close)"},
    {"window.read", "查看办不成事窗口案件和案例库", "Просмотр дел окна и библиотеки случаев",
     "Read window cases and the case library"},
    {"window.supervise", "审批否定答复、延期、重新办理（窗口）",
     "Одобрение отказов, продлений, возобновлений (окно)",
     "Approve refusals, extensions and reopening (window)"},

};

const auth_perm_def *auth_perms(size_t *n)
{
    *n = FTZ_COUNTOF(perms);
    return perms;
}

bool auth_perm_known(const char *name)
{
    for (size_t i = 0; i < FTZ_COUNTOF(perms); i++)
        if (strcmp(perms[i].name, name) == 0) return true;
    return false;
}

/* Built-in roles: name, titles, default scope, permissions ("*" = every permission). */
static const char *const p_admin[] = {"*", NULL};
static const char *const p_leader[] = {
    "audit.read",       "auth.dept.read", "auth.role.read", "demand.read",   "auth.token.create",
    "auth.user.read",   "files.read",     "firm.read",      "settings.read", "window.read",
    "window.supervise", "financing.read", "visit.read",     "visit.write",   NULL};
static const char *const p_staff[] = {"auth.dept.read",
                                      "auth.token.create",
                                      "demand.evaluate",
                                      "demand.file",
                                      "demand.handle",
                                      "demand.read",
                                      "files.read",
                                      "files.upload",
                                      "firm.edit",
                                      "firm.package",
                                      "firm.read",
                                      "window.handle",
                                      "window.read",
                                      "financing.match",
                                      "financing.need",
                                      "financing.read",
                                      "visit.read",
                                      "visit.write",
                                      NULL};
static const char *const p_commissioner[] = {"auth.dept.read",  "demand.evaluate", "demand.file",
                                             "demand.read",     "files.read",      "files.upload",
                                             "firm.edit",       "firm.package",    "firm.read",
                                             "firm.workspace",  "window.file",     "window.read",
                                             "financing.match", "financing.need",  "financing.read",
                                             "visit.read",      "visit.write",     NULL};
static const char *const p_officer[] = {"auth.dept.read", "auth.token.create", "files.read",
                                        "files.upload",   "firm.read",         NULL};
static const char *const p_station[] = {
    "auth.dept.read", "auth.token.create", "demand.file", "demand.read",
    "files.read",     "files.upload",      "firm.read",   NULL};
static const char *const p_dispatcher[] = {"auth.dept.read", "auth.token.create",
                                           "demand.assess",  "demand.evaluate",
                                           "demand.file",    "demand.read",
                                           "files.read",     "files.upload",
                                           "firm.read",      "window.handle",
                                           "window.read",    "window.supervise",
                                           "visit.read",     NULL};
static const char *const p_window[] = {"auth.dept.read", "auth.token.create", "demand.file",
                                       "demand.read",    "files.read",        "files.upload",
                                       "firm.read",      "window.evaluate",   "window.file",
                                       "window.handle",  "window.read",       NULL};
static const char *const p_firm[] = {"auth.token.create", "demand.evaluate",
                                     "demand.file",       "demand.read",
                                     "files.read",        "files.upload",
                                     "firm.edit",         "firm.read",
                                     "window.evaluate",   "window.file",
                                     "window.read",       "financing.need",
                                     "financing.read",    NULL};

const auth_role_def auth_builtin_roles[] = {
    {"admin", "系统管理员", "Администратор", "Administrator", FTZ_SCOPE_ALL, p_admin},
    {"leader", "片区领导", "Руководитель", "Leader", FTZ_SCOPE_ALL, p_leader},
    {"staff", "工作人员", "Сотрудник", "Staff", FTZ_SCOPE_DEPT_TREE, p_staff},
    {"commissioner", "首席服务专员", "Главный уполномоченный по обслуживанию",
     "Chief service commissioner", FTZ_SCOPE_OWN_FIRMS, p_commissioner},
    {"customs", "海关关员", "Таможенный инспектор", "Customs officer", FTZ_SCOPE_ALL, p_officer},
    {"postal", "邮政互换局", "Сотрудник почты", "Postal officer", FTZ_SCOPE_ALL, p_officer},
    {"station", "驻俄政务服务驿站", "Представительство в России", "Overseas station",
     FTZ_SCOPE_DEPT_TREE, p_station},
    {"window", "办不成事窗口", "Окно «не удалось решить»", "Can't-get-it-done window",
     FTZ_SCOPE_ALL, p_window},
    {"dispatcher", "诉求统筹（派单员）", "Диспетчер обращений", "Demand dispatcher", FTZ_SCOPE_ALL,
     p_dispatcher},
    {"firm", "企业用户", "Предприятие", "Enterprise", FTZ_SCOPE_OWN_FIRM, p_firm},
};
const size_t auth_nbuiltin_roles = FTZ_COUNTOF(auth_builtin_roles);
