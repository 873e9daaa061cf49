"""HTTP for the annual evaluation of cadres."""

from flask.views import MethodView

from service.api import Blueprint, as_format, formats
from service.auth import require
from service.evaluation import schemas as s
from service.evaluation.services import evaluation_rows
from service.reports.render import csv_text
from service.web import context

blp = Blueprint("evaluation", __name__, url_prefix="/api/v1/reports",
                description="年度考核: the annual evaluation of cadres' contact work")

COLUMNS = ("县内排名", "单位内排名", "干部", "单位", "得分", "结对月数", "有直接走访月数",
           "直接走访次数", "任务完成率", "诉求解决率", "诉求解决中位天数", "督查知晓率",
           "督查满意率", "临检/月底突击走访", "只在群众上门后走访", "最长走访间隔天数")


def _csv(body: dict) -> str:
    rows = []
    for c in body["cadres"]:
        p = c["patterns"]
        rows.append((c["rank_in_county"], c["rank_in_unit"], c["cadre"], c["unit"], c["score"],
                    c["months_paired"], c["months_with_direct_visit"], c["direct_visits"],
                    c["tasks"]["completion"], c["demands"]["resolution_rate"],
                    c["demands"]["median_days"], c["inspections"]["knowledge_rate"],
                    c["inspections"]["satisfaction_rate"],
                    "是" if p["bunched"]["found"] else "否",
                    "是" if p["demand_led"]["found"] else "否",
                    p["long_gaps"]["longest_gap_days"]))
    return csv_text(COLUMNS, rows)


@blp.route("/evaluation")
class Evaluation(MethodView):
    @require("county_admin", "unit_admin")
    @blp.arguments(s.EvaluationQuery, location="query")
    @blp.response(200, s.EvaluationOut)
    @blp.doc(responses=formats(s.EvaluationOut, "csv"))
    def get(self, args):
        """The year's evaluation of every paired cadre (parts, failure patterns, score, rank
        in the unit and the county), a page at a time in rank order, filtered by unit or
        township (a unit admin: its own unit's cadres); the CSV has every cadre the filters
        keep."""
        ctx = context()
        whole = args["format"] == "csv"
        body = evaluation_rows(ctx, args["year"], args, None if whole else args["page"],
                               args["per_page"])
        ctx.session.commit()  # a newly computed evaluation is kept for the next reader
        return as_format(body, args["format"], _csv, None, f"evaluation-{args['year']}")
