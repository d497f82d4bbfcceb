"""Turn what a fetch saw into one of the five link states, with a human reason.

States (exactly these; see the README, "Dead links"):

* ``ok``: final 2xx after temporary redirects only, not a soft-404;
* ``redirected``: final 2xx reached through at least one permanent redirect (301/308);
* ``dead``: 404/410, a soft-404 (a 200 "not found" page, a deep link redirected to the home page),
  or a DOI unknown to the DOI system;
* ``blocked``: 401/403/418/999, 429 persisting after retries, a recognised bot wall, or a
  redirect to a login page;
* ``error``: timeout, refused/reset connection, TLS or DNS failure, redirect loop, 5xx after retries.

A status listed in the configuration's ``accept`` (for that URL) makes the link ``ok`` whatever it is.
"""

from __future__ import annotations

import json
import re
from typing import Literal

from citekit.links.http import FetchResult
from citekit.links.transport import split_url

State = Literal["ok", "redirected", "dead", "blocked", "error"]
STATES: tuple[str, ...] = ("ok", "redirected", "dead", "blocked", "error")

BLOCKED_STATUSES = frozenset({401, 403, 418, 429, 999})
DEAD_STATUSES = frozenset({404, 410})

# Bot walls are recognised by their markers, not by status alone: Cloudflare answers 403 *or* 503.
_WALL_BODY = [
    (re.compile(rb"<title>\s*Just a moment\.\.\.", re.I), "Cloudflare challenge page"),
    (re.compile(rb"cf-chl|challenge-platform|cf_chl_opt", re.I), "Cloudflare challenge page"),
    (re.compile(rb"Attention Required! \| Cloudflare", re.I), "Cloudflare block page"),
    (re.compile(rb"errors\.edgesuite\.net|Access Denied.{0,400}Reference&#32;#|Reference #\d+\.", re.I | re.S),
     "Akamai access-denied page"),
    (re.compile(rb"The requested URL was rejected\. Please consult with your administrator", re.I),
     "F5 rejection page"),
    (re.compile(rb"Incapsula incident|_Incapsula_Resource", re.I), "Imperva/Incapsula incident page"),
    (re.compile(rb"<title>\s*(?:Access denied|Attention Required|Security check|Bot verification)", re.I),
     "bot-protection page"),
    (re.compile(rb"captcha-delivery\.com|geo\.captcha-delivery", re.I), "DataDome challenge page"),
]

_NOT_FOUND_TEXT = re.compile(
    r"(?:page|document|file|resource|content)\s+(?:was\s+)?not\s+found|^\s*not\s+found\s*$"
    r"|error\s*404|\b404\s*(?:error|[-\u2013|:]|not\s+found|page)|^\s*404\s*$"
    r"|(?:page|document|file)\s+(?:you\s+requested\s+)?(?:does\s+not|doesn't|no\s+longer)\s+exists?"
    r"|(?:cannot|can't|could\s+not|couldn't)\s+(?:be\s+)?f(?:ou)?nd?\s+(?:the|this|that)?\s*page"
    r"|page\s+(?:is\s+)?no\s+longer\s+available|we\s+can(?:no|')t\s+find\s+(?:the|that|this)\s+page",
    re.I,
)
_DOCUMENT = re.compile(r"\.(?:pdf|docx|xlsx|pptx|zip)$", re.I)
_SCRIPTS = re.compile(rb"<(script|style|noscript)\b.*?</\1\s*>", re.I | re.S)
_TITLE = re.compile(rb"<title[^>]*>(.*?)</title>", re.I | re.S)
_H1 = re.compile(rb"<h1[^>]*>(.*?)</h1>", re.I | re.S)
_TAGS = re.compile(r"<[^>]+>")
_NOT_FOUND_URL = re.compile(r"/404(?:\.s?html?|\.aspx?|\.php)?(?:[/?#]|$)|not-?found|page-?not-?found|error404",
                            re.I)
