// The words the app shows: the service's codes in Chinese (service/visits/rules.py KIND_LABELS,
// service/demands/rules.py CATEGORY_LABELS, service/reports/rules.py NEED_LABELS). Why the
// server refused something is the server's own words (its problem's detail), already Chinese.

export const KINDS = {
  home_visit: '入户走访', stay_overnight: '住村（同吃同住）', shared_labor: '同劳动',
  heart_to_heart: '民情恳谈', reception: '接待来访', phone: '电话联系',
};
export const DEMANDS = {
  fake_seeds: '假种子', harvest_help: '秋收帮忙', housing_repair: '房屋漏雨',
  winter_heating: '冬季取暖用煤', tuition: '失学孩子学费', dispute_mediation: '矛盾调解',
  sick_care: '五保户生病照看', left_behind_children: '留守儿童照顾', unpaid_wages: '打工欠薪',
  road_repair: '修路', water_supply: '通水', other: '其他',
};
export const NEEDS = {
  low_income: '低收入增收', school_dropout: '失学返校', unemployed_labor: '劳动力就业',
  entrepreneurship: '创业扶持', skills_training: '技能培训', large_grower: '大户技术支持',
  college_grad_official: '大学生村官创业',
};
export const DIFFICULTY = { hardest: '难度最大', harder: '难度较大', easier: '难度较小' };
export const TASK_STATUS = { open: '未开始', in_progress: '进行中', done: '已完成', verified: '已验收' };
export const DEMAND_STATUS = { open: '待办理', in_progress: '办理中', resolved: '已办结', confirmed: '已确认' };
