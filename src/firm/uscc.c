/* uscc.c — check characters of the unified social credit code (GB 32100-2015) and of the
 * organisation code (GB 11714-1997), see uscc.h. Pure functions, no allocation. */
#include "core/ftz_setup.h"
#include "firm/uscc.h"

#include <string.h>

static const char uscc_alphabet[] = "0123456789ABCDEFGHJKLMNPQRTUWXY";

/* The value (0..30) of c in the USCC alphabet, or -1. */
static int uscc_value(char c)
{
    if (c == '\0') return -1;
    const char *p = strchr(uscc_alphabet, c);
    return p ? (int)(p - uscc_alphabet) : -1;
}

/* The value (0..35) of an organisation-code body character, or -1. */
static int org_value(char c)
{
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'A' && c <= 'Z') return c - 'A' + 10;
    return -1;
}

char firm_uscc_check_char(const char *first17)
{
    /* 3^i mod 31 for i = 0..16 (domain/firm.md). */
    static const int w[17] = {1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28};
    if (!first17) return '\0';
    int sum = 0;
    for (int i = 0; i < 17; i++) {
        int v = uscc_value(first17[i]);
        if (v < 0) return '\0';
        sum += v * w[i];
    }
    int c = 31 - sum % 31;
    return uscc_alphabet[c == 31 ? 0 : c];
}

char firm_orgcode_check_char(const char *first8)
{
    static const int w[8] = {3, 7, 9, 10, 5, 8, 4, 2};
    if (!first8) return '\0';
    int sum = 0;
    for (int i = 0; i < 8; i++) {
        int v = org_value(first8[i]);
        if (v < 0) return '\0';
        sum += v * w[i];
    }
    int c = 11 - sum % 11;
    if (c == 10) return 'X';
    if (c == 11) return '0';
    return (char)('0' + c);
}

bool firm_orgcode_valid(const char *code)
{
    if (!code || strnlen(code, 10) != 9) return false;
    char c = firm_orgcode_check_char(code);
    return c != '\0' && c == code[8];
}

bool firm_uscc_valid(const char *code, const char **why)
{
    const char *rule = NULL;
    if (!code || strnlen(code, 19) != 18) {
        rule = "length";
    } else {
        for (int i = 0; i < 18 && !rule; i++)
            if (uscc_value(code[i]) < 0) rule = "charset";
        if (!rule && firm_uscc_check_char(code) != code[17]) rule = "check_digit";
        if (!rule && firm_orgcode_check_char(code + 8) != code[16]) rule = "org_check_digit";
    }
    if (why) *why = rule;
    return rule == NULL;
}

/* GB 32100-2015, table 1: registration authorities and the firm types each registers. */
static const struct {
    char authority;
    const char *name;
    const char *types; /* "1机关|2事业单位|…": a type code then its name, '|'-separated */
} authorities[] = {
    {'1', "机构编制", "1机关|2事业单位|3中央编办直接管理机构编制的群众团体|9其他"},
    {'2', "外交", "1外国常驻新闻机构|9其他"},
    {'3', "司法行政", "1律师执业机构|2公证处|3基层法律服务所|4司法鉴定机构|5仲裁委员会|9其他"},
    {'4', "文化", "1外国在华文化中心|9其他"},
    {'5', "民政", "1社会团体|2民办非企业单位|3基金会|9其他"},
    {'6', "旅游", "1外国旅游部门常驻代表机构|2港澳台地区旅游部门常驻内地（大陆）代表机构|9其他"},
    {'7', "宗教", "1宗教活动场所|2宗教院校|9其他"},
    {'8', "工会", "1基层工会|9其他"},
    {'9', "工商", "1企业|2个体工商户|3农民专业合作社"},
    {'A', "中央军委改革和编制办公室", "1军队事业单位|9其他"},
    {'N', "农业", "1组级集体经济组织|2村级集体经济组织|3乡镇级集体经济组织|9其他"},
    {'Y', "其他", "1其他"},
};

static const struct {
    const char *code, *name;
} provinces[] = {
    {"10", "国家"},           {"11", "北京市"},           {"12", "天津市"},
    {"13", "河北省"},         {"14", "山西省"},           {"15", "内蒙古自治区"},
    {"21", "辽宁省"},         {"22", "吉林省"},           {"23", "黑龙江省"},
    {"31", "上海市"},         {"32", "江苏省"},           {"33", "浙江省"},
    {"34", "安徽省"},         {"35", "福建省"},           {"36", "江西省"},
    {"37", "山东省"},         {"41", "河南省"},           {"42", "湖北省"},
    {"43", "湖南省"},         {"44", "广东省"},           {"45", "广西壮族自治区"},
    {"46", "海南省"},         {"50", "重庆市"},           {"51", "四川省"},
    {"52", "贵州省"},         {"53", "云南省"},           {"54", "西藏自治区"},
    {"61", "陕西省"},         {"62", "甘肃省"},           {"63", "青海省"},
    {"64", "宁夏回族自治区"}, {"65", "新疆维吾尔自治区"}, {"71", "台湾省"},
    {"81", "香港特别行政区"}, {"82", "澳门特别行政区"},
};

/* Copies the name after type code t in a "1名|2名" list into out (size n); "" when absent. */
static void type_name(const char *types, char t, char *out, size_t size)
{
    out[0] = '\0';
    for (const char *p = types; *p;) {
        const char *bar = strchr(p, '|');
        size_t n = bar ? (size_t)(bar - p) : strlen(p);
        if (p[0] == t && n > 1 && n - 1 < size) {
            memcpy(out, p + 1, n - 1);
            out[n - 1] = '\0';
            return;
        }
        p += n + (bar ? 1 : 0);
    }
}

bool firm_uscc_split(const char *code, firm_uscc_parts *out)
{
    memset(out, 0, sizeof(*out));
    if (!code || strlen(code) != 18) return false;
    out->authority = code[0];
    out->type = code[1];
    memcpy(out->region, code + 2, 6);
    memcpy(out->org_code, code + 8, 9);
    for (size_t i = 0; i < sizeof authorities / sizeof authorities[0]; i++) {
        if (authorities[i].authority == code[0]) {
            out->authority_name = authorities[i].name;
            type_name(authorities[i].types, code[1], out->type_name, sizeof out->type_name);
        }
    }
    for (size_t i = 0; i < sizeof provinces / sizeof provinces[0]; i++)
        if (memcmp(provinces[i].code, code + 2, 2) == 0) out->province = provinces[i].name;
    return true;
}
