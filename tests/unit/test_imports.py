"""The shape of the import graph (STYLE: domains by package): one domain's service code may use
another's, but never both ways round, and HTTP helpers are shared from service/api.py, not
borrowed from another domain's routes."""

import ast
import pathlib

SERVICE_DIR = pathlib.Path(__file__).resolve().parents[2] / "service"
# A domain's own HTTP, payloads, tables and pure rules; everything else in it is service code.
NOT_SERVICE_CODE = {"routes.py", "schemas.py", "models.py", "rules.py", "__init__.py"}


def imports_of(path: pathlib.Path) -> set[str]:
    """The service.* modules a file imports (a `from m import name` counts as m and m.name)."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("service"):
            found.add(node.module)
            found.update(f"{node.module}.{alias.name}" for alias in node.names)
        elif isinstance(node, ast.Import):
            found.update(a.name for a in node.names if a.name.startswith("service"))
    return found


def domains() -> list[str]:
    return sorted(p.name for p in SERVICE_DIR.iterdir()
                  if p.is_dir() and (p / "__init__.py").exists() and p.name != "migrations")


def service_code(domain: str) -> list[pathlib.Path]:
    return [p for p in sorted((SERVICE_DIR / domain).glob("*.py"))
            if p.name not in NOT_SERVICE_CODE]


def service_module_names(domain: str) -> set[str]:
    return {f"service.{domain}.{p.stem}" for p in service_code(domain)}


def service_graph() -> dict[str, set[str]]:
    """Domain → the other domains whose service code its service code imports."""
    modules = {d: service_module_names(d) for d in domains()}
    graph = {}
    for domain in domains():
        used = set().union(*(imports_of(p) for p in service_code(domain))) or set()
        graph[domain] = {other for other, names in modules.items()
                         if other != domain and used & names}
    return graph


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Every cycle found by a depth-first walk (each reported once per entry point)."""
    found, done = [], set()

    def walk(node, path):
        if node in path:
            found.append(path[path.index(node):] + [node])
            return
        if node in done:
            return
        for nxt in sorted(graph.get(node, ())):
            walk(nxt, path + [node])
        done.add(node)

    for node in sorted(graph):
        walk(node, [])
    return found


def test_no_cycle_between_domains_service_code():
    graph = service_graph()
    assert sum(len(v) for v in graph.values()) > 0  # the walk sees the edges that exist
    assert cycles(graph) == []


def test_the_cycle_check_finds_a_cycle():
    assert cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == [["a", "b", "c", "a"]]
    assert cycles({"a": {"b"}, "b": set()}) == []


def test_no_module_borrows_another_domains_routes():
    borrowed = []
    for path in sorted(SERVICE_DIR.rglob("*.py")):
        if "migrations" in path.parts or path.name == "app.py":
            continue
        own = f"service.{path.parent.name}.routes"
        for name in imports_of(path):
            if name.endswith(".routes") and name != own and name.count(".") == 2:
                borrowed.append(f"{path.relative_to(SERVICE_DIR)} imports {name}")
    assert borrowed == []


# --- service code is plain Python: no Flask, no HTTP helpers ---------------------------------

HTTP_MODULES = {"service.api", "service.web", "service.auth", "service.errors", "service.app",
                "service.cli"}
HTTP_PACKAGES = ("flask", "flask_smorest", "flask_cors", "werkzeug", "webargs", "jinja2")


def module_file(name: str) -> pathlib.Path | None:
    """The file of a service.* module, or None when the name is not one (e.g. a class)."""
    parts = name.split(".")[1:]
    if not parts:
        return None
    path = SERVICE_DIR.joinpath(*parts)
    for candidate in (path.with_suffix(".py"), path / "__init__.py"):
        if candidate.exists():
            return candidate
    return None


def third_party_imports(path: pathlib.Path) -> set[str]:
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module.split(".")[0])
        elif isinstance(node, ast.Import):
            found.update(a.name.split(".")[0] for a in node.names)
    return found


def reach(path: pathlib.Path) -> tuple[set[str], set[str]]:
    """Every service module a file reaches through its imports, and every outside package."""
    modules, packages, todo, seen = set(), set(), [path], set()
    while todo:
        current = todo.pop()
        if current in seen:
            continue
        seen.add(current)
        packages |= third_party_imports(current)
        for name in imports_of(current):
            target = module_file(name)
            # `service` itself is not followed: its __init__ imports the app only when called.
            if target is not None and target != SERVICE_DIR / "__init__.py":
                modules.add(name)
                todo.append(target)
    return modules, packages


def services_and_rules() -> list[pathlib.Path]:
    return sorted([*SERVICE_DIR.glob("*/services.py"), *SERVICE_DIR.glob("*/rules.py")])


def test_services_and_rules_never_reach_flask_or_the_http_side():
    assert len(services_and_rules()) >= 25
    leaks = []
    for path in services_and_rules():
        modules, packages = reach(path)
        bad = sorted((modules & HTTP_MODULES) | (packages & set(HTTP_PACKAGES)))
        if bad:
            leaks.append(f"{path.relative_to(SERVICE_DIR)} reaches {bad}")
    assert leaks == []


def test_the_reach_check_sees_flask_behind_a_service_module():
    modules, packages = reach(SERVICE_DIR / "users" / "routes.py")
    assert "service.web" in modules and "flask" in packages


def test_rules_import_neither_flask_nor_sqlalchemy():
    for path in sorted(SERVICE_DIR.glob("*/rules.py")):
        _, packages = reach(path)
        assert not packages & {"flask", "sqlalchemy", "werkzeug"}, path


def test_no_caller_role_decisions_outside_the_scope_policy_auth_and_rules():
    """Services pass a caller's role to a rule about roles; they never branch on it."""
    allowed = {SERVICE_DIR / "scope.py", SERVICE_DIR / "auth.py"}
    found = []
    for path in sorted(SERVICE_DIR.rglob("*.py")):
        if path in allowed or path.name == "rules.py" or "migrations" in path.parts:
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Compare) and any(
                    isinstance(side, ast.Attribute) and side.attr == "role"
                    for side in (node.left, *node.comparators)):
                found.append(f"{path.relative_to(SERVICE_DIR)}:{node.lineno}")
    assert found == []


def test_one_scope_module_and_no_private_visible_helpers():
    found = [f"{p.relative_to(SERVICE_DIR)}" for p in sorted(SERVICE_DIR.rglob("*.py"))
             if "def _visible" in p.read_text(encoding="utf-8")
             or (p.name == "scope.py" and p.parent != SERVICE_DIR)]
    assert found == []
