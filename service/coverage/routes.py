"""HTTP for the coverage report (两个全覆盖)."""

from flask.views import MethodView

from service.api import Blueprint
from service.auth import require
from service.coverage import schemas as s
from service.coverage import services
from service.web import context

blp = Blueprint("coverage", __name__, url_prefix="/api/v1",
                description="两个全覆盖: gaps in who contacts whom")


@blp.route("/coverage")
class Coverage(MethodView):
    @require("county_admin", "unit_admin", "inspector")
    @blp.arguments(s.CoverageQuery, location="query")
    @blp.response(200, s.CoverageOut)
    def get(self, args):
        """Cadres without or below their quota, households with needs but no cadre, villages
        without a unit, units without a head, leaders missing contact points, R4 overrides."""
        return services.coverage(context(), args)
