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
