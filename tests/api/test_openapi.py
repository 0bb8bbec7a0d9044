"""The OpenAPI 3 document the app serves, and a schemathesis run over it: generated requests
(path and query values, including ids of the world's objects) with the real tokens of a
national account and of an ARS account; no 500, every response conforms to its documented
status, content type, headers and schema."""

from __future__ import annotations

from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from tests.api.helpers import token_for
from tests.world import make_world, submitted_assessment

PATHS = {
    "/api/v1/campaigns", "/api/v1/regions/{code}/campaigns/{campaign_id}/summary",
    "/api/v1/national/campaigns/{campaign_id}/summary", "/api/v1/establishments",
    "/api/v1/establishments/{establishment_id}/results",
    "/api/v1/establishments/{establishment_id}/registers",
}


def test_the_document_describes_the_api(app, client) -> None:  # noqa: ANN001
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    document = response.get_json()
    assert document["openapi"].startswith("3.")
    assert document["info"]["title"] and document["info"]["version"] == "v1"
    assert "jeton" in document["info"]["description"]
    assert set(document["paths"]) == PATHS
    assert document["components"]["securitySchemes"]["jeton"] == {
        "type": "http", "scheme": "bearer",
        "description": document["components"]["securitySchemes"]["jeton"]["description"]}
    assert document["security"] == [{"jeton": []}]
    for path, item in document["paths"].items():
        assert set(item) - {"parameters"} == {"get"}, path  # read-only
        operation = item["get"]
        assert operation["summary"], path  # a French description
        assert "200" in operation["responses"] and "401" in operation["responses"], path


@pytest.mark.parametrize("who", ["national", "ars"])
def test_schemathesis_finds_no_error_and_every_response_matches(app, who: str) -> None:  # noqa: ANN001
    world = make_world()
    submitted_assessment(world.campaign, world.own, world.users["editor"])
    secret = token_for(world.users[who])
    headers = {"Authorization": f"Bearer {secret}"}
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)
    # Ids the world holds, mixed with generated ones, so that 200 answers are exercised too.
    known: dict[str, Any] = {
        "establishment_id": st.sampled_from([world.own.id, world.same_region.id,
                                             world.other_region.id]),
        "campaign_id": st.just(world.campaign.id), "campaign": st.just(world.campaign.id),
        "code": st.sampled_from(["53", "11"]),
    }
    operations = [result.ok() for result in schema.get_all_operations()]
    assert {op.path for op in operations} == PATHS
    calls: dict[str, list[int]] = {}
    for operation in operations:
        strategy = st.one_of(operation.as_strategy(), operation.as_strategy().map(
            lambda case: _with_known(case, known)).flatmap(lambda s: s))

        @given(case=strategy)
        @settings(max_examples=12, deadline=None, database=None, derandomize=True,
                  phases=[Phase.explicit, Phase.generate],
                  suppress_health_check=list(HealthCheck))
        def run(case: Any) -> None:
            response = case.call(headers=headers)
            calls.setdefault(case.operation.path, []).append(response.status_code)
            assert response.status_code < 500, (case.formatted_path, case.query)
            case.validate_response(response, headers=headers)

        run()
    assert set(calls) == PATHS
    refused = {"national": "/api/v1/establishments/{establishment_id}/registers",
               "ars": "/api/v1/national/campaigns/{campaign_id}/summary"}[who]
    answered = {path for path, codes in calls.items() if 200 in codes}
    assert answered == PATHS - {refused}, calls  # the generated ids reached real objects
    statuses = {code for codes in calls.values() for code in codes}
    assert 200 in statuses and statuses <= {200, 401, 403, 404, 422}, statuses


def _with_known(case: Any, known: dict[str, Any]) -> Any:
    """The case with its ids replaced by ones of the world (a strategy of cases)."""
    path = {k: known[k] if k in known else st.just(v)
            for k, v in (case.path_parameters or {}).items()}
    query = {k: known[k] if k in known else st.just(v) for k, v in (case.query or {}).items()}

    def build(values: tuple[dict, dict]) -> Any:
        case.path_parameters = {**(case.path_parameters or {}), **values[0]}
        case.query = {**(case.query or {}), **values[1]}
        return case
    return st.tuples(st.fixed_dictionaries(path), st.fixed_dictionaries(query)).map(build)