_LOGIN = re.compile(r"/(?:log-?in|sign-?in|logon|sso|saml|oauth2?|cas/login|idp|account/login|users/sign_in)"
                    r"(?:[/.?]|$)", re.I)
_HOME_PATHS = {"", "/", "/index.html", "/index.htm", "/index.php", "/index.aspx", "/default.aspx",
               "/home", "/home/", "/en", "/en/", "/en-us", "/en-us/"}


# Every wall pattern holds one of these words: looking for them (in C) first spares most answers
# the eight regular expressions.
_WALL_WORDS = (b"just a moment", b"cf-chl", b"challenge-platform", b"cf_chl_opt", b"attention required",
               b"edgesuite", b"access denied", b"reference #", b"was rejected", b"incapsula",
               b"security check", b"bot verification", b"captcha-delivery")


def bot_wall(headers: dict[str, str], body: bytes) -> str | None:
    """The name of a recognised bot wall / challenge in this response, else None."""
    if "cf-mitigated" in headers:
        return f"Cloudflare challenge (cf-mitigated: {headers['cf-mitigated']})"
    head = body[:16384]
    if headers.get("server", "").lower().startswith("akamaighost") and b"Access Denied" in head:
        return "Akamai access-denied page"
    low = head.lower()
    if not any(word in low for word in _WALL_WORDS):
        return None
    for pattern, name in _WALL_BODY:
        if pattern.search(head):
            return name
    return None


def _text(match: re.Match[bytes] | None) -> str:
    if not match:
        return ""
    return " ".join(_TAGS.sub(" ", match.group(1).decode("utf-8", "replace")).split())


def soft_404(original_url: str, result: FetchResult) -> str | None:
    """Why this 2xx answer is really a missing page, else None."""
    orig = split_url(original_url)
    final = split_url(result.final_url)
    if result.hops:
        deep = orig.path not in _HOME_PATHS or bool(orig.query)
        if deep and final.path in _HOME_PATHS and not final.query:
            return f"deep link redirected to the site's home page ({result.final_url})"
        if _NOT_FOUND_URL.search(final.path + ("?" + final.query if final.query else "")) and not \
                _NOT_FOUND_URL.search(orig.path):
            return f"redirected to an error page ({result.final_url})"
    ctype = result.headers.get("content-type", "").lower()
    if "html" in ctype or (not ctype and result.body.lstrip()[:1] == b"<"):
        for label, text in (("title", _text(_TITLE.search(result.body))), ("heading", _text(_H1.search(result.body)))):
            if text and len(text) < 200 and _NOT_FOUND_TEXT.search(text):
                if _DOCUMENT.search(orig.path):
                    return f"a document link answers with an HTML page that says {text[:80]!r} (its {label})"
                return f"the page answers 200 with a not-found {label}: {text[:80]!r}"
        if _DOCUMENT.search(orig.path):
            # A document answered by a web page: its body, not only its title, says whether it is missing.
            said = _body_not_found(result.body)
            if said:
                return f"a document link answers with an HTML page that says {said!r}"
    return None


def _body_not_found(body: bytes) -> str | None:
    text = " ".join(_TAGS.sub(" ", _SCRIPTS.sub(b" ", body).decode("utf-8", "replace")).split())
    m = _NOT_FOUND_TEXT.search(text)
    if not m:
        return None
    return text[max(0, m.start() - 30):m.end() + 30].strip()[:100]


_ERROR_REASONS = {
    "timeout": "timed out (no answer)",
    "slow": "timed out (slow response)",
    "invalid-redirect": "bad redirect",
    "connection-refused": "connection refused",
    "connection-reset": "connection reset or closed early",
    "tls": "TLS failure",
    "dns": "host name does not resolve",
    "redirect-loop": "redirect loop",
    "too-many-redirects": "too many redirects",
    "invalid-url": "not a valid http(s) URL",
}


