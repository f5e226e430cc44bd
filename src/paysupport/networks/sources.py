"""The public sources behind the catalogues' source tags.

Every catalogue record carries ``sources``: either a public address or name
(``"docs.stripe.com/declines/codes"``) or a bracketed tag with an optional locator
(``"[QV] 13.1"``, ``"[AXN] DRG p.4"``). `SOURCE_TAGS` says what each tag stands for,
so a reader can go to the source itself; `source_of` resolves one entry.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from types import MappingProxyType
from typing import Final

__all__ = ["SOURCE_TAGS", "Source", "source_of"]


@dataclass(frozen=True, slots=True)
class Source:
    """A public source behind a tag.

    Attributes:
        tag: the tag as records spell it (``"[QV]"``).
        title: what the source is.
        where: where to read it (a public address or repository).
        as_of: the date or snapshot read, where known.
    """

    tag: str
    title: str
    where: str
    as_of: str = ""


def _table(*rows: Source) -> MappingProxyType[str, Source]:
    return MappingProxyType({row.tag: row for row in rows})


SOURCE_TAGS: Final = _table(
    Source(
        "[SP]",
        "Stripe's Python library, generated from Stripe's OpenAPI spec",
        "github.com/stripe/stripe-python",
        "commit 6c6e3736, 2026-07-24",
    ),
    Source(
        "[AO]",
        "Adyen's OpenAPI specs (Webhooks-v1, DisputeService-v30)",
        "github.com/Adyen/adyen-openapi",
        "commit aa014f0c, 2026-07-01",
    ),
    Source(
        "[MCOM]",
        "Mastercom API spec (generated client)",
        "github.com/juanbianchinibp4/mastercom-api-client api/openapi.yaml",
        "commit 94020fc8, 2023-11-28",
    ),
    Source(
        "[SCAT]",
        "Stripe's dispute categories by network code",
        "docs.stripe.com/disputes/categories",
        "2026-05-09",
    ),
    Source(
        "[QV]",
        "Quavo knowledge base quoting Visa Core Rules conditions and time limits",
        "quavo-inc.atlassian.net/wiki (space QEK)",
    ),
    Source(
        "[VSI]",
        "Visa merchant pages, one per dispute condition",
        "usa.visa.com/supporting-info/",
    ),
    Source(
        "[DMG]",
        "Visa, Dispute Management Guidelines for Visa Merchants (table of contents)",
        "docslib.org/download/5548088",
        "2018",
    ),
    Source(
        "[MID]",
        "Midigator (Equifax) reason-code pages",
        "midigator.com/chargeback-reason-codes/",
        "2018-2023",
    ),
    Source("[KNT]", "Kount reason-code pages", "kount.com chargeback-reason-codes"),
    Source(
        "[SN]",
        "ServiceNow dispute-management docs",
        "github.com/ServiceNow/ServiceNowDocs markdown/financial-services-operations/"
        "dispute-management/",
        "2025-2026",
    ),
    Source(
        "[GP]",
        "A PSP's chargeback reason-code docs",
        "github.com/louisteenbrink/greenpay-v1 Purchases/chargebacks-and-fraud/",
        "2018-08-06",
    ),
    Source("[ANT]", "Antom (Alipay+) dispute docs", "docs.antom.com/ac/dispute/"),
    Source(
        "[AXDRG19]",
        "Amex, How to Manage and Help Prevent Disputes (table of contents)",
        "docslib.org/doc/9292913",
        "2019",
    ),
    Source(
        "[AXN]",
        "Public research notes citing Amex's Disputes Reference Guide (DRG) 2024, Merchant "
        "Reference Guide U.S. (MRG) Oct 2021 and Merchant Operating Guide (MOG) Apr 2026 by "
        "page; a relay, the PDFs not re-read",
        "americanexpress.com merchant guides, via a public repository's notes",
        "2026-09-23",
    ),
    Source("[BT]", "Braintree (PayPal) developer docs", "developer.paypal.com/braintree/articles/"),
    Source("[ADYD]", "Adyen docs", "docs.adyen.com"),
)
"""Tag -> the public source it stands for."""

_TAG = re.compile(r"^(\[[A-Z0-9]+\])")


def source_of(entry: str) -> Source | None:
    """The public source a record's ``sources`` entry cites by tag, or ``None``.

    Entries that are not tagged (a public address or name) return ``None``: they name their
    source themselves.

    Examples:
        >>> source_of("[QV] 13.1").where
        'quavo-inc.atlassian.net/wiki (space QEK)'
    """
    match = _TAG.match(entry)
    return SOURCE_TAGS.get(match.group(1)) if match else None
