"""The one table of labels (SPEC §15): each enum's labels cover exactly the codes the models
and schemas use, nothing else in the service keeps a table of its own, and difficulty reads
as doc 003 says it."""

import ast
import pathlib
import re

import pytest

from service.audit.rules import ACTIONS, RECORD_TYPES
from service.cadres.rules import RANKS
from service.contacts.rules import ORGANIZATION_KINDS, REQUIRED_BY_RANK
from service.demands.rules import CATEGORIES
from service.demands.rules import STATUSES as DEMAND_STATUSES
from service.disclosures.months import STATUSES as PUBLICATION_STATUSES
from service.households.rules import DIFFICULTIES, NEEDS
from service.inspections.rules import SATISFACTION
from service.labels.table import LABELS, codes_by_label, label, labels_of
from service.planner.rules import REASONS
from service.tasks.rules import SOURCES
from service.tasks.rules import STATUSES as TASK_STATUSES
from service.users.models import ROLES
from service.visits.rules import FLAGS, KINDS

SERVICE = pathlib.Path(__file__).resolve().parents[2] / "service"


def _audited_fields() -> tuple[str, ...]:
    """Every field an audit event or a timeline may name: the audited columns of the audited
    records, and a household's needs."""
    from service.app import create_app
    from service.audit.rules import audited
    from service.db import Base

    create_app({"DATABASE_URL": "sqlite://"})  # every model imported
    fields = {"needs"}
    for mapper in Base.registry.mappers:
        if mapper.class_.__tablename__ in RECORD_TYPES:
            fields |= {c.key for c in mapper.column_attrs if audited(c.key)}
    return tuple(sorted(fields))

# Each enum of the table and the codes the domain uses for it.
CODES = {
    "rank": RANKS,
    "difficulty": DIFFICULTIES,
    "need": NEEDS,
    "task_kind": NEEDS,  # a task's category is a need; its label names the task
    "task_source": SOURCES,
    "task_status": TASK_STATUSES,
    "demand_status": DEMAND_STATUSES,
    "demand_category": CATEGORIES,
    "visit_kind": KINDS,
    "visit_flag": FLAGS,
    "role": ROLES,
    "audit_action": ACTIONS,
    "record_type": tuple(RECORD_TYPES.values()),
    "uncovered_reason": REASONS,
    "organization_kind": ORGANIZATION_KINDS,
    "contact_point_gap": tuple({f"weak_{kind}" if weak else kind
                                for needs in REQUIRED_BY_RANK.values() for kind, weak in needs}),
    "satisfaction": SATISFACTION,
    "publication_status": PUBLICATION_STATUSES,
    "field": _audited_fields(),
}
SPEC_NAMES = {"rank", "difficulty", "need", "task_kind", "task_status", "demand_status",
              "demand_category", "visit_kind", "visit_flag", "role", "audit_action",
              "uncovered_reason"}


def test_the_table_has_every_enum_the_spec_names_and_no_other_than_these():
    assert SPEC_NAMES <= set(LABELS) == set(CODES)


@pytest.mark.parametrize("enum", sorted(CODES))
def test_an_enums_labels_cover_exactly_its_codes(enum):
    assert sorted(LABELS[enum]) == sorted(CODES[enum])


@pytest.mark.parametrize("enum", sorted(CODES))
def test_labels_are_chinese_and_tell_the_codes_apart(enum):
    words = list(LABELS[enum].values())
    assert all(re.search(r"[\u4e00-\u9fff]", w) for w in words)
    assert len(set(words)) == len(words)  # a label reads back as one code (imports)


def test_difficulty_reads_as_doc_003_says():
    assert LABELS["difficulty"] == {"hardest": "难度最大", "harder": "难度较大",
                                    "easier": "难度较小"}
    assert labels_of("difficulty") == ["难度最大", "难度较大", "难度较小"]
    assert codes_by_label("difficulty")["难度较大"] == "harder" == \
        next(c for c in DIFFICULTIES if label("difficulty", c) == "难度较大")


def _chinese_tables(path: pathlib.Path) -> list[str]:
    """Dict literals whose keys are an enum's codes and whose values are Chinese (or the
    reverse): a label table of its own."""
    found = []
    # Field names are left out: a record's example values (head_name: 张三) are no label table.
    codes = {code for kind, values in CODES.items() if kind != "field" for code in values}
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if not isinstance(node, ast.Dict) or len(node.keys) < 2:
            continue
        pairs = [(k.value, v.value) for k, v in zip(node.keys, node.values, strict=True)
                 if isinstance(k, ast.Constant) and isinstance(v, ast.Constant)]
        hits = [1 for k, v in pairs if isinstance(k, str) and isinstance(v, str) and (
            (k in codes and re.search(r"[\u4e00-\u9fff]", v))
            or (v in codes and re.search(r"[\u4e00-\u9fff]", k)))]
        if len(hits) >= 2:
            found.append(f"{path.relative_to(SERVICE)}:{node.lineno}")
    return found


def test_no_module_but_the_table_keeps_labels_of_its_own():
    found = [hit for path in sorted(SERVICE.rglob("*.py"))
             if path.parent.name != "labels" and "migrations" not in path.parts
             for hit in _chinese_tables(path)]
    # The import still reads the difficulty words older notices printed (never printed now).
    assert found == ["imports/rules.py:" + str(_former_words_line())]


def _former_words_line() -> int:
    source = (SERVICE / "imports" / "rules.py").read_text(encoding="utf-8").splitlines()
    return next(n for n, line in enumerate(source, 1) if line.startswith("FORMER_WORDS"))


def test_the_field_client_keeps_no_labels_of_its_own():
    """It shows what /api/v1/labels says (STYLE: no translation tables in a client)."""
    static = SERVICE / "field" / "static"
    assert not (static / "words.js").exists()
    for name in ("app.js", "store.js", "outbox.js", "sw.js", "index.html"):
        text = (static / name).read_text(encoding="utf-8")
        for enum in ("difficulty", "need", "task_status", "demand_status", "demand_category",
                     "visit_kind"):
            shown = [w for w in LABELS[enum].values() if f"'{w}'" in text]
            assert shown == [], (name, shown)
