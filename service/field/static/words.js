// The words the app shows: the service's codes in Chinese (service/visits/rules.py KIND_LABELS,
// service/demands/rules.py CATEGORY_LABELS, service/reports/rules.py NEED_LABELS), and the
// server's reasons for refusing a visit, in words a cadre can act on.

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

const FIELDS = {
  visited_at: '走访时间', kind: '走访方式', diary: '民情日记', help_given: '帮扶情况',
  card_code: '连心卡编码', household_id: '农户', location: '位置', demands: '诉求', id: '编号',
};
const MESSAGES = [
  [/in the future/, '不能晚于现在'],
  [/before the pairing started/, '早于包联开始的日子'],
  [/does not match/, '与该户的连心卡不符，请核对'],
  [/[Ll]onger than|at most|maximum length/, '太长了'],
  [/required|[Mm]issing data/, '不能为空'],
  [/NUL|surrogate|not allowed/, '含有无法保存的字符'],
];

function message(text) {
  for (const [pattern, words] of MESSAGES) if (pattern.test(text)) return words;
  return '不符合要求';
}

/** Why the server refused a visit, in Chinese (the server's own words stay beside it). */
export function reason(problem) {
  if (!problem) return '服务器退回了这条记录';
  switch (problem.code) {
    case 'validation_failed': {
      const errors = problem.errors || {};
      const parts = Object.keys(errors).map((field) => {
        const top = field.split('.')[0];
        return (FIELDS[top] || field) + message([].concat(errors[field]).join(' '));
      });
      return parts.length ? parts.join('；') : '内容不符合要求';
    }
    case 'forbidden': return '您不是该户的包联干部，或走访那天包联已结束';
    case 'id_conflict': return '这条记录曾以不同内容提交过，请修改后重新保存';
    case 'too_many_wrong_cards': return '连心卡编码错误次数过多，请稍后再试';
    case 'conflict': return '服务器未能保存这条记录，请稍后重试';
    case 'payload_too_large': return '这条记录太大，发送不了：请缩短民情日记后重新保存';
    default: return '服务器退回了这条记录（' + problem.code + '）';
  }
}
