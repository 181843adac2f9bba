/* window.c — the "can't-get-it-done" window (办不成事窗口) as a kind of the case engine
 * (domain/firm.md): for applicants who met the conditions but whose matter failed or was
 * refused, or who had to come back again and again. Accept → classify → transfer → close →
 * feed back → verify → archive, on an escalation ladder (settled at the window; departments
 * within 3–5 working days; joint review within 7–10; the business-environment office for the
 * hardest, with the reasons reported back). No "no" without a refusal report a supervisor
 * approved; every closed case files its root cause in the case library. This file only
 * declares; src/case/ does the work (docs/internals/case.md, docs/internals/firm.md). */
#include "core/ftz_setup.h"
#include "firm/window.h"
#include "case/routes.h"
#include "core/arena.h"
#include "core/jobs.h"
#include "http/http.h"

#include <string.h>

static const case_state_def states[] = {
    {"accepted", "已受理", "Принято", "Accepted", true, false},
    {"assessed", "已分类", "Классифицировано", "Classified", true, true},
    {"dispatched", "已转办", "Передано", "Transferred", true, true},
    {"returned", "已退回", "Возвращено", "Returned", true, true},
    {"handling", "办理中", "В работе", "In progress", true, true},
    {"replied", "已办结待核实", "Решено, ждёт проверки", "Closed, to verify", true, false},
    {"closed", "已结案", "Закрыто", "Closed", false, false},
    {"archived", "已归档", "В архиве", "Archived", false, false},
    {"merged", "已并案", "Объединено", "Merged", false, false},
};

#define OPEN  "accepted assessed dispatched returned handling replied"
#define CLOCK "assessed dispatched returned handling"

static const case_event_def events[] = {
    {"assess", "accepted", "assessed", "window.handle", CASE_WHO_ANY, "分类", "Классифицировать",
     "Classify"},
    {"settle", "accepted assessed", "replied", "window.handle", CASE_WHO_ANY, "窗口当场办结",
     "Решить на месте", "Settle at the window"},
    {"dispatch", "assessed", "dispatched", "window.handle", CASE_WHO_ANY, "转办", "Передать",
     "Transfer"},
    {"receive", "dispatched", "handling", "window.handle", CASE_WHO_LEAD, "签收", "Принять",
     "Receive"},
    {"return", "dispatched handling", "returned", "window.handle", CASE_WHO_LEAD, "退回", "Вернуть",
     "Return"},
    {"redispatch", "returned", "dispatched", "window.handle", CASE_WHO_ANY, "改派", "Перенаправить",
     "Re-transfer"},
    {"raise", "assessed dispatched returned handling", "dispatched", "window.handle", CASE_WHO_ANY,
     "升级（上一级协调）", "Поднять на уровень выше", "Raise a level"},
    {"request_extension", "dispatched handling", NULL, "window.handle", CASE_WHO_LEAD, "申请延期",
     "Запросить продление", "Request an extension"},
    {"grant_extension", "dispatched handling returned", NULL, "window.supervise", CASE_WHO_ANY,
     "批准延期", "Продлить срок", "Grant the extension"},
    {"refuse_extension", "dispatched handling returned", NULL, "window.supervise", CASE_WHO_ANY,
     "不予延期", "Отказать в продлении", "Refuse the extension"},
    {"reply", "handling", "replied", "window.handle", CASE_WHO_LEAD, "办结并反馈",
     "Решить и сообщить", "Close and feed back"},
    {"request_refusal", "accepted assessed dispatched handling", NULL, "window.handle",
     CASE_WHO_ANY, "提交否定答复报告", "Подать отчёт об отказе", "Report a refusal"},
    {"approve_refusal", "accepted assessed dispatched handling", NULL, "window.supervise",
     CASE_WHO_ANY, "批准否定答复", "Одобрить отказ", "Approve the refusal"},
    {"reject_refusal", "accepted assessed dispatched handling", NULL, "window.supervise",
     CASE_WHO_ANY, "驳回否定答复", "Отклонить отказ", "Reject the refusal"},
    {"refuse", "accepted assessed dispatched handling", "closed", "window.handle", CASE_WHO_ANY,
     "否定答复并办结", "Отказать и закрыть", "Refuse and close"},
    {"evaluate", "replied", "closed", "window.evaluate", CASE_WHO_REQUESTER, "回访核实",
     "Проверить с заявителем", "Verify with the applicant"},
    {"reopen", "closed", "handling", "window.supervise", CASE_WHO_ANY, "重新办理", "Возобновить",
     "Reopen"},
    {"archive", "closed", "archived", "window.handle", CASE_WHO_ANY, "归档", "В архив", "Archive"},
    {"reject", "accepted assessed", "closed", "window.handle", CASE_WHO_ANY,
     "不属受理范围（诉讼、信访、违法违规诉求）", "Не принимается (суд, жалоба, против закона)",
     "Outside the window (litigation, petition, against law or policy)"},
    {"withdraw", "accepted assessed", "closed", "window.file", CASE_WHO_REQUESTER, "撤回",
     "Отозвать", "Withdraw"},
    {"merge", "accepted assessed dispatched returned", "merged", "window.handle", CASE_WHO_ANY,
     "并案", "Объединить", "Merge into another"},
    {"comment", OPEN, NULL, "window.read", CASE_WHO_ANY, "备注", "Комментарий", "Comment"},
    {"remind", CLOCK, NULL, NULL, CASE_WHO_SYSTEM, "催办", "Напоминание", "Reminder"},
    {"escalate", CLOCK, NULL, NULL, CASE_WHO_SYSTEM, "督办升级", "Эскалация", "Escalation"},
};

