"""A relying party written with authlib + requests, run by test/integration/rp-python-authlib.test.ts.

It plays the app and, for the sign-in, a scripted browser. It asserts nothing: it prints one JSON
object of what it saw and the jest test decides. Each step records its own failure so that one
broken step does not hide the others. Input: one JSON argument (see the test).
"""

import base64
import json
import sys
from html.parser import HTMLParser
from urllib.parse import urljoin

import requests
from authlib.integrations.base_client import BaseApp, OAuth2Mixin, OpenIDMixin
from authlib.integrations.requests_client import OAuth2Session

# What browsers and many Java HTTP clients send: an endpoint must still answer its JSON error.
BROWSER_ACCEPT = "text/html,application/xhtml+xml;q=0.9,*/*;q=0.8"
TIMEOUT = 10


class OAuthApp(OAuth2Mixin, OpenIDMixin, BaseApp):
    """authlib's OpenID Connect client exactly as its Flask/Django/Starlette apps are built
    (those are these mixins plus the framework's session), on requests. So discovery, PKCE,
    nonce and ID token checks (``parse_id_token``: JWKS from discovery, algorithms from
    ``id_token_signing_alg_values_supported``, CodeIDToken claims) are authlib's defaults."""

    client_cls = OAuth2Session


def failure(error):
    """One step's exception as data, with the HTTP answer behind it when there is one."""
    out = {"exception": type(error).__name__, "message": str(error)}
    for attr in ("error", "description"):
        if getattr(error, attr, None):
            out[attr] = getattr(error, attr)
    response = getattr(error, "response", None)
    if response is not None:
        out["response"] = answer(response)
    return out


def answer(response):
    """What a client sees of an HTTP answer."""
    try:
        body = response.json()
    except ValueError:
        body = None
    return {
        "status": response.status_code,
        "content_type": response.headers.get("content-type", ""),
        "www_authenticate": response.headers.get("www-authenticate"),
        "json": body,
        "text": response.text[:300],
    }


def jose_header(jwt):
    segment = jwt.split(".")[0]
    return json.loads(base64.urlsafe_b64decode(segment + "=" * (-len(segment) % 4)))


class Forms(HTMLParser):
    """The <form>s of a page with their <input> values (hidden CSRF field included)."""

    def __init__(self):
        super().__init__()
        self.forms = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form":
            self.forms.append({"action": attrs.get("action", ""), "fields": {}})
        elif tag == "input" and self.forms and attrs.get("name"):
            self.forms[-1]["fields"][attrs["name"]] = attrs.get("value") or ""


class Browser:
    """A requests.Session that follows redirects itself so it can stop at the app's callback."""

    def __init__(self, stop_at):
        self.http = requests.Session()
        self.http.headers["Accept"] = BROWSER_ACCEPT
        self.stop_at = stop_at
        self.pages = []

    def go(self, method, url, data=None):
        """The app's callback URL (a str) once a redirect leads there, else the page reached."""
        response = self.http.request(method, url, data=data, allow_redirects=False, timeout=TIMEOUT)
        for _ in range(10):
            location = response.headers.get("location")
            if not location:
                break
            location = urljoin(response.url, location)
            if location.startswith(self.stop_at):
                return location
            response = self.http.get(location, allow_redirects=False, timeout=TIMEOUT)
        self.pages.append(response.url)
        return response

    def submit(self, page, action_part, values):
        parser = Forms()
        parser.feed(page.text)
        form = next((f for f in parser.forms if action_part in f["action"]), None)
        if form is None:
            raise RuntimeError(f"no form posting to {action_part} on {page.url} ({page.status_code})")
        return self.go("POST", urljoin(page.url, form["action"]), {**form["fields"], **values})


def sign_in(cfg, app, scope):
    """Authorization code + PKCE S256 through the login and consent pages; returns the tokens."""
    redirect_uri = cfg["redirect_uri"]
    auth = app.create_authorization_url(redirect_uri, scope=scope)
    browser = Browser(redirect_uri)
    seen = {"login_page": False, "consent_page": False}
    page = browser.go("GET", auth["url"])
    if not isinstance(page, str) and 'name="password"' in page.text:
        seen["login_page"] = True
        page = browser.submit(page, "/login", {"username": cfg["username"], "password": cfg["password"]})
    if not isinstance(page, str) and 'name="decision"' in page.text:
        seen["consent_page"] = True
        page = browser.submit(page, "/consent", {"decision": "approve"})
    if not isinstance(page, str):
        raise RuntimeError(f"no redirect to the app; stopped at {page.status_code} {page.url}: {page.text[:200]}")
    # authlib checks `state` against the callback (authorization_response), sends the verifier.
    token = app.fetch_access_token(
        redirect_uri=redirect_uri,
        authorization_response=page,
        state=auth["state"],
        code_verifier=auth["code_verifier"],
    )
    return token, auth["nonce"], seen


