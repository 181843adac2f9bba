/* i18n.c — the server's message catalogue (see i18n.h). One table, so a test can check that
 * every key has all three languages. */
#include "core/ftz_setup.h"
#include "core/i18n.h"
#include "core/arena.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

typedef struct {
    const char *key, *zh, *ru, *en;
} msg;

static const msg catalogue[] = {
    /* problem titles by status */
    {"status.400", "请求无法解析", "Запрос не удалось разобрать", "Bad request"},
    {"status.401", "需要登录", "Требуется вход", "Authentication required"},
    {"status.403", "没有权限", "Доступ запрещён", "Forbidden"},
    {"status.404", "未找到", "Не найдено", "Not found"},
    {"status.405", "不支持的方法", "Метод не поддерживается", "Method not allowed"},
    {"status.409", "冲突", "Конфликт", "Conflict"},
    {"status.412", "记录已被他人修改", "Запись изменена другим пользователем",
     "Precondition failed"},
    {"status.413", "内容过大", "Слишком большой объём", "Content too large"},
    {"status.415", "不支持的内容类型", "Неподдерживаемый тип содержимого",
     "Unsupported media type"},
    {"status.422", "输入有误", "Ошибка во входных данных", "Unprocessable content"},
    {"status.429", "请求过于频繁", "Слишком много запросов", "Too many requests"},
    {"status.500", "服务器内部错误", "Внутренняя ошибка сервера", "Internal server error"},
    {"status.503", "服务暂不可用", "Сервис временно недоступен", "Service unavailable"},
    /* details */
    {"invalid_fields", "有字段不符合规则", "Некоторые поля не соответствуют правилам",
     "Some fields break a rule"},
    {"bad_json", "请求体不是合法的 JSON：%s", "Тело запроса не является корректным JSON: %s",
     "The body is not valid JSON: %s"},
    {"not_object", "请求体必须是 JSON 对象", "Тело запроса должно быть объектом JSON",
     "The body must be a JSON object"},
    {"too_deep", "JSON 嵌套超过 %s 层", "Вложенность JSON превышает %s уровней",
     "JSON nesting exceeds %s levels"},
    {"body_too_large", "请求体超过 %s 字节", "Тело запроса превышает %s байт",
     "The body exceeds %s bytes"},
    {"media_type", "内容类型应为 %s", "Тип содержимого должен быть %s",
     "The content type must be %s"},
    {"bad_utf8", "文本不是合法的 UTF-8", "Текст не является корректным UTF-8",
     "The text is not valid UTF-8"},
    {"query_too_long", "查询字符串超过 %s 字节", "Строка запроса длиннее %s байт",
     "The query string exceeds %s bytes"},
    {"bad_query", "查询字符串编码有误或不是合法的 UTF-8",
     "Строка запроса закодирована неверно или не в UTF-8",
     "The query string is badly encoded or not valid UTF-8"},
    {"not_found", "记录不存在", "Запись не найдена", "No such record"},
    {"no_route", "没有这个接口", "Такого адреса нет", "No such endpoint"},
    {"method", "该接口只支持 %s", "Этот адрес поддерживает только %s",
     "This endpoint supports only %s"},
    {"login_required", "请先登录", "Сначала войдите в систему", "Please log in first"},
    {"session_expired", "会话已过期，请重新登录", "Сеанс истёк, войдите снова",
     "The session has expired; please log in again"},
    {"bad_token", "API 令牌无效、已过期或已吊销", "API-токен недействителен, истёк или отозван",
     "The API token is invalid, expired or revoked"},
    {"csrf", "缺少或错误的 X-CSRF-Token", "Отсутствует или неверен X-CSRF-Token",
     "Missing or wrong X-CSRF-Token"},
    {"permission", "需要权限 %s", "Требуется право %s", "Permission %s is required"},
    {"bad_login", "用户名或密码错误", "Неверное имя пользователя или пароль",
     "Wrong user name or password"},
    {"throttled", "尝试次数过多，请 %s 秒后再试", "Слишком много попыток, повторите через %s с",
     "Too many attempts; try again in %s seconds"},
    {"stale", "记录已被修改（当前版本 %s），请刷新后重试",
     "Запись изменена (текущая версия %s), обновите и повторите",
     "The record has changed (current version %s); reload and retry"},
    {"duplicate", "已存在相同的 %s", "Такое значение %s уже существует",
     "A record with this %s already exists"},
    {"conflict", "操作与当前状态冲突：%s", "Действие противоречит текущему состоянию: %s",
     "The action conflicts with the current state: %s"},
    {"internal", "服务器内部错误，请求编号见 X-Request-Id",
     "Внутренняя ошибка сервера, номер запроса в X-Request-Id",
     "Internal server error; see X-Request-Id"},
    {"db", "数据库暂不可用", "База данных временно недоступна", "The database is not available"},
    {"too_many_connections", "连接数已满", "Слишком много соединений", "Too many connections"},
    {"file_type", "不接受的文件类型：%s", "Недопустимый тип файла: %s",
     "File type not accepted: %s"},
    {"has_dependents", "仍有 %s 引用此记录", "На запись ещё ссылаются: %s",
     "The record is still referred to by %s"},
    {"self_disable", "不能停用自己的账号", "Нельзя отключить собственную учётную запись",
     "You cannot disable your own account"},
    {"export_bad_value", "导出数据有误：%s", "Ошибка в данных выгрузки: %s",
     "A value does not fit its export column: %s"},
    {"export_too_many_rows", "导出行数超过上限 %s", "Слишком много строк для выгрузки: %s",
     "Too many rows to export: %s"},
    {"export_too_big", "导出文件过大", "Файл выгрузки слишком велик", "The export is too large"},
    {"export_cell_too_long", "单元格内容超过 Excel 上限：%s", "Ячейка длиннее предела Excel: %s",
     "A cell exceeds the Excel limit: %s"},
    {"export_io", "导出文件写入失败", "Не удалось записать файл выгрузки",
     "Writing the export file failed"},
    {"export_bad_format", "不支持的导出格式 %s（可用 xlsx、csv）",
     "Неподдерживаемый формат выгрузки %s (xlsx, csv)", "Unsupported export format %s (xlsx, csv)"},
    /* field rules */
    {"required", "必填", "Обязательное поле", "Required"},
    {"type", "类型应为 %s", "Ожидается тип %s", "Must be of type %s"},
    {"unknown", "未知字段", "Неизвестное поле", "Unknown field"},
    {"too_long", "最多 %s 个字符", "Не более %s символов", "At most %s characters"},
    {"too_short", "至少 %s 个字符", "Не менее %s символов", "At least %s characters"},
    {"too_many", "最多 %s 项", "Не более %s элементов", "At most %s items"},
    {"range", "超出允许范围 %s", "Вне допустимого диапазона %s", "Out of range %s"},
    {"format", "格式不正确：%s", "Неверный формат: %s", "Wrong format: %s"},
    {"check_digit", "校验码不正确", "Неверная контрольная цифра", "Wrong check character"},
    {"enum", "取值应为 %s 之一", "Допустимые значения: %s", "Must be one of %s"},
    {"exists", "已被使用", "Уже используется", "Already taken"},
    {"no_such", "引用的记录不存在", "Запись, на которую ссылаются, не найдена",
     "The referenced record does not exist"},
    {"same_as_username", "密码不能与用户名相同", "Пароль не должен совпадать с именем",
     "The password must differ from the user name"},
    {"wrong_password", "当前密码不正确", "Текущий пароль неверен", "The current password is wrong"},
    {"not_held", "不能授予自己没有的权限 %s", "Нельзя выдать право, которого нет: %s",
     "Cannot grant a permission you do not hold: %s"},
    {"cycle", "不能把部门移到它自己的下级", "Нельзя переместить отдел в его же подотдел",
     "A department cannot move under itself"},
    {"case_transition", "当前状态不允许此操作：%s", "Действие недоступно в текущем состоянии: %s",
     "The current state does not allow this: %s"},
    {"case_not_lead", "只有主办部门可以办理此事项", "Это может сделать только ответственный отдел",
     "Only the lead department may do this"},
    {"case_not_requester", "只有提出诉求的企业可以评价",
     "Оценить может только подавшее предприятие", "Only the firm that filed it may do this"},
    {"case_system", "该操作只能由系统执行", "Это действие выполняет только система",
     "Only the system does this"},
    {"case_pending", "已有待审批的延期申请", "Запрос на продление уже ожидает решения",
     "An extension request is already pending"},
    {"case_none_pending", "没有待审批的延期申请", "Нет запроса на продление",
     "No extension request is pending"},
    {"case_deadline_past", "时限已过，不能再申请延期", "Срок уже истёк, продление невозможно",
     "The deadline has passed; an extension can no longer be asked"},
    {"case_outcome", "超出范围或已撤回的诉求不能重新办理",
     "Обращение, закрытое как не относящееся или отозванное, не возобновляется",
     "A case closed as out of scope or withdrawn cannot be reopened"},
    {"case_refusal_pending", "已有待审批的否定答复报告", "Отчёт об отказе уже ждёт решения",
     "A refusal report is already waiting for a decision"},
    {"case_refusal_approved", "否定答复报告已批准", "Отчёт об отказе уже одобрен",
     "The refusal report is already approved"},
    {"case_no_refusal", "没有待审批的否定答复报告", "Нет отчёта об отказе на рассмотрении",
     "No refusal report is waiting for a decision"},
    {"case_refusal_unapproved", "否定答复须先报告并经主管批准",
     "Отказать можно только после одобренного руководителем отчёта",
     "A refusal needs a report approved by a supervisor first"},
    {"case_top_level", "已是最高一级，不能再升级", "Это уже высший уровень",
     "This is already the top level"},
    {"calendar_range", "工作日历没有覆盖日期 %s，请补充节假日数据",
     "Производственный календарь не охватывает дату %s: добавьте данные",
     "The working-day calendar does not cover %s; add the year's data"},
    {"not_working_day", "应为今天或以后的工作日", "Должен быть рабочий день, не ранее сегодняшнего",
     "Must be a working day, today or later"},
    {"after_limit", "不得晚于规定时限 %s", "Не позже нормативного срока %s",
     "No later than the limit %s"},
    {"not_open", "目标诉求已办结", "Целевое обращение уже закрыто", "The target case is closed"},
    {"in_past", "时间已过", "Время уже прошло", "The time is in the past"},
    /* visits, salons, financing (firm/outreach.h, firm/financing.h) */
    {"in_future", "日期不能晚于今天", "Дата не может быть позже сегодняшней",
     "The date cannot be after today"},
    {"not_attendee", "该企业没有参加本次沙龙", "Это предприятие не участвовало в салоне",
     "The firm did not attend this salon"},
    {"salon_not_held", "沙龙定于 %s 举办，举办后才能登记诉求",
     "Салон назначен на %s: вопросы записываются после него",
     "The salon is held on %s; issues are recorded once it has taken place"},
    {"salon_not_organiser", "只有主办部门或创建人可以修改本次沙龙",
     "Изменить салон может только отдел-организатор или автор записи",
     "Only the organising department or the salon's creator may change it"},
    {"granted_only", "只有获批的对接才填写", "Заполняется только для одобренного подбора",
     "Only for a granted match"},
    {"inactive", "该产品已停售", "Продукт больше не предлагается", "The product is not offered"},
    {"need_closed", "该融资需求已关闭", "Заявка на финансирование закрыта",
     "The financing need is closed"},
    {"match_transition", "对接状态不能这样变更：%s", "Такая смена статуса подбора недопустима: %s",
     "The match cannot change status this way: %s"},
    {"before_need", "不能早于需求提出日期 %s", "Не раньше даты заявки %s",
     "Not before the need was raised (%s)"},
    {"after_grant", "不能晚于已获批的日期", "Не позже даты одобрения",
     "Not after a grant already recorded"},
    {"not_commissioner", "该用户不是在岗的首席服务专员",
     "Пользователь не является действующим главным уполномоченным",
     "The user is not an active chief service commissioner"},
    {"same_commissioner", "该企业的首席服务专员已是此人",
     "Этот уполномоченный уже закреплён за предприятием",
     "This commissioner already looks after the firm"},
    {"package_transition", "开办事项状态不能这样变更：%s", "Недопустимая смена статуса пункта: %s",
     "The item's status cannot change this way: %s"},
};

