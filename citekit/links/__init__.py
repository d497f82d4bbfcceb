"""Dead-link checking with web-archive fallback (``citekit check`` / ``citekit archive``).

The library API: build :class:`LinkRecord` lists (``records_from_library``), run
:func:`check_links`, render with :func:`citekit.links.report.render`. A checked link is exactly
one of ``ok``, ``redirected``, ``dead``, ``blocked`` and ``error``; a link a rule excludes is
``excluded`` (see the README, "Dead links").
"""

from citekit.links.archive import preferred_urls, robust_link_attributes
from citekit.links.check import CheckOptions, actionable, check_links, check_links_async
from citekit.links.classify import STATES
from citekit.links.records import LinkRecord, records_from_library
from citekit.links.results import InputProblem, LinkResult, Report
from citekit.links.settings import LinkRules, load_rules
from citekit.links.transport import LinkSession

__all__ = [
    "STATES",
    "CheckOptions",
    "InputProblem",
    "LinkRules",
    "LinkSession",
    "LinkRecord",
    "LinkResult",
    "Report",
    "actionable",
    "check_links",
    "check_links_async",
    "load_rules",
    "preferred_urls",
    "records_from_library",
    "robust_link_attributes",
]
