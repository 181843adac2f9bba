/* history.c — the demo's history (`ftz demo` without --minimal): about 400 firms and close to
 * 1,000 enterprise demands filed between 2024-01-02 and 2024-04-30, written through the
 * services — firm_create, auth_user_create, case_file, case_fire, case_sweep — by the account
 * that would act at each step (the dispatcher assesses and dispatches, the lead unit's staff
 * receive and reply, the firm, its commissioner or the dispatcher's follow-up call evaluates),
 * each at its simulated instant in Beijing working hours (ctx.clock), so timelines, deadlines
 * on the holiday calendar, reminders and escalations are the engine's own.
 *
 * A day-by-day simulation drawn from a fixed-seed generator (splitmix64: every run writes the
 * same data): demands arrive on every channel, are assessed within 0–2 working days, mostly
 * received and replied in time but not all; some are returned and re-dispatched, some get an
 * extension, a few are merged as duplicates, rejected as out of scope or withdrawn; ratings
 * are mostly 4–5, some 3, a few of 2 or below, which reopen the case (most then close again).
 * The sweep runs at 09:00 every day.
 *
 * The end state is the evening of 2024-04-30: later steps are not written, so the cases of the
 * last weeks are partly open. The server reads the real clock, so every case still open in a
 * clock state shows as overdue in the UI (two years on, it is): expected. */
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
#include "demo/demo.h"
#include "firm/demand.h"
#include "firm/firm.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define N_GEN_FIRMS 395 /* with the five named firms, 400 */
#define N_DEMANDS   1000
#define N_COMM      5
#define SEED        0x4845494845324024ull
#define WORK_START  (8 * 60 + 30) /* minutes after midnight, Beijing */
#define WORK_END    (17 * 60 + 30)

/* ---- the generator ---- */

typedef struct rng {
    uint64_t s;
} rng;

