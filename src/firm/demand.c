/* demand.c — enterprise demands (企业诉求) as a kind of the case engine: the closed loop of
 * domain/firm.md as one table of states and one of events, the deadline table, the value
 * sets, the routes under /api/v1/demands and the periodic reminder sweep. The engine
 * (src/case/) does the work; this file only declares. docs/internals/case.md shows the same
 * tables as prose — change both together. */
#include "core/ftz_setup.h"
#include "firm/demand.h"
#include "case/routes.h"
#include "core/jobs.h"
#include "http/http.h"

static const case_state_def states[] = {
    {"accepted", "已受理", "Принято", "Accepted", true, false},
    {"assessed", "已研判", "Оценено", "Assessed", true, true},
    {"dispatched", "已派单", "Направлено", "Dispatched", true, true},
    {"returned", "已退单", "Возвращено", "Returned", true, true},
    {"handling", "办理中", "В работе", "In progress", true, true},
    {"replied", "已答复", "Дан ответ", "Replied", true, false},
    {"closed", "已办结", "Закрыто", "Closed", false, false},
    {"merged", "已并单", "Объединено", "Merged", false, false},
};

#define OPEN_STATES  "accepted assessed dispatched returned handling replied"
#define CLOCK_STATES "assessed dispatched returned handling"

static const case_event_def events[] = {
    {"assess", "accepted", "assessed", "demand.assess", CASE_WHO_ANY, "研判", "Оценить", "Assess"},
    {"dispatch", "assessed", "dispatched", "demand.assess", CASE_WHO_ANY, "派单", "Направить",
     "Dispatch"},
    {"receive", "dispatched", "handling", "demand.handle", CASE_WHO_LEAD, "签收并联系企业",
     "Принять в работу", "Receive and contact the firm"},
    {"return", "dispatched handling", "returned", "demand.handle", CASE_WHO_LEAD, "退单", "Вернуть",
     "Return"},
    {"redispatch", "returned", "dispatched", "demand.assess", CASE_WHO_ANY, "改派", "Перенаправить",
     "Re-dispatch"},
    {"request_extension", "dispatched handling", NULL, "demand.handle", CASE_WHO_LEAD, "申请延期",
     "Запросить продление", "Request an extension"},
    {"grant_extension", "dispatched handling returned", NULL, "demand.assess", CASE_WHO_ANY,
     "批准延期", "Продлить срок", "Grant the extension"},
    {"refuse_extension", "dispatched handling returned", NULL, "demand.assess", CASE_WHO_ANY,
     "不予延期", "Отказать в продлении", "Refuse the extension"},
    {"reply", "handling", "replied", "demand.handle", CASE_WHO_LEAD, "答复", "Ответить", "Reply"},
    {"evaluate", "replied", "closed", "demand.evaluate", CASE_WHO_REQUESTER, "回访评价",
     "Оценить ответ", "Evaluate"},
    {"reopen", "closed", "handling", "demand.assess", CASE_WHO_ANY, "重新办理", "Возобновить",
     "Reopen"},
    {"reject", "accepted assessed returned", "closed", "demand.assess", CASE_WHO_ANY,
     "不予受理（超出范围）", "Закрыть как не относящееся", "Close as out of scope"},
    {"withdraw", "accepted assessed", "closed", "demand.file", CASE_WHO_REQUESTER, "撤回",
     "Отозвать", "Withdraw"},
    {"merge", "accepted assessed dispatched returned", "merged", "demand.assess", CASE_WHO_ANY,
     "并单", "Объединить", "Merge into another"},
    {"comment", OPEN_STATES, NULL, "demand.read", CASE_WHO_ANY, "备注", "Комментарий", "Comment"},
    {"remind", CLOCK_STATES, NULL, NULL, CASE_WHO_SYSTEM, "催办", "Напоминание", "Reminder"},
    {"escalate", CLOCK_STATES, NULL, NULL, CASE_WHO_SYSTEM, "督办升级", "Эскалация", "Escalation"},
};

/* Working days (domain/firm.md): emergencies the same day; enquiries and requests for help
 * 3; complaints 13; complex matters and suggestions 7–15. The first contact (response) is due
 * the working day after dispatch, the same day for urgent cases. */
static const case_deadline_def deadlines[] = {
    {"enquiry", "urgent", 0, 0},    {"enquiry", "high", 1, 2},     {"enquiry", "normal", 1, 3},
    {"help", "urgent", 0, 0},       {"help", "high", 1, 2},        {"help", "normal", 1, 3},
    {"complaint", "urgent", 0, 0},  {"complaint", "high", 1, 7},   {"complaint", "normal", 1, 13},
    {"suggestion", "urgent", 0, 0}, {"suggestion", "high", 1, 10}, {"suggestion", "normal", 1, 15},
    {"complex", "urgent", 0, 0},    {"complex", "high", 1, 7},     {"complex", "normal", 1, 15},
};

