"""Walking the served OpenAPI document: its operations, and bodies it would likely accept."""


def resolve(spec, node):
    while isinstance(node, dict) and "$ref" in node:
        name = node["$ref"].rsplit("/", 1)[-1]
        node = spec["components"]["schemas"][name]
    return node


def plausible(spec, schema, name, good):
    """A value the field would likely accept: the world's ids, today's date, the example."""
    schema = resolve(spec, schema)
    if name in good:
        return good[name]
    kind, fmt = schema.get("type"), schema.get("format")
    if "enum" in schema:
        return schema["enum"][0]
    if kind == "object":
        return {k: plausible(spec, v, k, good)
                for k, v in (schema.get("properties") or {}).items() if not v.get("readOnly")}
    if kind == "array":
        return [plausible(spec, schema.get("items", {}), name, good)]
    if kind == "integer":
        return max(1, schema.get("minimum", 1))
    if kind == "number":
        return 1
    if kind == "boolean":
        return False
    if fmt == "date":
        return good["_today"]
    if fmt == "date-time":
        return good["_now"]
    return "测试"


def operations(spec):
    """(path, method, operation), each operation with its path's parameters as well."""
    for path, item in spec["paths"].items():
        shared = item.get("parameters", [])
        for method, op in item.items():
            if method in ("get", "post", "patch", "put", "delete"):
                yield path, method, {**op, "parameters": shared + op.get("parameters", [])}


def fill_path(path, op, value_for):
    for param in op.get("parameters", []):
        if param.get("in") == "path":
            path = path.replace("{" + param["name"] + "}", value_for(param))
    return path