def classify(original_url: str, result: FetchResult, accepted: frozenset[int] = frozenset()) -> tuple[str, str]:
    """(state, reason) for a fetch of ``original_url``; ``accepted`` statuses count as ``ok``."""
    if result.error:
        base = _ERROR_REASONS.get(result.error, result.error)
        tries = f" after {result.attempts} attempts" if result.attempts > 1 else ""
        detail = f" ({result.detail})" if result.detail and result.error in (
            "redirect-loop", "too-many-redirects", "invalid-redirect") else ""
        return "error", f"{base}{tries}{detail}"
    status = result.status or 0
    if status in accepted and not 200 <= status < 300:
        return "ok", f"HTTP {status} (accepted by the configuration)"
    if result.retry_after_exceeded is not None and status in (429, 503):
        return "blocked", (f"HTTP {status}: asks to come back in {result.retry_after_exceeded:.0f} s, "
                           "more than --max-retry-wait")
    wall = bot_wall(result.headers, result.body)
    if wall and status not in DEAD_STATUSES:
        return "blocked", f"HTTP {status}: {wall}"
    if status in BLOCKED_STATUSES:
        if status == 429:
            return "blocked", f"HTTP 429 (rate limited) after {result.attempts} attempts"
        return "blocked", f"HTTP {status}: the site refuses automated checks; the link may be fine"
    if status in DEAD_STATUSES:
        return "dead", f"HTTP {status}"
    if 500 <= status < 600:
        tries = f" after {result.attempts} attempts" if result.attempts > 1 else ""
        return "error", f"HTTP {status}{tries}"
    if 200 <= status < 300:
        if result.hops and _LOGIN.search(split_url(result.final_url).path) and \
                not _LOGIN.search(split_url(original_url).path):
            return "blocked", f"HTTP {status}: redirected to a login page ({result.final_url})"
        soft = soft_404(original_url, result)
        if soft:
            return "dead", f"soft-404: {soft}"
        if result.permanent_redirect:
            return "redirected", f"HTTP {status} after permanent redirect to {result.final_url}"
        via = f" via {len(result.hops)} temporary redirect(s)" if result.hops else ""
        return "ok", f"HTTP {status}{via}"
    if status in (301, 302, 303, 307, 308):
        return "error", f"HTTP {status} without a Location header"
    return "error", f"unexpected HTTP {status}"


def _handle_url(data: object) -> tuple[object, str]:
    """(responseCode, first URL value) of a handle API answer, whatever junk it holds."""
    if not isinstance(data, dict):
        return None, ""
    values = data.get("values")
    for value in values if isinstance(values, list) else []:
        if isinstance(value, dict) and value.get("type") == "URL":
            inner = value.get("data")
            return data.get("responseCode"), str(inner.get("value") or "") if isinstance(inner, dict) else ""
    return data.get("responseCode"), ""


def classify_doi(doi: str, result: FetchResult) -> tuple[str, str, str]:
    """(state, reason, registered URL) for a DOI handle API answer (``/api/handles/<doi>``)."""
    if result.error:
        return (*classify(result.url, result), "")
    status = result.status or 0
    code, url_value = None, ""
    if result.body:
        try:
            code, url_value = _handle_url(json.loads(result.body.decode("utf-8", "replace")))
        except ValueError:
            pass
    if status == 404 or code == 100:
        return "dead", f"DOI {doi} is not registered (handle API responseCode {code or 100})", ""
    if status == 200 and code == 1:
        if url_value and not url_value.lower().startswith(("http://", "https://")):
            # A DOI must resolve to a web page; javascript:, data: or a bare path leads readers nowhere.
            return "dead", f"DOI {doi} is registered to a URL that is not http(s): {url_value[:80]!r}", ""
        return "ok", f"DOI registered{' -> ' + url_value if url_value else ''}", url_value
    if status == 200 and code == 200:
        return "ok", "DOI registered (no URL value)", ""
    if status == 200:
        return "error", f"unexpected handle API answer (responseCode {code!r})", ""
    state, reason = classify(result.url, result)
    return state, f"DOI handle API: {reason}", ""
