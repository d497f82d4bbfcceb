"""Dead-link checking with web-archive fallback (``citekit check`` / ``citekit archive``).

The library API: build :class:`LinkRecord` lists (``records_from_library``), run
:func:`check_links`, render with :func:`citekit.links.report.render`. States are exactly
``ok``, ``redirected``, ``dead``, ``blocked`` and ``error`` (see the README, "Dead links").
"""

from citekit.links.archive import preferred_urls, robust_link_attributes
from citekit.links.check import CheckOptions, LinkResult, Report, actionable, check_links
from citekit.links.classify import STATES
from citekit.links.records import LinkRecord, records_from_library

__all__ = [
    "STATES",
    "CheckOptions",
    "LinkRecord",
    "LinkResult",
    "Report",
    "actionable",
    "check_links",
    "preferred_urls",
    "records_from_library",
    "robust_link_attributes",
]
