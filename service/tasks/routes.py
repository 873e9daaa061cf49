"""HTTP for tasks (包扶任务)."""

from flask.views import MethodView

from service.api import (
    ETAG_HEADER_DOC,
    IF_MATCH_DOC,
    Blueprint,
    check_if_match,
    etag_header,
    page,
)
from service.auth import require
from service.tasks import schemas as s
from service.tasks import services
from service.web import context

blp = Blueprint("tasks", __name__, url_prefix="/api/v1",
                description="Tasks (包扶任务): one per household need, moved along R9")

WRITERS = ("county_admin", "unit_admin", "cadre")


@blp.route("/tasks")
class Tasks(MethodView):
    @require()
    @blp.arguments(s.TaskQuery, location="query")
    @blp.response(200, s.TaskPage)
    def get(self, args):
        """List tasks in your scope."""
        ctx = context()
        return page(ctx, services.list_tasks(ctx, args), args)

    @require(*WRITERS)
    @blp.arguments(s.TaskIn)
    @blp.response(201, s.TaskDetailOut, headers=ETAG_HEADER_DOC)
    def post(self, data):
        """Add a task by hand."""
        ctx = context()
        task = services.create_task(ctx, data)
        return (services.detail(ctx, task), 201,
                {"Location": f"/api/v1/tasks/{task.id}", **etag_header(task)})


@blp.route("/tasks/<id:task_id>")
class TaskById(MethodView):
    @require()
    @blp.response(200, s.TaskDetailOut, headers=ETAG_HEADER_DOC)
    def get(self, task_id):
        """Read a task with its history of transitions."""
        ctx = context()
        task = services.get_task(ctx, task_id)
        return services.detail(ctx, task), 200, etag_header(task)

    @require(*WRITERS)
    @blp.arguments(s.TaskPatch)
    @blp.response(200, s.TaskDetailOut, headers=ETAG_HEADER_DOC)
    @blp.doc(**IF_MATCH_DOC)
    def patch(self, changes, task_id):
        """Edit a task's wording, target or due date."""
        ctx = context()
        task = services.update_task(ctx, task_id, changes, check_if_match)
        return services.detail(ctx, task), 200, etag_header(task)

    @require(*WRITERS)
    @blp.response(204)
    @blp.doc(responses={"409": "CONFLICT"})
    @blp.doc(**IF_MATCH_DOC)
    def delete(self, task_id):
        """Delete a hand-made task entered by mistake (only while it never moved)."""
        services.delete_task(context(), task_id, check_if_match)


@blp.route("/tasks/<id:task_id>/transition")
class TaskTransition(MethodView):
    @require("county_admin", "unit_admin", "cadre", "inspector")
    @blp.arguments(s.TransitionIn)
    @blp.response(200, s.TaskDetailOut)
    @blp.doc(responses={"409": "CONFLICT"})
    def post(self, data, task_id):
        """Move a task: open → in_progress → done → verified (R9)."""
        ctx = context()
        task = services.transition(ctx, task_id, data["to"], data.get("note"))
        return services.detail(ctx, task)
