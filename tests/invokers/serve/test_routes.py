"""The route table: API Gateway's matching order, stages, function URLs and Azure routes."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from invokers.models import FunctionSpec, Trigger
from invokers.serve.routes import RouteTable


def spec(name: str, *triggers: Trigger) -> FunctionSpec:
    return FunctionSpec(name=name, source="template.yaml", runtime="python3.12", handler="app.handler",
                        triggers=list(triggers))


def api(path: str, method: str = "GET", stage: str = "Prod") -> Trigger:
    return Trigger("api", "Api", {"path": path, "method": method, "stage": stage})


TABLE = RouteTable([
    spec("proxy", api("/{proxy+}", "ANY")),
    spec("item", api("/items/{id}")),
    spec("new", api("/items/new")),
    spec("any-items", api("/items/{id}", "ANY")),
    spec("files", api("/files/{path+}")),
    spec("hook", Trigger("function_url", "FunctionUrl", {"auth_type": "NONE"})),
    spec("az", Trigger("azure_http", "req", {"route": "products/{category:alpha}/{id?}", "methods": ["get"]})),
    spec("az-default", Trigger("azure_http", "req", {})),
])


def found(method: str, path: str) -> tuple[str, dict[str, str], str] | None:
    match = TABLE.find(method, path)
    return None if match is None else (match.route.function, match.params, match.path)


def test_literal_beats_parameter_beats_greedy_and_method_beats_any() -> None:
    assert found("GET", "/items/new") == ("new", {}, "/items/new")
    assert found("GET", "/items/42") == ("item", {"id": "42"}, "/items/42")
    assert found("DELETE", "/items/42") == ("any-items", {"id": "42"}, "/items/42")
    assert found("GET", "/elsewhere/deep/path") == ("proxy", {"proxy": "elsewhere/deep/path"}, "/elsewhere/deep/path")
    assert found("GET", "/files/a/b.txt") == ("files", {"path": "a/b.txt"}, "/files/a/b.txt")


def test_rest_routes_answer_under_their_stage_too() -> None:
    assert found("GET", "/Prod/items/7") == ("item", {"id": "7"}, "/items/7")


def test_function_urls_and_azure_routes_have_their_own_prefixes() -> None:
    assert found("POST", "/_url/hook/any/path") == ("hook", {}, "/any/path")
    assert found("GET", "/api/products/shoes/3") == ("az", {"category": "shoes", "id": "3"}, "/api/products/shoes/3")
    assert found("GET", "/api/az-default") == ("az-default", {}, "/api/az-default")
    assert TABLE.find("GET", "/_url/unknown/") is None


def test_unknown_route_on_an_http_api_only_project() -> None:
    table = RouteTable([spec("f", Trigger("http_api", "Api", {"path": "/hello", "method": "GET",
                                                               "stage": "$default"}))])
    assert table.find("GET", "/nope") is None and not table.has_rest
    assert table.find("GET", "/hello") is not None and table.find("POST", "/hello") is None


_segment = st.sampled_from(["a", "b", "items", "new", "{id}", "{x}", "{proxy+}", ""])
_route = st.tuples(st.lists(_segment, max_size=3).map(lambda parts: "/" + "/".join(parts)),
                   st.sampled_from(["GET", "POST", "ANY"]), st.sampled_from(["api", "http_api"]),
                   st.sampled_from(["Prod", "dev", "$default"]))
_path = st.lists(st.sampled_from(["a", "b", "items", "new", "Prod", "dev", "42", ""]), max_size=4).map(
    lambda parts: "/" + "/".join(parts))


def linear(table: RouteTable, method: str | None, path: str) -> list[tuple[str, dict[str, str], str]]:
    """Every match by trying each route in rank order: the reference the table's static lookup must agree with."""
    found: list[tuple[str, dict[str, str], str]] = []
    first, _, rest = path[1:].partition("/")
    candidates = (["/" + rest] if first in table.stages else []) + [path]
    for candidate in candidates:
        for route in table.routes:
            if candidate != path and route.stage != first:
                continue
            params = route.match(method or route.method, candidate)
            if params is not None:
                found.append((route.function, params, candidate))
    return found


@settings(max_examples=200, deadline=None)
@given(st.lists(_route, min_size=1, max_size=8), st.lists(_path, min_size=1, max_size=6),
       st.sampled_from(["GET", "POST", "PUT"]))
def test_static_lookup_matches_as_trying_every_route_in_order(routes: list[tuple[str, str, str, str]],
                                                               paths: list[str], method: str) -> None:
    table = RouteTable([spec(f"f{n}", Trigger(kind, "Api", {"path": path, "method": route_method, "stage": stage}))
                        for n, (path, route_method, kind, stage) in enumerate(routes)])
    for path in paths:
        expected = linear(table, method, path)
        match = table.find(method, path)
        assert (None if match is None else (match.route.function, match.params, match.path)) == \
            (expected[0] if expected else None)
        assert [(m.route.function, m.params, m.path) for m in table.on_path(path)] == linear(table, None, path)