const char *ftz_i18n_pick(const char *al)
{
    if (!al || !*al) return "zh";
    /* Pick the supported language with the highest q (first wins on ties). */
    const char *best = NULL;
    int bestq = -1;
    const char *p = al;
    while (*p) {
        while (*p == ' ' || *p == ',')
            p++;
        const char *tag = p;
        while (*p && *p != ',' && *p != ';')
            p++;
        size_t tl = (size_t)(p - tag);
        int q = 1000;
        if (*p == ';') {
            const char *qs = strstr(p, "q=");
            const char *comma = strchr(p, ',');
            if (qs && (!comma || qs < comma)) {
                q = 0;
                const char *d = qs + 2;
                if (*d == '1')
                    q = 1000;
                else if (*d == '0' && d[1] == '.') {
                    int scale = 100;
                    for (d += 2; *d >= '0' && *d <= '9' && scale; d++, scale /= 10)
                        q += (*d - '0') * scale;
                }
            }
            while (*p && *p != ',')
                p++;
        }
        const char *lang = NULL;
        if (tl >= 2 && strncasecmp(tag, "zh", 2) == 0)
            lang = "zh";
        else if (tl >= 2 && strncasecmp(tag, "ru", 2) == 0)
            lang = "ru";
        else if (tl >= 2 && strncasecmp(tag, "en", 2) == 0)
            lang = "en";
        if (lang && q > bestq) {
            best = lang;
            bestq = q;
        }
    }
    return best ? best : "zh";
}

static const msg *find(const char *key)
{
    for (size_t i = 0; i < FTZ_COUNTOF(catalogue); i++)
        if (strcmp(catalogue[i].key, key) == 0) return &catalogue[i];
    return NULL;
}

const char *ftz_i18n(ftz_arena *a, const char *lang, const char *key, const char *param)
{
    if (!key) return "";
    const msg *m = find(key);
    if (!m) return key;
    const char *t = m->zh;
    if (lang && strcmp(lang, "ru") == 0)
        t = m->ru;
    else if (lang && strcmp(lang, "en") == 0)
        t = m->en;
    const char *hole = strstr(t, "%s");
    if (!hole) return t;
    size_t pre = (size_t)(hole - t);
    return ftz_arena_printf(a, "%.*s%s%s", (int)pre, t, param ? param : "", hole + 2);
}

bool ftz_i18n_has(const char *key)
{
    const msg *m = find(key);
    return m && m->zh && *m->zh && m->ru && *m->ru && m->en && *m->en;
}