static uint64_t rnd_next(rng *r)
{
    uint64_t z = (r->s += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

/* lo..hi inclusive */
static int rnd_int(rng *r, int lo, int hi)
{
    if (hi <= lo) return lo;
    return lo + (int)(rnd_next(r) % (uint64_t)(hi - lo + 1));
}

static bool rnd_pm(rng *r, int permille)
{
    return (int)(rnd_next(r) % 1000) < permille;
}

/* An index drawn by the weights w[0..n). */
static int rnd_pick(rng *r, const int *w, int n)
{
    int total = 0;
    for (int i = 0; i < n; i++)
        total += w[i];
    int x = rnd_int(r, 0, total - 1);
    for (int i = 0; i < n; i++) {
        if (x < w[i]) return i;
        x -= w[i];
    }
    return n - 1;
}

/* ---- firms ---- */

static const struct {
    const char *zh, *py, *ru, *slug;
} words[] = {
    {"龙江", "Longjiang", "Лунцзян", "longjiang"},
    {"北疆", "Beijiang", "Бэйцзян", "beijiang"},
    {"远东", "Yuandong", "Юаньдун", "yuandong"},
    {"华俄", "Hua'e", "Хуаэ", "huae"},
    {"金桥", "Jinqiao", "Цзиньцяо", "jinqiao"},
    {"界江", "Jiejiang", "Цзецзян", "jiejiang"},
    {"瑷珲", "Aihui", "Айхуэй", "aihui"},
    {"兴安", "Xing'an", "Синъань", "xingan"},
    {"北极星", "Beijixing", "Бэйцзисин", "beijixing"},
    {"黑龙", "Heilong", "Хэйлун", "heilong"},
    {"江畔", "Jiangpan", "Цзянпань", "jiangpan"},
    {"鑫源", "Xinyuan", "Синьюань", "xinyuan"},
    {"恒泰", "Hengtai", "Хэнтай", "hengtai"},
    {"利民", "Limin", "Лиминь", "limin"},
    {"宏达", "Hongda", "Хунда", "hongda"},
    {"盛世", "Shengshi", "Шэнши", "shengshi"},
    {"嘉禾", "Jiahe", "Цзяхэ", "jiahe"},
    {"丰泽", "Fengze", "Фэнцзэ", "fengze"},
    {"瑞通", "Ruitong", "Жуйтун", "ruitong"},
    {"博远", "Boyuan", "Боюань", "boyuan"},
    {"天河", "Tianhe", "Тяньхэ", "tianhe"},
    {"雪原", "Xueyuan", "Сюэюань", "xueyuan"},
    {"寒地", "Handi", "Ханьди", "handi"},
    {"松林", "Songlin", "Сунлинь", "songlin"},
    {"白桦", "Baihua", "Байхуа", "baihua"},
    {"金穗", "Jinsui", "Цзиньсуй", "jinsui"},
    {"通达", "Tongda", "Тунда", "tongda"},
    {"海兰", "Hailan", "Хайлань", "hailan"},
    {"永兴", "Yongxing", "Юнсин", "yongxing"},
    {"鼎盛", "Dingsheng", "Диншэн", "dingsheng"},
    {"合力", "Heli", "Хэли", "heli"},
    {"众诚", "Zhongcheng", "Чжунчэн", "zhongcheng"},
    {"远航", "Yuanhang", "Юаньхан", "yuanhang"},
    {"阳光", "Yangguang", "Янгуан", "yangguang"},
    {"润达", "Runda", "Жунда", "runda"},
};

/* The line of business in a name, its GB/T 4754-2017 division (data/dicts/industries.csv)
 * and how likely a firm of it trades across the border (‰). */
static const struct {
    const char *zh, *en, *ru, *slug, *code;
    int border;
} trades[] = {
    {"贸易", "Trading", "трейдинг", "trade", "51", 750},
    {"进出口", "Import & Export", "импорт-экспорт", "impex", "51", 900},
    {"经贸", "Economic & Trade", "экономика и торговля", "et", "51", 700},
    {"商贸", "Commerce", "коммерция", "commerce", "52", 500},
    {"物流", "Logistics", "логистик", "logistics", "58", 750},
    {"供应链", "Supply Chain", "сапплай чейн", "supply", "72", 700},
    {"仓储", "Warehousing", "склад", "storage", "59", 500},
    {"冷链", "Cold Chain", "холодовая цепь", "coldchain", "59", 500},
    {"国际货运代理", "International Freight", "фрахт", "freight", "58", 900},
    {"木业", "Wood", "вуд", "wood", "20", 600},
    {"家具", "Furniture", "мебель", "furniture", "21", 250},
    {"能源", "Energy", "энерджи", "energy", "44", 300},
    {"新能源", "New Energy", "нью энерджи", "newenergy", "44", 150},
    {"燃气", "Gas", "газ", "gas", "45", 200},
    {"食品", "Food", "фуд", "food", "14", 350},
    {"粮油", "Grain & Oil", "зерно и масло", "grain", "13", 450},
    {"大豆", "Soybean", "соя", "soy", "13", 600},
    {"农业科技", "Agritech", "агротех", "agri", "01", 250},
    {"畜牧", "Livestock", "животноводство", "livestock", "03", 150},
    {"建材", "Building Materials", "стройматериалы", "build", "30", 250},
    {"建筑工程", "Construction", "строй", "construction", "48", 100},
    {"机械设备", "Machinery", "машинери", "machinery", "34", 350},
    {"汽车服务", "Auto Service", "авто-сервис", "auto", "81", 150},
    {"电子商务", "E-commerce", "е-коммерс", "ecommerce", "64", 650},
    {"软件", "Software", "софт", "software", "65", 150},
    {"文化旅游", "Culture & Tourism", "туризм", "tour", "72", 500},
    {"酒店管理", "Hotel Management", "отель", "hotel", "61", 200},
    {"餐饮", "Catering", "кейтеринг", "catering", "62", 150},
    {"医药", "Pharmaceutical", "фарма", "pharma", "27", 200},
    {"生物科技", "Biotech", "биотех", "biotech", "73", 150},
    {"矿业", "Mining", "майнинг", "mining", "09", 300},
    {"石化", "Petrochemical", "нефтехим", "petrochem", "25", 300},
    {"新材料", "New Materials", "нью матириалс", "materials", "26", 150},
    {"服装", "Apparel", "одежда", "apparel", "18", 450},
    {"电子科技", "Electronics", "электроникс", "electronics", "39", 300},
};

static const char *const surnames[] = {"王", "李", "张", "刘", "陈", "杨", "黄", "赵", "吴", "周",
                                       "徐", "孙", "马", "朱", "胡", "郭", "何", "高", "林", "罗",
                                       "郑", "梁", "谢", "宋", "唐", "许", "韩", "冯", "邓", "曹"};
static const char *const given[] = {"伟",   "芳",   "娜",   "秀英", "敏",   "静",   "丽",   "强",
                                    "磊",   "军",   "洋",   "勇",   "艳",   "杰",   "娟",   "涛",
                                    "明",   "超",   "秀兰", "霞",   "平",   "刚",   "建华", "志强",
                                    "海燕", "晓东", "立新", "春梅", "国庆", "宏伟", "丽娟", "振华"};
static const char *const ru_names[] = {
    "Алексей Смирнов",  "Дмитрий Иванов", "Сергей Кузнецов", "Ольга Попова",
    "Наталья Соколова", "Андрей Лебедев", "Елена Козлова",   "Игорь Новиков",
    "Татьяна Морозова", "Михаил Волков",  "Анна Соловьёва",  "Павел Васильев",
    "Юлия Зайцева",     "Николай Павлов", "Ирина Семёнова",  "Виктор Голубев",
};
static const char *const streets[] = {
    "爱辉区王肃街",         "爱辉区中央街",         "爱辉区海兰街",         "爱辉区通江路",
    "爱辉区兴安街",         "爱辉区大兴街",         "爱辉区环城东路",       "爱辉区赵光路",
    "边境经济合作区合作路", "边境经济合作区龙滨路", "自贸片区友谊路",       "自贸片区科技路",
    "二公河物流园区",       "大黑河岛国际商贸城",   "边境经济合作区园区路",
};

typedef struct sfirm {
    int64_t id;
    int comm;    /* index into sim.comm, -1 none */
    int account; /* index into sim.accounts, -1 none */
    bool border, station;
    char contact[64], phone[32];
} sfirm;

/* ---- demands ---- */

enum { L_INVEST, L_ECON, L_GOVSVC, L_HRSS, L_LAND, L_TAX, L_POWER, L_PORT, NLEADS };

/* The lead units and the staff account of each that receives and replies. */
static const struct {
    const char *dept, *user;
} leads[NLEADS] = {
    {"INVEST", "staff"}, {"ECON", "econ"}, {"GOVSVC", "window"}, {"HRSS", "hrss"},
    {"LAND", "land"},    {"TAX", "tax"},   {"POWER", "power"},   {"PORT", "port"},
};

typedef struct tmpl {
    const char *topic, *category;
    int lead;           /* L_* */
    const char *assist; /* an assisting department's code, or NULL */
    bool border;        /* a cross-border firm's matter */
    const char *lang;
    const char *title, *body;
} tmpl;

static const tmpl tmpls[] = {
    {"policy", "help", L_ECON, "INVEST", true, "zh", "申请兑现2023年度外贸发展奖励资金",
     "我公司2023年对俄进出口额较上年增长超过30%，符合片区外贸发展奖励政策条件，材料已于去年12月"
     "提交，至今未收到审核结果，请协助跟进兑现进度。"},
    {"policy", "enquiry", L_INVEST, NULL, false, "zh", "咨询自贸片区招商引资优惠政策适用条件",
     "我公司计划在片区新设一家加工企业，投资额约3000万元，想了解固定资产投资补助、厂房租金减免等"
     "政策的适用条件和申报流程。"},
    {"policy", "enquiry", L_ECON, NULL, false, "zh", "企业研发费用补助申报进度查询",
     "我公司今年初申报了研发费用后补助，系统显示“审核中”已超过一个月，请帮助查询审核进度及预计"
     "拨付时间。"},
    {"policy", "complaint", L_INVEST, NULL, false, "zh", "新设企业开办补贴迟迟未到账",
     "我公司去年9月在片区注册成立，按照“零成本开办”政策应享受开办补贴，材料已全部提交，但补贴至今"
     "未到账，多次询问无明确答复。"},
    {"policy", "suggestion", L_ECON, NULL, false, "zh", "建议简化中小企业扶持资金申报材料",
     "目前扶持资金申报需要重复提交营业执照、纳税证明等材料，建议通过部门间数据共享减少纸质材料，"
     "实行“免申即享”。"},
    {"policy", "help", L_ECON, "PORT", true, "zh", "申请享受对俄跨境物流运费补贴",
     "我公司今年一季度经黑河口岸发运对俄货物120余车次，希望了解跨境物流运费补贴的申请条件，并协助"
     "准备申报材料。"},
    {"finance", "help", L_ECON, "INVEST", true, "zh", "申请出口信用保险保费补贴",
     "我公司对俄出口业务投保了短期出口信用保险，希望申请片区保费补贴，请告知所需材料和办理时限。"},
    {"finance", "help", L_ECON, NULL, false, "zh", "流动资金贷款审批周期过长，请求协调银行",
     "我公司向合作银行申请500万元流动资金贷款已两个月，银行仍在审批，春季备货资金紧张，请求协调"
     "加快审批。"},
    {"finance", "enquiry", L_ECON, NULL, false, "zh", "咨询“政银担”担保贷款申请条件",
     "想了解片区“政银担”合作担保贷款的额度、利率、担保费补贴以及申请所需条件。"},
    {"finance", "complex", L_ECON, "INVEST", true, "zh", "对俄贸易人民币结算账户开立困难",
     "我公司俄方合作伙伴在国内银行开立人民币结算账户遇到困难，货款结算周期延长，请求协调银行提供"
     "跨境结算便利。"},
    {"finance", "help", L_ECON, NULL, false, "zh", "申请应收账款质押融资对接",
     "我公司应收账款规模较大，希望通过供应链金融平台开展应收账款质押融资，请帮助对接合作银行。"},
    {"labour", "help", L_HRSS, NULL, true, "zh", "急需招聘俄语翻译和外贸业务员",
     "因业务扩大，我公司急需招聘俄语翻译2名、外贸业务员3名，本地招聘困难，请求协助对接高校和人才"
     "市场资源。"},
    {"labour", "enquiry", L_HRSS, NULL, true, "zh", "咨询外籍员工工作许可办理流程",
     "我公司拟聘用两名俄罗斯籍技术人员，想了解外国人来华工作许可和居留许可的办理流程及所需时间。"},
    {"labour", "help", L_HRSS, NULL, false, "zh", "申请稳岗返还补贴",
     "我公司2023年未裁员，符合失业保险稳岗返还条件，但在线申报系统提示信息不符，请协助核实办理。"},
    {"labour", "help", L_HRSS, NULL, false, "zh", "季节性用工短缺，请求协助对接劳务资源",
     "春季开工在即，我公司需要临时工约50人，请求协助对接周边乡镇劳务资源。"},
    {"labour", "complaint", L_HRSS, NULL, false, "zh", "员工社保关系转移接续办理受阻",
     "我公司新入职员工的社保关系从外省转入，申请提交一个多月仍未办结，影响员工享受待遇。"},
    {"approval", "enquiry", L_GOVSVC, NULL, false, "zh", "食品经营许可证延续办理咨询",
     "我公司食品经营许可证将于下月到期，想了解延续办理所需材料，能否全程网办。"},
    {"approval", "complaint", L_GOVSVC, "LAND", false, "zh", "厂房扩建项目施工许可办理时间过长",
     "我公司厂房扩建项目已完成施工图审查，施工许可申请提交后迟迟未获批，影响开工进度。"},
    {"approval", "complex", L_GOVSVC, "ECON", false, "zh", "申请危险化学品经营许可证",
     "我公司拟开展工业气体经营业务，需要办理危险化学品经营许可证，涉及消防、应急等多个部门，请求"
     "提供全流程指导。"},
    {"approval", "suggestion", L_GOVSVC, NULL, false, "zh", "建议推行跨部门联合审批“一窗通办”",
     "企业办理项目审批需要往返多个部门窗口，建议在政务服务中心设立综合窗口，实行一窗受理、并联"
     "审批。"},
    {"approval", "help", L_GOVSVC, "CUSTOMS", true, "zh", "对俄农产品出口企业备案办理指导",
     "我公司计划向俄罗斯出口蔬菜水果，需要办理出口食品生产企业备案，请提供办理指导。"},
    {"customs", "enquiry", L_PORT, "CUSTOMS", true, "zh", "黑河口岸冬季浮箱固冰通道通关时间咨询",
     "请问今年冬季浮箱固冰通道每日通关时段和货车通行安排，以便我公司安排对俄发货计划。"},
    {"customs", "complaint", L_PORT, "CUSTOMS", true, "zh", "进口俄罗斯大豆检疫查验时间较长",
     "我公司进口俄罗斯大豆，检疫审批和查验时间较长，货物在口岸滞留产生了额外费用，请求协调。"},
    {"customs", "help", L_PORT, "CUSTOMS", true, "zh", "请求协调口岸出境货车排队问题",
     "近期口岸出境货车排队时间长达两天，影响对俄交货期，请求协调增加查验力量、优化通关秩序。"},
    {"customs", "enquiry", L_PORT, "CUSTOMS", true, "zh", "跨境电商出口退货监管流程咨询",
     "我公司开展对俄跨境电商出口业务，想了解退货商品入境的监管流程和所需单证。"},
    {"customs", "complex", L_PORT, "CUSTOMS", true, "zh", "申请设立海关监管作业场所",
     "我公司计划在片区建设保税仓库，申请设立海关监管作业场所，请求提供政策指导并协调验收。"},
    {"customs", "suggestion", L_PORT, "CUSTOMS", true, "zh", "建议提升进口木材通关查验效率",
     "进口俄罗斯木材查验环节较多，建议推行“提前申报、抵港直装”，提升通关效率。"},
    {"land", "complex", L_LAND, "INVEST", false, "zh", "项目用地规划条件调整申请",
     "我公司项目用地容积率与实际生产需要不符，申请调整规划条件，请指导办理程序。"},
    {"land", "enquiry", L_LAND, NULL, false, "zh", "工业用地不动产权证办理进度查询",
     "我公司去年竞得的工业用地已缴清出让金，不动产权证至今未办结，请帮助查询进度。"},
    {"land", "help", L_LAND, "INVEST", true, "zh", "申请协调仓储用地",
     "我公司对俄贸易量增长，现有仓库不能满足需要，请求协调片区内仓储用地或标准化仓库。"},
    {"land", "enquiry", L_LAND, NULL, false, "zh", "厂区周边道路规划咨询",
     "我公司厂区周边规划道路何时建设？目前原材料运输车辆通行困难。"},
    {"utilities", "help", L_POWER, NULL, false, "zh", "新建厂房申请用电增容",
     "我公司新建厂房即将投产，现有变压器容量不足，申请增容至800千伏安，请协助加快办理。"},
    {"utilities", "complaint", L_ECON, "POWER", false, "zh", "冬季厂区供暖温度不达标",
     "入冬以来我公司办公区室温长期低于16度，多次联系供热单位未解决，影响员工正常办公。"},
    {"utilities", "complaint", L_POWER, NULL, false, "zh", "园区频繁停电影响生产",
     "本月园区已停电三次，均无提前通知，造成生产线停工和原料损失，请求尽快排查原因。"},
    {"utilities", "help", L_ECON, NULL, false, "zh", "申请接入天然气管网",
     "我公司锅炉计划“煤改气”，申请接入园区天然气管网，请协调燃气公司报装。"},
    {"utilities", "help", L_ECON, "LAND", false, "zh", "厂区供水管网压力不足",
     "厂区供水压力不足，高峰时段生产用水无法保障，请求协调供水单位检修管网。"},
    {"tax", "enquiry", L_TAX, NULL, true, "zh", "出口退税办理进度咨询",
     "我公司上月申报的出口退税尚未到账，请帮助查询办理进度。"},
    {"tax", "help", L_TAX, NULL, false, "zh", "申请增值税留抵退税",
     "我公司符合增值税留抵退税条件，申报后被提示需补充资料，请安排专人辅导。"},
    {"tax", "enquiry", L_TAX, NULL, true, "zh", "跨境贸易发票开具问题咨询",
     "对俄出口业务中俄方要求提供形式发票和商业发票，想了解国内发票开具和申报的具体要求。"},
    {"tax", "enquiry", L_TAX, NULL, false, "zh", "小微企业税费减免政策咨询",
     "想了解2024年小微企业所得税和“六税两费”减免政策的具体适用条件。"},
    {"tax", "suggestion", L_TAX, NULL, false, "zh", "建议办税服务厅增加俄语服务",
     "俄籍客户来厅办理业务时存在语言障碍，建议办税服务厅增设俄语咨询服务。"},
    {"other", "enquiry", L_INVEST, NULL, false, "zh", "引进人才子女入学咨询",
     "我公司引进的技术骨干子女需要在黑河就读小学，想了解入学政策和办理流程。"},
    {"other", "suggestion", L_INVEST, NULL, false, "zh", "建议增开园区通勤公交线路",
     "园区员工上下班通勤不便，建议增开市区至园区的通勤公交线路。"},
    /* in Russian: the overseas station's and the Russian firms' matters */
    {"customs", "complaint", L_PORT, "CUSTOMS", true, "ru",
     "Задержка таможенного оформления грузов на понтонной переправе",
     "Наши грузовики третий день ожидают оформления на переправе Хэйхэ — Благовещенск. Просим "
     "помочь ускорить досмотр."},
    {"customs", "enquiry", L_PORT, "CUSTOMS", true, "ru",
     "Порядок ввоза сельхозпродукции из Амурской области",
     "Просим разъяснить порядок карантинного контроля и перечень документов для ввоза сои и рапса "
     "из Амурской области."},
    {"finance", "complex", L_ECON, "INVEST", true, "ru",
     "Открытие счёта в юанях для российской компании",
     "Российской компании-партнёру отказывают в открытии счёта в юанях. Просим помочь с банком для "
     "расчётов по контрактам."},
    {"labour", "help", L_HRSS, NULL, true, "ru", "Разрешения на работу для российских специалистов",
     "Просим помочь оформить разрешения на работу и визы для трёх российских инженеров, "
     "направляемых на наш завод в зоне."},
    {"approval", "help", L_GOVSVC, NULL, true, "ru",
     "Регистрация представительства российской компании",
     "Хотим зарегистрировать представительство российской компании в зоне Хэйхэ. Просим "
     "разъяснить порядок и сроки."},
    {"policy", "enquiry", L_INVEST, NULL, true, "ru", "Льготы для иностранных инвесторов в зоне",
     "Просим сообщить, какие льготы по аренде и налогам действуют для предприятий с российским "
     "капиталом."},
    {"tax", "enquiry", L_TAX, NULL, true, "ru", "Возврат НДС при экспорте в Россию",
     "Просим разъяснить сроки возврата НДС по экспортным поставкам в Россию и проверить статус "
     "нашей "
     "заявки."},
    {"land", "help", L_LAND, "INVEST", true, "ru", "Аренда складских помещений в зоне",
     "Нужен тёплый склад площадью около 2000 м² для хранения товаров. Просим помочь подобрать "
     "варианты."},
    {"utilities", "help", L_POWER, NULL, true, "ru",
     "Подключение электроэнергии на арендованном складе",
     "Арендованный склад не подключён к электросети уже месяц. Просим ускорить подключение."},
};

/* Matters outside the demands' scope, closed with a written reason. */
static const struct {
    const char *title, *body, *reason;
} out_of_scope[] = {
    {"企业与客户合同纠纷，请求政府裁决",
     "我公司与外地客户发生货款纠纷，对方拒不付款，请求管委会出面裁决并责令对方付款。",
     "属于民商事合同纠纷，应通过诉讼或仲裁解决，已告知企业并提供法律援助渠道"},
    {"反映居住小区物业收费问题", "本人居住小区物业费上涨，请求有关部门处理。",
     "属于个人生活事项，不属于企业诉求范围，已告知通过12345市民热线反映"},
    {"要求重新审理已判决的劳动争议案件",
     "我公司对劳动争议判决结果不服，请求管委会督促法院重新审理。",
     "涉诉事项依法不予受理，已告知企业依法申请再审"},
    {"咨询个人住房公积金贷款额度", "本人想了解个人住房公积金贷款的额度和利率。",
     "属于个人事项，已告知向住房公积金管理中心咨询"},
};

static const char *const topics[] = {"policy", "finance",   "labour", "approval", "customs",
                                     "land",   "utilities", "tax",    "other"};
static const char *const replies_zh[] = {
    "经核实，贵公司符合政策条件，相关资金已列入本批次拨付计划，预计10个工作日内到账。",
    "已协调合作银行开辟绿色通道，客户经理已与贵公司对接，融资方案已进入审批环节。",
    "已将岗位需求推送至人力资源市场和省内院校，安排专场招聘；相关补贴和手续已按规定办理。",
    "已为贵公司开通绿色通道，指导补齐材料，相关许可已办结，电子证照已推送至企业账户。",
    "已会同黑河海关和口岸运营单位研究，优化查验作业安排并实行提前申报，请按新流程办理。",
    "已组织自然资源、规划等部门现场踏勘，相关手续正依法依规办理，进展将定期告知贵公司。",
    "相关单位已到现场处置，问题已整改完毕，并建立定期巡检和提前告知机制。",
    "税务部门已安排专人一对一辅导，相关退税（减免）已按规定办理完毕。",
    "已协调相关部门研究，处理意见已电话告知贵公司，后续问题可随时联系首席服务专员。",
};
static const char *const replies_ru[] = {
    "Компания соответствует условиям программы; средства включены в ближайший график выплат.",
    "Банк-партнёр открыл для компании ускоренный порядок; менеджер связался с вами.",
    "Вакансии направлены в центр занятости и вузы провинции; документы оформляются.",
    "Для компании открыт ускоренный порядок; разрешение оформлено, электронная копия в кабинете.",
    "Совместно с таможней Хэйхэ изменён порядок досмотра; действует предварительное "
    "декларирование.",
    "Проведён выезд на место; оформление идёт в установленном порядке, о ходе будем сообщать.",
    "Службы выехали на место, неисправность устранена, введены плановые осмотры.",
    "Налоговая служба провела консультацию; возврат оформлен.",
    "Вопрос рассмотрен с профильными службами; решение сообщено по телефону.",
};
static const char *const evals_zh[] = {"问题没有得到解决，很不满意", "答复没有解决实际问题，不满意",
                                       "基本解决，但办理时间偏长", "问题已解决，总体满意",
                                       "响应及时、办理高效，非常满意"};
static const char *const evals_ru[] = {
    "Вопрос не решён, очень недовольны", "Ответ не решает проблему", "В целом решено, но долго",
    "Вопрос решён, спасибо", "Быстро и качественно, большое спасибо"};
static const char *const ext_reasons[] = {"需会同多个部门联合研究，申请延期",
                                          "需现场踏勘并征求相关单位意见，申请延期",
                                          "涉及上级部门审批，等待批复，申请延期"};

/* ---- the simulation ---- */

enum stage {
    S_FILE,
    S_ASSESS,
    S_DISPATCH,
    S_RETURN,
    S_REDISPATCH,
    S_RECEIVE,
    S_REQ_EXT,
    S_DECIDE_EXT,
    S_REPLY,
    S_EVALUATE,
    S_WITHDRAW,
    S_REJECT,
    S_MERGE,
    S_DONE,
};

enum fate { F_NORMAL, F_WITHDRAW, F_REJECT, F_MERGE };

typedef struct scase {
    int64_t id, version;
    int64_t t;           /* the instant of the next step */
    int64_t filed;       /* the instant it was filed */
    int firm, tmpl, oos; /* oos: index into out_of_scope, or -1 */
    const char *channel;
    ftz_principal *filer, *evaluator;
    int lead, wrong; /* L_*; wrong: the unit it goes to first by mistake, or -1 */
    int fate, dup_of;
    int stage, rounds;
    int reply_plan; /* 0 in time, 1 late, 2 stuck far past the deadline */
    bool ext, late_receive, withdraw_after, open;
    ftz_date due_day, deadline_day; /* of the response and of the reply, from the case */
} scase;

typedef struct hent {
    int64_t t;
    uint32_t seq;
    int idx;
} hent;

typedef struct sim {
    ftz_ctx *c;
    ftz_arena *scratch;
    rng r;
    ftz_principal *sys, *dispatcher, *window, *station;
    ftz_principal *comm[N_COMM];
    ftz_principal *lead[NLEADS];
    int64_t lead_dept[NLEADS];
    ftz_principal **accounts;
    int naccounts;
    sfirm *firms;
    int nfirms;
    scase *cases;
    int ncases;
    hent *heap;
    int nheap;
    uint32_t seq;
    int64_t end;
    int refused;
    int64_t reminded, escalated;
} sim;

static bool less(const hent *a, const hent *b)
{
    return a->t < b->t || (a->t == b->t && a->seq < b->seq);
}

static void heap_push(sim *s, int64_t t, int idx)
{
    int i = s->nheap++;
    s->heap[i] = (hent){t, s->seq++, idx};
    while (i > 0) {
        int p = (i - 1) / 2;
        if (!less(&s->heap[i], &s->heap[p])) break;
        hent x = s->heap[i];
        s->heap[i] = s->heap[p];
        s->heap[p] = x;
        i = p;
    }
}

static hent heap_pop(sim *s)
{
    hent top = s->heap[0];
    s->heap[0] = s->heap[--s->nheap];
    int i = 0;
    for (;;) {
        int l = 2 * i + 1, r = l + 1, m = i;
        if (l < s->nheap && less(&s->heap[l], &s->heap[m])) m = l;
        if (r < s->nheap && less(&s->heap[r], &s->heap[m])) m = r;
        if (m == i) break;
        hent x = s->heap[i];
        s->heap[i] = s->heap[m];
        s->heap[m] = x;
        i = m;
    }
    return top;
}

/* ---- time: Beijing days and working hours ---- */

static int64_t instant(ftz_date d, int minute)
{
    return (int64_t)d * 86400 + (int64_t)minute * 60 - FTZ_SHANGHAI_OFFSET;
}

static ftz_date day_of(int64_t t)
{
    return ftz_date_of_shanghai(t);
}

static int minute_of(int64_t t)
{
    int64_t s = (t + FTZ_SHANGHAI_OFFSET) % 86400;
    return (int)((s < 0 ? s + 86400 : s) / 60);
}

static bool is_workday(ftz_date d)
{
    bool w = false;
    return ftz_cal_is_workday(ftz_platform_cal(), d, &w) == FTZ_OK && w;
}

/* The n-th working day after d (0: d when it is one, else the next). */
static ftz_date add_work(ftz_date d, int n)
{
    ftz_date out;
    if (ftz_cal_add_workdays(ftz_platform_cal(), d, n, &out)) return d + n;
    return out;
}

/* The working days in (from, to]. */
static int work_between(ftz_date from, ftz_date to)
{
    int n = 0;
    if (to <= from || ftz_cal_workdays_between(ftz_platform_cal(), from + 1, to, &n)) return 0;
    return n;
}

/* lo..hi minutes after t, moved to the next working morning when that falls outside working
 * hours. */
static int64_t later(sim *s, int64_t t, int lo, int hi)
{
    int64_t x = t + (int64_t)rnd_int(&s->r, lo, hi) * 60;
    ftz_date d = day_of(x);
    int m = minute_of(x);
    if (is_workday(d) && m >= WORK_START && m <= WORK_END) return x;
    if (!is_workday(d) || m > WORK_END) d = add_work(d, 1);
    return instant(d, WORK_START + rnd_int(&s->r, 0, 90));
}

/* A random working-hours instant on the n-th working day after t's day (0: that day), never
 * before t. */
static int64_t on_workday(sim *s, int64_t t, int n)
{
    ftz_date d = add_work(day_of(t), n);
    int64_t x = instant(d, rnd_int(&s->r, WORK_START, WORK_END - 20));
    return x > t ? x : later(s, t, 5, 90);
}

static void sched(sim *s, int idx, int stage, int64_t t)
{
    scase *sc = &s->cases[idx];
    if (t <= sc->t) t = sc->t + 60 * rnd_int(&s->r, 2, 30);
    if (t > s->end) { /* after the demo's "now": the case stays where it is */
        sc->stage = S_DONE;
        return;
    }
    sc->stage = stage;
    sc->t = t;
    heap_push(s, t, idx);
}

/* ---- steps through the services ---- */

static bool fatal(ftz_rc rc)
{
    return rc == FTZ_EDB || rc == FTZ_EIO || rc == FTZ_EINTERNAL;
}

/* Re-reads the case's version and its response and reply deadlines. */
static ftz_rc peek(sim *s, scase *sc)
{
    ftz_ctx *c = s->c;
    json_t *o;
    c->who = s->sys;
    ftz_err_init(&c->err, c->arena);
    ftz_rc rc = case_get(c, &demand_kind, sc->id, &o);
    if (rc) return rc;
    sc->version = json_integer_value(json_object_get(o, "version"));
    const char *due = json_string_value(json_object_get(o, "response_due"));
    const char *dl = json_string_value(json_object_get(o, "deadline_on"));
    char day[11];
    ftz_date d;
    if (due && strlen(due) >= 10) {
        memcpy(day, due, 10); /* "YYYY-MM-DDT15:59:59.999Z": the end of that Beijing day */
        day[10] = '\0';
        if (ftz_date_parse(day, &d) == FTZ_OK) sc->due_day = d;
    }
    if (dl && ftz_date_parse(dl, &d) == FTZ_OK) sc->deadline_day = d;
    json_decref(o);
    return FTZ_OK;
}

/* Whether an event moves the deadlines the simulation plans by (or reopens the case). */
static bool moves_deadlines(const char *event)
{
    static const char *const ev[] = {"assess", "dispatch", "redispatch", "grant_extension",
                                     "evaluate"};
    for (size_t i = 0; i < FTZ_COUNTOF(ev); i++)
        if (strcmp(ev[i], event) == 0) return true;
    return false;
}

/* Fires event on the case as who at the case's instant (in is stolen). The version is the one
 * last seen plus one per own step; when the sweep moved it meanwhile (a stale version), the
 * case is read again and the event fired once more. *ok is false when the engine refused:
 * logged and counted, the case stops there. Database failures are returned. */
static ftz_rc fire(sim *s, scase *sc, ftz_principal *who, const char *event, json_t *in, bool *ok)
{
    ftz_ctx *c = s->c;
    *ok = false;
    ftz_rc rc = FTZ_OK;
    for (int attempt = 0; attempt < 2; attempt++) {
        ftz_err_init(&c->err, c->arena);
        c->who = who;
        rc = case_fire(c, &demand_kind, sc->id, sc->version, event, in);
        c->who = s->sys;
        if (rc != FTZ_ESTALE || attempt) break;
        if ((rc = peek(s, sc))) break;
    }
    if (rc == FTZ_OK) {
        *ok = true;
        sc->version++;
        if (moves_deadlines(event)) rc = peek(s, sc);
    }
    json_decref(in);
    if (rc == FTZ_OK || fatal(rc)) return rc;
    ftz_log_warn("demo: case %lld: %s as %s refused: %s %s", (long long)sc->id, event,
                 who->username ? who->username : "?", c->err.code ? c->err.code : ftz_rc_name(rc),
                 c->err.param ? c->err.param : "");
    s->refused++;
    sc->stage = S_DONE;
    return FTZ_OK;
}

static ftz_principal *lead_staff(sim *s, int lead)
{
    return s->lead[lead];
}

static bool ru(const scase *sc)
{
    return sc->oos < 0 && strcmp(tmpls[sc->tmpl].lang, "ru") == 0;
}

static int topic_index(const char *topic)
{
    for (size_t i = 0; i < FTZ_COUNTOF(topics); i++)
        if (strcmp(topics[i], topic) == 0) return (int)i;
    return (int)FTZ_COUNTOF(topics) - 1;
}

static ftz_rc dept_id(sim *s, const char *code, int64_t *id)
{
    ftz_err_init(&s->c->err, s->c->arena);
    return auth_dept_find(s->c, code, id);
}

static void plan_receive(sim *s, int idx)
{
    scase *sc = &s->cases[idx];
    int64_t now = sc->t;
    if (sc->wrong >= 0) {
        sched(s, idx, S_RETURN,
              rnd_pm(&s->r, 500) ? later(s, now, 30, 300) : on_workday(s, now, 1));
        return;
    }
    if (sc->late_receive) {
        sched(s, idx, S_RECEIVE,
              on_workday(s, instant(sc->due_day, WORK_END), rnd_int(&s->r, 1, 3)));
        return;
    }
    int span = work_between(day_of(now), sc->due_day);
    int off = rnd_pm(&s->r, 550) ? 0 : rnd_int(&s->r, 0, span);
    sched(s, idx, S_RECEIVE, off == 0 ? later(s, now, 15, 240) : on_workday(s, now, off));
}

static void plan_reply(sim *s, int idx)
{
    scase *sc = &s->cases[idx];
    int64_t now = sc->t, t;
    int64_t dl_end = instant(sc->deadline_day, WORK_END);
    if (sc->reply_plan == 1) {
        t = on_workday(s, dl_end, rnd_int(&s->r, 1, 4));
    } else if (sc->reply_plan == 2) {
        t = on_workday(s, dl_end, rnd_int(&s->r, 8, 40));
    } else {
        int span = work_between(day_of(now), sc->deadline_day);
        int a = rnd_int(&s->r, 0, span), b = rnd_int(&s->r, 0, span);
        int off = a < b ? a : b; /* early rather than late */
        t = off == 0 ? later(s, now, 60, 300) : on_workday(s, now, off);
    }
    sched(s, idx, S_REPLY, t);
}

static int draw_reply_plan(sim *s, bool reopened)
{
    static const int first[] = {900, 70, 30}, again[] = {560, 190, 250};
    return rnd_pick(&s->r, reopened ? again : first, 3);
}

static ftz_rc step_file(sim *s, int idx)
{
    scase *sc = &s->cases[idx];
    ftz_ctx *c = s->c;
    const sfirm *f = &s->firms[sc->firm];
    case_in in = {0};
    in.firm_id = f->id;
    in.channel = sc->channel;
    if (sc->oos >= 0) {
        in.title = out_of_scope[sc->oos].title;
        in.body = out_of_scope[sc->oos].body;
        in.lang = "zh";
    } else {
        const tmpl *tp = &tmpls[sc->tmpl];
        in.title = tp->title;
        in.body = tp->body;
        in.lang = tp->lang;
        if (sc->fate == F_MERGE)
            in.body = ftz_arena_printf(
                c->arena, "%s%s", ru(sc) ? "Повторное обращение: " : "企业再次反映：", tp->body);
    }
    in.contact_name = f->contact;
    in.contact_phone = f->phone;
    ftz_err_init(&c->err, c->arena);
    c->who = sc->filer;
    ftz_rc rc = case_file(c, &demand_kind, &in, &sc->id);
    c->who = s->sys;
    if (rc) {
        if (fatal(rc)) return rc;
        ftz_log_warn("demo: filing as %s refused: %s %s", sc->filer->username,
                     c->err.code ? c->err.code : ftz_rc_name(rc), c->err.param ? c->err.param : "");
        s->refused++;
        sc->stage = S_DONE;
        return FTZ_OK;
    }
    sc->open = true;
    sc->filed = sc->t;
    sc->version = 1; /* a new case's (else the first step reads it: see fire) */
    if (sc->fate == F_WITHDRAW && !sc->withdraw_after) {
        sched(s, idx, S_WITHDRAW, later(s, sc->t, 30, 600));
        return FTZ_OK;
    }
    static const int delay[] = {600, 300, 100}; /* assessed the same day, the next, the one after */
    int n = rnd_pick(&s->r, delay, 3);
    int64_t t = n == 0 ? later(s, sc->t, 10, 180) : on_workday(s, sc->t, n);
    if (t > s->end) /* filed on the last evening: assessed before the demo's "now" */
        t = sc->t + 60 * rnd_int(&s->r, 5, 25);
    int stage = sc->fate == F_REJECT ? S_REJECT : sc->fate == F_MERGE ? S_MERGE : S_ASSESS;
    sched(s, idx, stage, t);
    return FTZ_OK;
}

static ftz_rc step_assess(sim *s, int idx)
{
    scase *sc = &s->cases[idx];
    const tmpl *tp = &tmpls[sc->tmpl];
    static const int prio_w[] = {20, 160, 820};
    static const char *const prios[] = {"urgent", "high", "normal"};
    int p = rnd_pick(&s->r, prio_w, 3);
    if (strcmp(tp->category, "complaint") == 0 && p == 2 && rnd_pm(&s->r, 250)) p = 1;
    int lead = sc->wrong >= 0 ? sc->wrong : sc->lead;
    json_t *in = json_pack("{s:s,s:s,s:s,s:I}", "category", tp->category, "priority", prios[p],
                           "topic", tp->topic, "lead_dept_id", (json_int_t)s->lead_dept[lead]);
    if (tp->assist) {
        int64_t a;
        ftz_rc rc = dept_id(s, tp->assist, &a);
        if (rc) {
            json_decref(in);
            return rc;
        }
        json_object_set_new(in, "assist_dept_ids", json_pack("[I]", (json_int_t)a));
    }
    bool ok;
    ftz_rc rc = fire(s, sc, s->dispatcher, "assess", in, &ok);
    if (rc || !ok) return rc;
    if (sc->fate == F_WITHDRAW)
        sched(s, idx, S_WITHDRAW, later(s, sc->t, 30, 600));
    else
        sched(s, idx, S_DISPATCH, later(s, sc->t, 2, 40));
    return FTZ_OK;
}

static ftz_rc step(sim *s, int idx)
{
    scase *sc = &s->cases[idx];
    ftz_ctx *c = s->c;
    c->clock = sc->t;
    bool ok = false;
    ftz_rc rc = FTZ_OK;
    switch (sc->stage) {
    case S_FILE:
        return step_file(s, idx);
    case S_ASSESS:
        return step_assess(s, idx);
    case S_DISPATCH:
        rc = fire(s, sc, s->dispatcher, "dispatch", json_object(), &ok);
        if (rc || !ok) return rc;
        plan_receive(s, idx);
        return FTZ_OK;
    case S_RETURN:
        rc = fire(s, sc, lead_staff(s, sc->wrong), "return",
                  json_pack("{s:s}", "reason",
                            ru(sc) ? "Вопрос не относится к компетенции нашего ведомства"
                                   : "该事项不属于本单位职责范围，请改派主责部门"),
                  &ok);
        if (rc || !ok) return rc;
        sched(s, idx, S_REDISPATCH, later(s, sc->t, 30, 480));
        return FTZ_OK;
    case S_REDISPATCH: {
        const tmpl *tp = &tmpls[sc->tmpl];
        json_t *in = json_pack("{s:I,s:s}", "lead_dept_id", (json_int_t)s->lead_dept[sc->lead],
                               "note", "已改派至主责部门办理");
        if (tp->assist) {
            int64_t a;
            if ((rc = dept_id(s, tp->assist, &a))) {
                json_decref(in);
                return rc;
            }
            json_object_set_new(in, "assist_dept_ids", json_pack("[I]", (json_int_t)a));
        }
        rc = fire(s, sc, s->dispatcher, "redispatch", in, &ok);
        if (rc || !ok) return rc;
        sc->wrong = -1;
        plan_receive(s, idx);
        return FTZ_OK;
    }
    case S_RECEIVE: {
        static const char *const notes[] = {"已签收，已电话联系企业负责人了解具体情况",
                                            "已签收，已与企业约定上门服务时间",
                                            "已签收，已通过微信工作群联系企业"};
        rc = fire(s, sc, lead_staff(s, sc->lead), "receive",
                  json_pack("{s:s}", "note", notes[rnd_int(&s->r, 0, 2)]), &ok);
        if (rc || !ok) return rc;
        if (rnd_pm(&s->r, 60)) { /* a visit noted on the timeline */
            sc->t += 60 * rnd_int(&s->r, 20, 120);
            c->clock = sc->t;
            rc = fire(s, sc, lead_staff(s, sc->lead), "comment",
                      json_pack("{s:s}", "note", "已赴企业现场查看，正在会同相关部门研究解决方案"),
                      &ok);
            if (rc || !ok) return rc;
        }
        int span = work_between(day_of(sc->t), sc->deadline_day);
        if (sc->ext && span >= 4) {
            sched(s, idx, S_REQ_EXT, on_workday(s, sc->t, rnd_int(&s->r, 1, span - 2)));
            return FTZ_OK;
        }
        plan_reply(s, idx);
        return FTZ_OK;
    }
    case S_REQ_EXT:
        rc = fire(s, sc, lead_staff(s, sc->lead), "request_extension",
                  json_pack("{s:i,s:s}", "days", rnd_int(&s->r, 3, 10), "reason",
                            ext_reasons[rnd_int(&s->r, 0, (int)FTZ_COUNTOF(ext_reasons) - 1)]),
                  &ok);
        if (rc || !ok) return rc;
        sched(s, idx, S_DECIDE_EXT, later(s, sc->t, 60, 480));
        return FTZ_OK;
    case S_DECIDE_EXT:
        if (rnd_pm(&s->r, 850)) {
            json_t *in = json_pack("{s:s}", "note", "同意延期，请在新的期限内办结");
            if (rnd_pm(&s->r, 300)) json_object_set_new(in, "days", json_integer(2));
            rc = fire(s, sc, s->dispatcher, "grant_extension", in, &ok);
        } else {
            rc = fire(s, sc, s->dispatcher, "refuse_extension",
                      json_pack("{s:s}", "reason", "该事项可在原时限内办结，请抓紧办理"), &ok);
        }
        if (rc || !ok) return rc;
        plan_reply(s, idx);
        return FTZ_OK;
    case S_REPLY: {
        int ti = topic_index(tmpls[sc->tmpl].topic);
        rc = fire(s, sc, lead_staff(s, sc->lead), "reply",
                  json_pack("{s:s}", "reply", ru(sc) ? replies_ru[ti] : replies_zh[ti]), &ok);
        if (rc || !ok) return rc;
        if (rnd_pm(&s->r, 15)) { /* the firm is never reached: stays replied */
            sc->stage = S_DONE;
            return FTZ_OK;
        }
        static const int lag[] = {300, 400, 180, 120};
        int n = rnd_pick(&s->r, lag, 4);
        sched(s, idx, S_EVALUATE, n == 0 ? later(s, sc->t, 60, 300) : on_workday(s, sc->t, n));
        return FTZ_OK;
    }
    case S_EVALUATE: {
        static const int first[] = {40, 60, 95, 280, 525}, again[] = {50, 90, 220, 380, 260};
        int sat = 1 + rnd_pick(&s->r, sc->rounds ? again : first, 5);
        bool solved = sat >= 4   ? rnd_pm(&s->r, 970)
                      : sat == 3 ? rnd_pm(&s->r, 550)
                                 : rnd_pm(&s->r, 100);
        rc = fire(s, sc, sc->evaluator, "evaluate",
                  json_pack("{s:b,s:i,s:s}", "solved", solved, "satisfaction", sat, "evaluation",
                            ru(sc) ? evals_ru[sat - 1] : evals_zh[sat - 1]),
                  &ok);
        if (rc || !ok) return rc;
        if (sat >= 3) {
            sc->open = false;
            sc->stage = S_DONE;
            return FTZ_OK;
        }
        /* reopened by the engine: handled again against a new deadline */
        sc->rounds++;
        sc->reply_plan = draw_reply_plan(s, true);
        plan_reply(s, idx);
        return FTZ_OK;
    }
    case S_WITHDRAW:
        rc = fire(s, sc, sc->filer, "withdraw",
                  json_pack("{s:s}", "reason",
                            rnd_pm(&s->r, 500) ? "企业问题已自行解决，申请撤回"
                                               : "企业已与相关部门直接沟通解决，申请撤回"),
                  &ok);
        if (rc || !ok) return rc;
        sc->open = false;
        sc->stage = S_DONE;
        return FTZ_OK;
    case S_REJECT:
        rc = fire(s, sc, s->dispatcher, "reject",
                  json_pack("{s:s}", "reason", out_of_scope[sc->oos].reason), &ok);
        if (rc || !ok) return rc;
        sc->open = false;
        sc->stage = S_DONE;
        return FTZ_OK;
    case S_MERGE: {
        const scase *orig = &s->cases[sc->dup_of];
        if (!orig->open) return step_assess(s, idx); /* the first is closed: a case of its own */
        rc = fire(s, sc, s->dispatcher, "merge",
                  json_pack("{s:I,s:s}", "into_id", (json_int_t)orig->id, "note",
                            "与已受理诉求重复，并单办理"),
                  &ok);
        if (rc || !ok) return rc;
        sc->open = false;
        sc->stage = S_DONE;
        return FTZ_OK;
    }
    default:
        return FTZ_OK;
    }
}

static ftz_rc sweep(sim *s, int64_t now)
{
    ftz_ctx *c = s->c;
    c->who = s->sys;
    ftz_err_init(&c->err, c->arena);
    int64_t r = 0, e = 0;
    ftz_rc rc = case_sweep(c, &demand_kind, now, &r, &e);
    if (rc) return rc;
    s->reminded += r;
    s->escalated += e;
    return FTZ_OK;
}

/* ---- set-up: accounts, firms, the filings ---- */

static ftz_rc principal(sim *s, const char *username, ftz_principal **out)
{
    ftz_ctx *c = s->c;
    int64_t uid;
    ftz_err_init(&c->err, c->arena);
    ftz_rc rc = auth_user_find(c, username, &uid);
    if (rc) return rc;
    return auth_load_principal(c, uid, out);
}

static void person(sim *s, char *out, size_t n)
{
    snprintf(out, n, "%s%s", surnames[rnd_int(&s->r, 0, (int)FTZ_COUNTOF(surnames) - 1)],
             given[rnd_int(&s->r, 0, (int)FTZ_COUNTOF(given) - 1)]);
}

/* The organisation code of generated firm i: "MA" and six characters of the credit-code
 * alphabet, a bijection of i (so all differ). */
static void org8_of(int i, char out[9])
{
    static const char alpha[] = "0123456789ABCDEFGHJKLMNPQRTUWXY";
    uint64_t x = ((uint64_t)(i + 1) * 7368787u) % 887503681u; /* 31^6 */
    out[0] = 'M';
    out[1] = 'A';
    for (int k = 7; k >= 2; k--) {
        out[k] = alpha[x % 31];
        x /= 31;
    }
    out[8] = '\0';
}

/* Creates the generated firms (and an account for every tenth), appended to s->firms. */
static ftz_rc make_firms(sim *s, ftz_arena *keep)
{
    ftz_ctx *c = s->c;
    int64_t invest, econ, station;
    ftz_rc rc;
    if ((rc = dept_id(s, "INVEST", &invest)) || (rc = dept_id(s, "ECON", &econ)) ||
        (rc = dept_id(s, "STATION", &station)))
        return rc;
    const int nw = (int)FTZ_COUNTOF(words), nt = (int)FTZ_COUNTOF(trades);
    for (int i = 0; i < N_GEN_FIRMS; i++) {
        ftz_arena_reset(s->scratch);
        ftz_err_init(&c->err, c->arena);
        int combo = (int)(((int64_t)i * 389) % (nw * nt)); /* 389 is prime to nw × nt */
        int w = combo % nw, t = combo / nw;
        sfirm *f = &s->firms[s->nfirms];
        memset(f, 0, sizeof *f);
        f->border = rnd_pm(&s->r, trades[t].border);
        f->station = f->border && rnd_pm(&s->r, 300);
        f->comm = i % N_COMM; /* round robin: the load is balanced */
        f->account = -1;
        char org8[9], code[19];
        org8_of(i, org8);
        if (demo_base_org8(org8)) org8_of(i + N_GEN_FIRMS, org8);
        demo_credit_code(org8, code);
        firm_in in = {0};
        in.credit_code = code;
        in.name_zh = ftz_arena_printf(c->arena, "黑河%s%s%s", words[w].zh, trades[t].zh,
                                      rnd_pm(&s->r, 750) ? "有限公司" : "有限责任公司");
        in.name_en = ftz_arena_printf(c->arena, "Heihe %s %s Co., Ltd.", words[w].py, trades[t].en);
        if (f->border)
            in.name_ru = ftz_arena_printf(c->arena, "ООО «%s %s» Хэйхэ", words[w].ru, trades[t].ru);
        in.status = "active";
        in.commissioner_id = s->comm[f->comm]->user_id;
        in.department_id = f->station ? station : trades[t].code[0] <= '4' ? econ : invest;
        in.industry = trades[t].code;
        in.cross_border = f->border ? 1 : 0;
        if (f->border) in.customs_code = ftz_arena_printf(c->arena, "23119%05d", 100 + i * 7);
        char rep[32];
        person(s, rep, sizeof rep);
        in.legal_rep = rep;
        if (f->station) {
            snprintf(f->contact, sizeof f->contact, "%s",
                     ru_names[rnd_int(&s->r, 0, (int)FTZ_COUNTOF(ru_names) - 1)]);
            snprintf(f->phone, sizeof f->phone, "+7 (4162) %02d-%02d-%02d", rnd_int(&s->r, 20, 99),
                     rnd_int(&s->r, 10, 99), rnd_int(&s->r, 10, 99));
        } else {
            person(s, f->contact, sizeof f->contact);
            if (rnd_pm(&s->r, 500))
                snprintf(f->phone, sizeof f->phone, "0456-8%06d", rnd_int(&s->r, 100000, 999999));
            else
                snprintf(f->phone, sizeof f->phone, "13%d%08d", rnd_int(&s->r, 0, 9),
                         rnd_int(&s->r, 10000000, 99999999));
        }
        in.contact_name = f->contact;
        in.contact_phone = f->phone;
        if (rnd_pm(&s->r, 600))
            in.contact_email =
                ftz_arena_printf(c->arena, "office@%s-%s.cn", words[w].slug, trades[t].slug);
        in.address = ftz_arena_printf(c->arena, "黑龙江省黑河市%s%d号",
                                      streets[rnd_int(&s->r, 0, (int)FTZ_COUNTOF(streets) - 1)],
                                      rnd_int(&s->r, 1, 399));
        if ((rc = firm_create(c, &in, &f->id))) return rc;
        s->nfirms++;
        if (i % 10 == 0) { /* an account of its own: files online, evaluates replies */
            const char *roles[] = {"firm"};
            auth_user_in u = {0};
            u.username = ftz_arena_printf(c->arena, "firm-%03d", i + 1);
            u.password = FTZ_DEMO_PASSWORD;
            u.display_name = ftz_arena_printf(c->arena, "%s%s", words[w].zh, trades[t].zh);
            u.roles = roles;
            u.nroles = 1;
            u.firm_id = f->id;
            u.lang = f->station ? "ru" : "zh";
            int64_t uid;
            if ((rc = auth_user_create(c, &u, &uid))) return rc;
            c->arena = keep; /* the principal outlives the step */
            rc = auth_load_principal(c, uid, &s->accounts[s->naccounts]);
            c->arena = s->scratch;
            if (rc) return rc;
            f->account = s->naccounts++;
        }
    }
    return FTZ_OK;
}

/* A firm for a filing on channel ch; may change the channel when no firm fits. */
static int pick_firm(sim *s, const char **ch)
{
    for (int tries = 0; tries < 200; tries++) {
        int i = rnd_int(&s->r, 0, s->nfirms - 1);
        const sfirm *f = &s->firms[i];
        if (strcmp(*ch, "online") == 0 && f->account < 0) continue;
        if (strcmp(*ch, "station") == 0 && !f->station) continue;
        if ((strcmp(*ch, "commissioner") == 0 || strcmp(*ch, "visit") == 0) && f->comm < 0)
            continue;
        return i;
    }
    *ch = "hotline";
    return rnd_int(&s->r, 0, s->nfirms - 1);
}

static int pick_tmpl(sim *s, const sfirm *f, const char *ch)
{
    bool want_ru = strcmp(ch, "station") == 0 ||
                   (f->station && strcmp(ch, "online") == 0 && rnd_pm(&s->r, 500));
    bool want_border = f->border && rnd_pm(&s->r, 450);
    for (int tries = 0; tries < 500; tries++) {
        int i = rnd_int(&s->r, 0, (int)FTZ_COUNTOF(tmpls) - 1);
        const tmpl *tp = &tmpls[i];
        if ((strcmp(tp->lang, "ru") == 0) != want_ru) continue;
        if (!want_ru && tp->border != want_border) continue;
        return i;
    }
    return 0;
}

/* A recent open case to be the original of a duplicate, or -1. */
static int pick_original(sim *s, int64_t t)
{
    int found[64], n = 0;
    for (int i = 0; i < s->ncases && n < 64; i++) {
        const scase *o = &s->cases[i];
        if (o->id && o->open && o->oos < 0 && o->fate == F_NORMAL && o->filed < t &&
            t - o->filed < 6 * 86400)
            found[n++] = i;
    }
    return n ? found[rnd_int(&s->r, 0, n - 1)] : -1;
}

/* Draws every filing of the period (day, instant, channel, firm, matter, fate) and queues it. */
static void plan_filings(sim *s)
{
    const ftz_date d0 = ftz_date_ymd(2024, 1, 2), d1 = ftz_date_ymd(2024, 4, 30);
    const int ndays = d1 - d0 + 1;
    int64_t *w = ftz_calloc((size_t)ndays, sizeof *w);
    int64_t total = 0;
    for (int k = 0; k < ndays; k++) {
        int y, m, d;
        ftz_date_split(d0 + k, &y, &m, &d);
        static const int month[] = {0, 1000, 800, 1150, 1100};
        w[k] = is_workday(d0 + k) ? (int64_t)month[m] * rnd_int(&s->r, 700, 1300) / 1000 : 110;
        total += w[k];
    }
    static const char *const chans[] = {"window", "hotline", "online",      "visit",
                                        "salon",  "station", "commissioner"};
    static const int chan_w[] = {170, 220, 230, 60, 60, 80, 180};
    int64_t cum = 0;
    int made = 0;
    for (int k = 0; k < ndays; k++) {
        cum += w[k];
        int upto = (int)(cum * N_DEMANDS / total);
        ftz_date day = d0 + k;
        bool work = is_workday(day);
        for (; made < upto; made++) {
            scase *sc = &s->cases[s->ncases];
            memset(sc, 0, sizeof *sc);
            sc->oos = -1;
            sc->wrong = -1;
            sc->dup_of = -1;
            sc->channel = work ? chans[rnd_pick(&s->r, chan_w, 7)] : "online";
            sc->t = work ? instant(day, rnd_int(&s->r, WORK_START, WORK_END))
                         : instant(day, rnd_int(&s->r, 8 * 60, 22 * 60));
            sc->firm = pick_firm(s, &sc->channel);
            const sfirm *f = &s->firms[sc->firm];
            sc->tmpl = pick_tmpl(s, f, sc->channel);
            sc->lead = tmpls[sc->tmpl].lead;
            static const int fates[] = {958, 12, 15, 15}; /* normal, withdraw, reject, merge */
            sc->fate = rnd_pick(&s->r, fates, 4);
            if (sc->fate == F_REJECT) {
                if (strcmp(sc->channel, "station") == 0)
                    sc->fate = F_NORMAL;
                else
                    sc->oos = rnd_int(&s->r, 0, (int)FTZ_COUNTOF(out_of_scope) - 1);
            }
            sc->withdraw_after = rnd_pm(&s->r, 400);
            if (rnd_pm(&s->r, 60)) {
                sc->wrong = rnd_int(&s->r, 0, NLEADS - 2);
                if (sc->wrong >= sc->lead) sc->wrong++;
            }
            sc->late_receive = rnd_pm(&s->r, 45);
            sc->ext = rnd_pm(&s->r, 110);
            sc->reply_plan = draw_reply_plan(s, false);
            s->ncases++;
        }
    }
    ftz_free(w);
}

/* Who files and who evaluates, by channel; a duplicate takes its original's firm and matter
 * (decided when filed: the original must exist by then). */
static void cast(sim *s, int idx)
{
    scase *sc = &s->cases[idx];
    if (sc->fate == F_MERGE) {
        int o = pick_original(s, sc->t);
        if (o < 0) {
            sc->fate = F_NORMAL;
        } else {
            sc->dup_of = o;
            sc->firm = s->cases[o].firm;
            sc->tmpl = s->cases[o].tmpl;
            sc->lead = s->cases[o].lead;
            sc->channel = "hotline";
            sc->wrong = -1;
        }
    }
    const sfirm *f = &s->firms[sc->firm];
    const char *ch = sc->channel;
    sc->evaluator = s->dispatcher; /* the follow-up call */
    if (strcmp(ch, "window") == 0) {
        sc->filer = s->window;
    } else if (strcmp(ch, "online") == 0) {
        sc->filer = s->accounts[f->account];
        sc->evaluator = sc->filer;
    } else if (strcmp(ch, "station") == 0) {
        sc->filer = s->station;
    } else if (strcmp(ch, "commissioner") == 0 || strcmp(ch, "visit") == 0) {
        sc->filer = s->comm[f->comm];
        sc->evaluator = sc->filer;
    } else {
        sc->filer = s->dispatcher; /* hotline, salon */
    }
}

/* ---- the run ---- */

/* The history is a bulk generator: while it runs, this connection commits without waiting
 * for the disk (SQLite synchronous=OFF, PostgreSQL synchronous_commit off); then the usual
 * durability again (FTZ_SQLITE_SYNC=NORMAL as the SQLite backend reads it at open, else FULL). */
static ftz_rc durability(ftz_ctx *c, bool bulk)
{
    if (ftz_db_kind(c->db) == FTZ_DB_SQLITE) {
        const char *env = getenv("FTZ_SQLITE_SYNC");
        bool normal = env && strcmp(env, "NORMAL") == 0;
        return ftz_db_exec(c->db, bulk     ? "PRAGMA synchronous=OFF"
                                  : normal ? "PRAGMA synchronous=NORMAL"
                                           : "PRAGMA synchronous=FULL");
    }
    return ftz_db_exec(c->db, bulk ? "SET synchronous_commit TO off"
                                   : "SET synchronous_commit TO DEFAULT");
}

static ftz_rc run(sim *s, ftz_arena *keep)
{
    ftz_ctx *c = s->c;
    ftz_rc rc;
    if ((rc = demo_depts_ensure(c)) || (rc = demo_users_ensure(c, true))) return rc;
    /* principals live in the command's arena; each step's garbage in the scratch one */
    if ((rc = principal(s, "dispatcher", &s->dispatcher)) ||
        (rc = principal(s, "window", &s->window)) || (rc = principal(s, "station", &s->station)))
        return rc;
    for (int i = 0; i < N_COMM; i++) {
        char name[32];
        if (i == 0)
            snprintf(name, sizeof name, "commissioner");
        else
            snprintf(name, sizeof name, "commissioner%d", i + 1);
        if ((rc = principal(s, name, &s->comm[i]))) return rc;
    }
    for (int i = 0; i < NLEADS; i++) {
        if ((rc = principal(s, leads[i].user, &s->lead[i]))) return rc;
        if ((rc = dept_id(s, leads[i].dept, &s->lead_dept[i]))) return rc;
    }
    /* the five named firms: the first has the `firm` account, the first three a commissioner */
    int64_t base[DEMO_NBASE_FIRMS];
    if ((rc = demo_base_firm_ids(c, base))) return rc;
    if ((rc = principal(s, "firm", &s->accounts[0]))) return rc;
    s->naccounts = 1;
    for (int i = 0; i < DEMO_NBASE_FIRMS; i++) {
        sfirm *f = &s->firms[s->nfirms++];
        memset(f, 0, sizeof *f);
        f->id = base[i];
        f->comm = i < 3 ? 0 : -1;
        f->account = i == 0 ? 0 : -1;
        f->border = i != 2 && i != 3;
        snprintf(f->contact, sizeof f->contact, "%s", i == 0 ? "刘经理" : "王经理");
        snprintf(f->phone, sizeof f->phone, "0456-822%04d", 1000 + i * 37);
    }

    c->arena = s->scratch;
    rc = make_firms(s, keep);
    if (rc) return rc;

    plan_filings(s);
    for (int i = 0; i < s->ncases; i++) {
        s->cases[i].stage = S_FILE;
        heap_push(s, s->cases[i].t, i);
    }
    int64_t next_sweep = instant(ftz_date_ymd(2024, 1, 2), 9 * 60);
    for (;;) {
        ftz_arena_reset(s->scratch);
        ftz_err_init(&c->err, c->arena);
        int64_t head = s->nheap ? s->heap[0].t : INT64_MAX;
        if (next_sweep <= s->end && next_sweep <= head) {
            if ((rc = sweep(s, next_sweep))) return rc;
            next_sweep += 86400;
            continue;
        }
        if (!s->nheap) break;
        hent h = heap_pop(s);
        if (s->cases[h.idx].stage == S_FILE) cast(s, h.idx);
        if ((rc = step(s, h.idx))) return rc;
    }
    return FTZ_OK;
}

static const char *dup_or_null(ftz_arena *a, const char *s)
{
    return s ? ftz_arena_strdup(a, s) : NULL;
}

/* Moves the error out of the scratch arena (which goes) into keep, for the caller's report. */
static void err_keep(ftz_ctx *c, ftz_arena *keep)
{
    ftz_err old = c->err;
    ftz_err_init(&c->err, keep);
    for (size_t i = 0; i < old.nfields; i++)
        ftz_err_field(&c->err, dup_or_null(keep, old.fields[i].field),
                      dup_or_null(keep, old.fields[i].code),
                      dup_or_null(keep, old.fields[i].param));
    if (old.rc && old.code)
        ftz_err_set(&c->err, old.rc, dup_or_null(keep, old.code), dup_or_null(keep, old.param));
    else if (old.rc && !c->err.rc)
        c->err.rc = old.rc;
}

ftz_rc demo_history_run(ftz_ctx *c)
{
    sim s;
    memset(&s, 0, sizeof s);
    s.c = c;
    s.r.s = SEED;
    s.sys = c->who;
    s.end = instant(ftz_date_ymd(2024, 4, 30), 18 * 60);
    s.scratch = ftz_arena_new();
    s.firms = ftz_calloc(N_GEN_FIRMS + DEMO_NBASE_FIRMS, sizeof *s.firms);
    s.accounts = ftz_calloc(N_GEN_FIRMS / 10 + 2, sizeof *s.accounts);
    s.cases = ftz_calloc(N_DEMANDS + 1, sizeof *s.cases);
    s.heap = ftz_calloc(N_DEMANDS + 1, sizeof *s.heap);
    ftz_arena *keep = c->arena;
    ftz_rc rc = durability(c, true);
    if (rc == FTZ_OK) {
        rc = run(&s, keep);
        c->arena = keep;
        c->who = s.sys;
        c->clock = 0;
        if (rc == FTZ_OK) rc = demo_window_history_run(c);
        if (rc == FTZ_OK) rc = demo_outreach_history_run(c);
        err_keep(c, keep);
        ftz_rc rc2 = durability(c, false);
        if (rc == FTZ_OK) rc = rc2;
    }
    if (rc == FTZ_OK) {
        printf("ftz: demo history 2024-01-02…2024-04-30: %d firms, %d demands, %lld reminders, "
               "%lld escalations\n",
               s.nfirms, s.ncases, (long long)s.reminded, (long long)s.escalated);
        if (s.refused)
            printf("ftz: warning: the case engine refused %d demo steps (see the log)\n",
                   s.refused);
    }
    ftz_free(s.heap);
    ftz_free(s.cases);
    ftz_free(s.accounts);
    ftz_free(s.firms);
    ftz_arena_free(s.scratch);
    return rc;
}