/* The ladder (categories in order) and its limits in working days (domain/firm.md): simple
 * cases the same day at the window; departments 3–5; joint review / one case, one decision
 * 7–10; the business-environment office for the hardest. Urgent cases take the shorter end. */
static const case_value_def levels[] = {
    {"window", "窗口办结", "На месте", "Settled at the window"},
    {"department", "部门协调", "Отделы", "Departments"},
    {"joint", "联合会商（一事一议）", "Совместное рассмотрение", "Joint review"},
    {"bizenv", "营商环境局研判", "Бюро деловой среды", "Business Environment Office"},
};

static const case_deadline_def deadlines[] = {
    {"window", "urgent", 0, 0},     {"window", "normal", 0, 0},  {"department", "urgent", 1, 3},
    {"department", "normal", 1, 5}, {"joint", "urgent", 1, 7},   {"joint", "normal", 1, 10},
    {"bizenv", "urgent", 1, 10},    {"bizenv", "normal", 1, 15},
};

static const case_value_def kinds[] = {
    {"consultation", "咨询", "Консультация", "Consultation"},
    {"problem", "问题", "Проблема", "Problem"},
};

static const case_value_def priorities[] = {
    {"urgent", "紧急", "Срочно", "Urgent"},
    {"normal", "一般", "Обычный", "Normal"},
};

static const case_value_def channels[] = {
    {"window", "办不成事窗口", "Окно «не удалось решить»", "Can't-get-it-done window"},
    {"hotline", "服务热线", "Горячая линия", "Hotline"},
    {"online", "网上反映", "Онлайн", "Online"},
    {"station", "驻俄驿站", "Представительство в России", "Overseas station"},
};

/* Why a matter failed: what the library is searched by, so that a failure met twice is fixed
 * once. */
static const case_value_def root_causes[] = {
    {"policy_gap", "政策空白或不明确", "Пробел или неясность в правилах",
     "Policy gap or unclear rule"},
    {"process", "流程繁琐或环节重复", "Громоздкая процедура", "Cumbersome or repeated steps"},
    {"materials", "材料要求不清或重复提交", "Неясные или повторные документы",
     "Unclear or repeated paperwork"},
    {"system", "系统或数据不通", "Системы или данные не связаны", "Systems or data not connected"},
    {"coordination", "部门协同不畅", "Несогласованность отделов", "Departments not coordinated"},
    {"attitude", "服务态度或作风问题", "Отношение к заявителю", "Service attitude"},
    {"capacity", "人员或能力不足", "Нехватка людей или навыков", "Staffing or skills"},
    {"applicant", "申请人条件不符或理解有误", "Условия заявителя не выполнены",
     "Applicant's conditions not met or misunderstood"},
    {"other", "其他", "Прочее", "Other"},
};

const case_kind window_kind = {
    .kind = "window",
    .code_prefix = "BC",
    .perm_read = "window.read",
    .perm_file = "window.file",
    .initial = "accepted",
    .states = states,
    .nstates = FTZ_COUNTOF(states),
    .events = events,
    .nevents = FTZ_COUNTOF(events),
    .deadlines = deadlines,
    .ndeadlines = FTZ_COUNTOF(deadlines),
    .categories = levels,
    .ncategories = FTZ_COUNTOF(levels),
    .topics = kinds,
    .ntopics = FTZ_COUNTOF(kinds),
    .priorities = priorities,
    .npriorities = FTZ_COUNTOF(priorities),
    .channels = channels,
    .nchannels = FTZ_COUNTOF(channels),
    .setting_intake_dept = "window.intake_dept",
    .setting_escalate_dept = "demand.escalate_dept",
    .root_causes = root_causes,
    .nroot_causes = FTZ_COUNTOF(root_causes),
    .ladder = true,
};

static void h_list(ftz_ctx *c)
{
    case_h_list(c, &window_kind);
}
static void h_file(ftz_ctx *c)
{
    case_h_file(c, &window_kind, "/api/v1/window-cases");
}
static void h_get(ftz_ctx *c)
{
    case_h_get(c, &window_kind);
}
static void h_event(ftz_ctx *c)
{
    case_h_event(c, &window_kind);
}
static void h_figures(ftz_ctx *c)
{
    case_h_figures(c, &window_kind);
}
static void h_kind(ftz_ctx *c)
{
    case_h_kind(c, &window_kind);
}
static void h_library(ftz_ctx *c)
{
    case_h_library(c, &window_kind);
}

const ftz_route window_routes[] = {
    {"GET", "/api/v1/window-cases", h_list, "window.read", FTZ_ROUTE_EXPORT, 0},
    {"POST", "/api/v1/window-cases", h_file, "window.file", 0, 0},
    {"GET", "/api/v1/window-cases/figures", h_figures, "window.read", FTZ_ROUTE_EXPORT, 0},
    {"GET", "/api/v1/window-cases/machine", h_kind, "window.read", 0, 0},
    {"GET", "/api/v1/window-cases/library", h_library, "window.read", FTZ_ROUTE_EXPORT, 0},
    {"GET", "/api/v1/window-cases/{id}", h_get, "window.read", 0, 0},
    {"POST", "/api/v1/window-cases/{id}/events", h_event, "window.read", 0, 0},
};
const size_t window_nroutes = FTZ_COUNTOF(window_routes);

static ftz_rc run_sweep(ftz_ctx *c, ftz_job *job)
{
    return case_sweep_job(c, job, &window_kind);
}

static const ftz_job_kind sweep_kind = {"window.sweep", run_sweep, NULL, FTZ_JOB_HOURLY, false};

void window_init(void)
{
    ftz_jobs_register(&sweep_kind);
}
