"""The one table of labels (SPEC §15 "one set of labels"): every enum the API uses, each of its
codes in the Chinese the county reads. Whatever prints a label takes it from here: the roster
templates and imports, exports, disclosures, the field client (through GET /api/v1/labels)
and any console. Difficulty reads as doc 003 says it (line 28): 难度最大 / 难度较大 / 难度较小.

Plain Python, so rules and reports use it. The Chinese is the label itself; the English
catalog (service/translations/en) translates each one for `Accept-Language: en`, which is why
each is marked N_("…"). tests/unit/test_labels.py holds each enum's codes to the codes the
models and schemas use.
"""

from service.messages import N_, Message

LABELS: dict[str, dict[str, str]] = {
    # A cadre's rank (cadres.rules.RANKS).
    "rank": {
        "county_level": N_("县级领导"),
        "section_chief": N_("正科级"),
        "deputy_section_chief": N_("副科级"),
        "general": N_("一般干部"),
    },
    # How hard prosperity is for a household (households.rules.DIFFICULTIES), doc 003's words.
    "difficulty": {
        "hardest": N_("难度最大"),
        "harder": N_("难度较大"),
        "easier": N_("难度较小"),
    },
    # A household's needs (households.rules.NEEDS), also a task's category.
    "need": {
        "low_income": N_("低收入增收"),
        "school_dropout": N_("失学返校"),
        "unemployed_labor": N_("劳动力就业"),
        "entrepreneurship": N_("创业扶持"),
        "skills_training": N_("技能培训"),
        "large_grower": N_("大户技术支持"),
        "college_grad_official": N_("大学生村官创业"),
    },
    # The task a need calls for (a task's `category`), as doc 003 line 18 names each one.
    "task_kind": {
        "low_income": N_("完成增收任务"),
        "school_dropout": N_("筹集学费、完成义务教育"),
        "unemployed_labor": N_("帮助劳动力就业"),
        "entrepreneurship": N_("筹集启动资金、打开销售市场"),
        "skills_training": N_("联系部门进行培训"),
        "large_grower": N_("提供技术支持"),
        "college_grad_official": N_("提供信息、开办创业园区"),
    },
    # Where a task came from (a task's `source`, tasks.rules.SOURCES).
    "task_source": {
        "generated": N_("按需求生成"),
        "manual": N_("手工添加"),
    },
    "task_status": {
        "open": N_("未开始"),
        "in_progress": N_("进行中"),
        "done": N_("已完成"),
        "verified": N_("已验收"),
    },
    "demand_status": {
        "open": N_("待办理"),
        "in_progress": N_("办理中"),
        "resolved": N_("已办结"),
        "confirmed": N_("已确认"),
    },
    # The everyday problems of doc 003 line 22 (demands.rules.CATEGORIES).
    "demand_category": {
        "fake_seeds": N_("假种子"),
        "harvest_help": N_("秋收帮忙"),
        "housing_repair": N_("房屋漏雨"),
        "winter_heating": N_("冬季取暖用煤"),
        "tuition": N_("失学孩子学费"),
        "dispute_mediation": N_("矛盾调解"),
        "sick_care": N_("五保户生病照看"),
        "left_behind_children": N_("留守儿童照顾"),
        "unpaid_wages": N_("打工欠薪"),
        "road_repair": N_("修路"),
        "water_supply": N_("通水"),
        "other": N_("其他"),
    },
    "visit_kind": {
        "home_visit": N_("入户走访"),
        "stay_overnight": N_("住村（同吃同住）"),
        "shared_labor": N_("同劳动"),
        "heart_to_heart": N_("民情恳谈"),
        "reception": N_("接待来访"),
        "phone": N_("电话联系"),
    },
    # What a supervisor sees on a visit (never shown publicly).
    "visit_flag": {
        "late_entry": N_("补录"),
        "far_from_village": N_("位置远离本村"),
        "duplicate_suspect": N_("疑似重复"),
        "night_time": N_("夜间"),
        "too_many_today": N_("当日过多"),
    },
    "role": {
        "county_admin": N_("县级管理员"),
        "unit_admin": N_("单位管理员"),
        "cadre": N_("包联干部"),
        "inspector": N_("督查员"),
    },
    "audit_action": {
        "create": N_("新建"),
        "update": N_("修改"),
        "end": N_("结束"),
        "delete": N_("删除"),
        "transition": N_("变更状态"),
        "publish": N_("发布"),
        "handover": N_("交接"),
        "import": N_("导入"),
        "login_failed": N_("登录失败"),
    },
    # What an audit event is about (audit.rules.RECORD_TYPES).
    "record_type": {
        "township": N_("乡镇"),
        "village": N_("村"),
        "unit": N_("单位"),
        "cadre": N_("干部"),
        "household": N_("农户"),
        "village_assignment": N_("包村"),
        "pairing": N_("联户"),
        "party_organization": N_("党组织"),
        "contact_point": N_("联系点"),
        "task": N_("包扶任务"),
        "demand": N_("诉求"),
        "visit": N_("走访"),
        "inspection": N_("督查"),
        "disclosure": N_("公示"),
        "user": N_("账号"),
        "pairing_plan": N_("包联方案"),
    },
    # Why a pairing plan leaves a household without a cadre (planner.rules).
    "uncovered_reason": {
        "no_unit_holds_the_village": N_("该村没有包村单位"),
        "no_cadre_of_the_matching_rank_with_free_quota":
            N_("包村单位没有相应职级且有空余名额的干部"),
    },
    "organization_kind": {
        "village_branch": N_("村党支部"),
        "non_public_economic": N_("非公有制经济组织党组织"),
        "social_organization": N_("社会组织党组织"),
    },
    # A contact point a leader still lacks (R7; coverage's `missing`).
    "contact_point_gap": {
        "weak_village_branch": N_("较差村党支部"),
        "non_public_economic": N_("非公有制经济组织党组织"),
        "social_organization": N_("社会组织党组织"),
    },
    # Where a village's disclosure of a month stands (disclosures.months.STATUSES).
    "publication_status": {
        "published": N_("已公示"),
        "unpublished": N_("未公示"),
        "no_unit": N_("无包村单位"),
    },
    # The fields an audit event or a household's timeline names (audit.rules: every audited
    # column of the audited records, and a household's needs).
    "field": {
        "accuracy_m": N_("定位精度（米）"),
        "active": N_("启用"),
        "applied_at": N_("应用时间"),
        "cadre_id": N_("干部"),
        "card_code": N_("连心卡编号"),
        "card_scanned": N_("扫连心卡"),
        "category": N_("类别"),
        "closed_on": N_("关闭日期"),
        "closed_reason": N_("关闭原因"),
        "code": N_("代码"),
        "confirmed_at": N_("确认时间"),
        "correction_reason": N_("更正原因"),
        "corrects_id": N_("更正的公示"),
        "created_by": N_("创建人"),
        "description": N_("说明"),
        "diary": N_("民情日记"),
        "difficulty": N_("困难程度"),
        "direct": N_("直接联系"),
        "due_on": N_("到期日"),
        "end_reason": N_("结束原因"),
        "ended_on": N_("结束日期"),
        "flags": N_("提示"),
        "head_cadre_id": N_("一把手"),
        "head_name": N_("户主姓名"),
        "help_given": N_("帮办事项"),
        "household_id": N_("农户"),
        "id_number": N_("身份证号"),
        "in_progress_at": N_("开始办理时间"),
        "income_per_capita": N_("人均年收入"),
        "inspected_on": N_("督查日期"),
        "inspector_id": N_("督查人员"),
        "kind": N_("类型"),
        "latitude": N_("纬度"),
        "longitude": N_("经度"),
        "members": N_("家庭人口"),
        "month": N_("月份"),
        "name": N_("名称"),
        "needs": N_("帮扶需求"),
        "notes": N_("备注"),
        "opened_at": N_("提出时间"),
        "organization_id": N_("党组织"),
        "override_reason": N_("例外理由"),
        "pairing_id": N_("联户"),
        "password_hash": N_("密码"),
        "phone": N_("联系电话"),
        "previous_sha256": N_("上一份校验码"),
        "published_at": N_("公示时间"),
        "published_by": N_("公示人"),
        "rank": N_("职级"),
        "received_at": N_("收到时间"),
        "resolution": N_("办理结果"),
        "resolved_at": N_("办结时间"),
        "revision": N_("版本"),
        "role": N_("角色"),
        "scope": N_("范围"),
        "seq": N_("序号"),
        "sha256": N_("校验码"),
        "skills": N_("专长"),
        "source": N_("来源"),
        "started_on": N_("开始日期"),
        "status": N_("状态"),
        "target": N_("目标"),
        "token_version": N_("登录凭证版本"),
        "totals": N_("合计"),
        "township_id": N_("乡镇"),
        "unit_id": N_("单位"),
        "username": N_("用户名"),
        "village_id": N_("村"),
        "visit_id": N_("走访"),
        "visited_at": N_("走访时间"),
        "weak": N_("软弱涣散"),
    },
    # What a household said when inspected (inspections.rules.SATISFACTION).
    "satisfaction": {
        "satisfied": N_("满意"),
        "basically_satisfied": N_("基本满意"),
        "dissatisfied": N_("不满意"),
    },
}


def label(enum: str, code: str) -> str:
    """The Chinese label of a code (KeyError for a code the enum does not have)."""
    return LABELS[enum][code]


def labels_of(enum: str) -> list[str]:
    """An enum's labels in the order of its codes (drop-down lists, messages)."""
    return list(LABELS[enum].values())


def codes_by_label(enum: str) -> dict[str, str]:
    """{label: code}: how a printed label reads back (roster imports)."""
    return {word: code for code, word in LABELS[enum].items()}


def word(enum: str, code: str) -> Message:
    """A label inside a message: Chinese, or English under Accept-Language: en."""
    return Message(label(enum, code))


def localized(translations) -> dict[str, dict[str, str]]:
    """The whole table in the language of `translations`."""
    return {enum: {code: translations.gettext(text) for code, text in codes.items()}
            for enum, codes in LABELS.items()}