static const case_value_def categories[] = {
    {"enquiry", "咨询", "Консультация", "Enquiry"},
    {"help", "求助", "Просьба о помощи", "Request for help"},
    {"complaint", "投诉", "Жалоба", "Complaint"},
    {"suggestion", "建议", "Предложение", "Suggestion"},
    {"complex", "复杂事项", "Сложный вопрос", "Complex matter"},
};

static const case_value_def topics[] = {
    {"policy", "政策兑现", "Меры поддержки", "Policy support"},
    {"finance", "融资信贷", "Финансирование", "Financing"},
    {"labour", "用工招聘", "Кадры", "Labour and hiring"},
    {"approval", "审批许可", "Разрешения", "Approvals and permits"},
    {"customs", "通关物流", "Таможня и логистика", "Customs and logistics"},
    {"land", "用地规划", "Земля и планировка", "Land and planning"},
    {"utilities", "水电气暖", "Коммунальные услуги", "Utilities"},
    {"tax", "税费", "Налоги и сборы", "Tax and fees"},
    {"other", "其他", "Прочее", "Other"},
};

static const case_value_def priorities[] = {
    {"urgent", "紧急", "Срочно", "Urgent"},
    {"high", "较急", "Повышенный", "High"},
    {"normal", "一般", "Обычный", "Normal"},
};

static const case_value_def channels[] = {
    {"window", "服务大厅窗口", "Окно приёма", "Service hall window"},
    {"hotline", "服务热线", "Горячая линия", "Hotline"},
    {"visit", "领导走访", "Визит руководителя", "Leader visit"},
    {"salon", "政企沙龙", "Деловой салон", "Enterprise salon"},
    {"online", "网上诉求", "Онлайн", "Online portal"},
    {"station", "驻俄驿站", "Представительство в России", "Overseas station"},
    {"commissioner", "首席服务专员", "Уполномоченный", "Chief service commissioner"},
};

const case_kind demand_kind = {
    .kind = "demand",
    .code_prefix = "SQ",
    .perm_read = "demand.read",
    .perm_file = "demand.file",
    .initial = "accepted",
    .states = states,
    .nstates = FTZ_COUNTOF(states),
    .events = events,
    .nevents = FTZ_COUNTOF(events),
    .deadlines = deadlines,
    .ndeadlines = FTZ_COUNTOF(deadlines),
    .categories = categories,
    .ncategories = FTZ_COUNTOF(categories),
    .topics = topics,
    .ntopics = FTZ_COUNTOF(topics),
    .priorities = priorities,
    .npriorities = FTZ_COUNTOF(priorities),
    .channels = channels,
    .nchannels = FTZ_COUNTOF(channels),
    .setting_intake_dept = "demand.intake_dept",
    .setting_escalate_dept = "demand.escalate_dept",
};

/* ---- routes: the engine's handlers bound to this kind ---- */

static void h_list(ftz_ctx *c)
{
    case_h_list(c, &demand_kind);
}
static void h_file(ftz_ctx *c)
{
    case_h_file(c, &demand_kind, "/api/v1/demands");
}
static void h_get(ftz_ctx *c)
{
    case_h_get(c, &demand_kind);
}
static void h_event(ftz_ctx *c)
{
    case_h_event(c, &demand_kind);
}
static void h_figures(ftz_ctx *c)
{
    case_h_figures(c, &demand_kind);
}
static void h_kind(ftz_ctx *c)
{
    case_h_kind(c, &demand_kind);
}

const ftz_route demand_routes[] = {
    {"GET", "/api/v1/demands", h_list, "demand.read", FTZ_ROUTE_EXPORT, 0},
    {"POST", "/api/v1/demands", h_file, "demand.file", 0, 0},
    {"GET", "/api/v1/demands/figures", h_figures, "demand.read", FTZ_ROUTE_EXPORT, 0},
    {"GET", "/api/v1/demands/machine", h_kind, "demand.read", 0, 0},
    {"GET", "/api/v1/demands/{id}", h_get, "demand.read", 0, 0},
    {"POST", "/api/v1/demands/{id}/events", h_event, "demand.read", 0, 0},
};
const size_t demand_nroutes = FTZ_COUNTOF(demand_routes);

/* ---- the periodic sweep: reminders and escalations, once per hour across instances ---- */

static ftz_rc run_sweep(ftz_ctx *c, ftz_job *job)
{
    return case_sweep_job(c, job, &demand_kind);
}

static const ftz_job_kind sweep_kind = {"demand.sweep", run_sweep, NULL, FTZ_JOB_HOURLY, false};

void demand_init(void)
{
    ftz_jobs_register(&sweep_kind);
}
