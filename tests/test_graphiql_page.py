"""The GraphiQL page keeps no API key and says how to send one."""

import re

from tests.conftest import Api

PAGE_HEADERS = {"Accept": "text/html"}


def inline_script(page: str) -> str:
    scripts: list[str] = re.findall(r"<script>(.*?)</script>", page, flags=re.DOTALL)
    assert len(scripts) == 1
    return scripts[0]


def welcome_text(page: str) -> str:
    found = re.search(r"const EXAMPLE_QUERY = `(.*?)`;", page, flags=re.DOTALL)
    assert found
    return found.group(1)


async def test_graphiql_does_not_persist_headers(api: Api) -> None:
    response = await api.http.get("/graphql", headers=PAGE_HEADERS)
    script = inline_script(response.text)

    assert response.status_code == 200
    assert "shouldPersistHeaders: false," in script
    assert "showPersistHeadersSettings: false," in script  # no switch to turn it back on
    assert "shouldPersistHeaders: true" not in script
    for storage in ("localStorage", "sessionStorage", "document.cookie", "Cookies.set"):
        assert storage not in script
    # The query and variables go into the address bar for sharing; headers never do.
    on_edit_headers = re.search(r"function onEditHeaders\(.*?\{(.*?)\}", script, re.DOTALL)
    assert on_edit_headers
    assert "updateURL" not in on_edit_headers.group(1)


async def test_the_first_tab_explains_the_authorization_header(api: Api) -> None:
    page = (await api.http.get("/graphql", headers=PAGE_HEADERS)).text
    welcome = welcome_text(page)

    assert '{"Authorization": "Bearer <key>"}' in welcome
    assert "Headers tab" in welcome
    assert "does not keep headers" in welcome
    assert "pricings {" in welcome  # a query that runs once the key is in
    assert 'React.useState(parameters.headers || "{\\"Authorization\\": \\"Bearer <key>\\"}")' in (
        page
    )
    development_sqlite = api.database.dialect == "sqlite"
    assert ("printed a development admin key" in welcome) is development_sqlite