def main():
    cfg = json.loads(sys.argv[1])
    issuer = cfg["issuer"]
    out = {}
    discovery = requests.get(f"{issuer}/.well-known/openid-configuration", timeout=TIMEOUT).json()
    token_endpoint = discovery["token_endpoint"]
    out["discovery"] = {k: discovery.get(k) for k in ("issuer", "id_token_signing_alg_values_supported")}

    def oauth_app(client_id, client_secret):
        return OAuthApp(
            framework=None,
            client_id=client_id,
            client_secret=client_secret,
            server_metadata_url=f"{issuer}/.well-known/openid-configuration",
            client_kwargs={"code_challenge_method": "S256", "default_timeout": TIMEOUT},
        )

    app = oauth_app(cfg["client_id"], cfg["client_secret"])

    # Items 2 and 3: sign-in with `openid profile email`; the ID token as authlib validates it.
    try:
        token, nonce, seen = sign_in(cfg, app, "openid profile email")
        step = {**seen, "token_keys": sorted(token.keys())}
        step["id_token_header"] = jose_header(token["id_token"]) if "id_token" in token else None
        try:
            step["userinfo_from_id_token"] = dict(app.parse_id_token(token, nonce))
        except Exception as error:  # noqa: BLE001 - the failure is the observation
            step["id_token_error"] = failure(error)
        try:
            step["userinfo_endpoint"] = dict(app.userinfo(token=token))
        except Exception as error:  # noqa: BLE001
            step["userinfo_endpoint_error"] = failure(error)
    except Exception as error:  # noqa: BLE001
        step = {"error": failure(error)}
    out["sign_in"] = step

    # Item 4: offline_access without prompt=consent; the user approves on the consent page (a
    # second app, so that no earlier grant spares the user the page).
    try:
        offline = oauth_app(cfg["offline_client_id"], cfg["offline_client_secret"])
        token, _nonce, seen = sign_in(cfg, offline, "openid offline_access")
        step = {**seen, "token_keys": sorted(token.keys()), "scope": token.get("scope")}
        if "refresh_token" in token:
            session = OAuth2Session(
                cfg["offline_client_id"], cfg["offline_client_secret"], token=token, default_timeout=TIMEOUT
            )
            try:
                refreshed = session.refresh_token(token_endpoint, refresh_token=token["refresh_token"])
                step["refreshed_keys"] = sorted(refreshed.keys())
            except Exception as error:  # noqa: BLE001
                step["refresh_error"] = failure(error)
    except Exception as error:  # noqa: BLE001
        step = {"error": failure(error)}
    out["offline_access"] = step

    machine = OAuth2Session(cfg["machine_client_id"], cfg["machine_client_secret"], default_timeout=TIMEOUT)
    # authlib raises OAuthError(error, description) for a refusal; keep the HTTP answer too.
    answers = []
    machine.hooks["response"].append(lambda response, *args, **kwargs: answers.append(response))

    # Item 5: client credentials for an API's scope, without `resource`.
    try:
        token = machine.fetch_token(token_endpoint, grant_type="client_credentials", scope="orders:read")
        step = {"token": {k: v for k, v in token.items() if k != "access_token"}}
    except Exception as error:  # noqa: BLE001
        step = {"error": failure(error)}
    step["response"] = answer(answers[-1]) if answers else None
    out["client_credentials_no_resource"] = step

    # Item 1, the good case: revoking a JWT access token with a browser's Accept.
    try:
        token = machine.fetch_token(
            token_endpoint, grant_type="client_credentials", scope="orders:read", resource=cfg["api"]
        )
        access = token["access_token"]
        introspector = OAuth2Session(cfg["introspector_id"], cfg["introspector_secret"], default_timeout=TIMEOUT)
        introspection = discovery["introspection_endpoint"]
        step = {
            "jwt": access.count(".") == 2,
            "active_before": introspector.introspect_token(introspection, token=access).json().get("active"),
        }
        revoked = machine.revoke_token(
            discovery["revocation_endpoint"], token=access, headers={"Accept": BROWSER_ACCEPT}
        )
        step["revocation"] = answer(revoked)
        step["active_after"] = introspector.introspect_token(introspection, token=access).json().get("active")
    except Exception as error:  # noqa: BLE001
        step = {"error": failure(error)}
    out["revoke_jwt"] = step

    # Item 1: bad requests with a browser's Accept, raw so that the answer itself is recorded.
    client = (cfg["client_id"], cfg["client_secret"])
    wrong = (cfg["client_id"], "not-the-secret")
    accept = {"Accept": BROWSER_ACCEPT}
    probes = {
        "token_invalid_grant": lambda: requests.post(
            token_endpoint,
            auth=client,
            headers=accept,
            data={
                "grant_type": "authorization_code",
                "code": "not-a-code",
                "redirect_uri": cfg["redirect_uri"],
                "code_verifier": "x" * 43,
            },
            timeout=TIMEOUT,
        ),
        "token_invalid_client": lambda: requests.post(
            token_endpoint, auth=wrong, headers=accept, data={"grant_type": "client_credentials"}, timeout=TIMEOUT
        ),
        "revocation_invalid_client": lambda: requests.post(
            discovery["revocation_endpoint"], auth=wrong, headers=accept, data={"token": "whatever"}, timeout=TIMEOUT
        ),
        "introspection_invalid_client": lambda: requests.post(
            discovery["introspection_endpoint"], auth=wrong, headers=accept, data={"token": "whatever"}, timeout=TIMEOUT
        ),
        "registration_bad_initial_access_token": lambda: requests.post(
            discovery["registration_endpoint"],
            headers={**accept, "Authorization": "Bearer not-an-initial-access-token"},
            json={"redirect_uris": ["https://app.example/cb"]},
            timeout=TIMEOUT,
        ),
        "userinfo_bad_token": lambda: requests.get(
            discovery["userinfo_endpoint"],
            headers={**accept, "Authorization": "Bearer not-a-token"},
            timeout=TIMEOUT,
        ),
    }
    out["probes"] = {}
    for name, send in probes.items():
        try:
            out["probes"][name] = answer(send())
        except Exception as error:  # noqa: BLE001
            out["probes"][name] = {"error": failure(error)}

    print(json.dumps(out))


if __name__ == "__main__":
    main()
