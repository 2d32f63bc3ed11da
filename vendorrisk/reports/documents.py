"""Turning a report's gathered context into print HTML (Jinja, autoescaped) and a file name."""

from __future__ import annotations

import re
import unicodedata
from fractions import Fraction

from flask import render_template

from vendorrisk.campaigns.models import Campaign
from vendorrisk.campaigns.services import assignment_due_display
from vendorrisk.core.storage import human_size
from vendorrisk.reports import record as records
from vendorrisk.reports.builders import campaign as campaign_builder
from vendorrisk.reports.builders import vendor as vendor_builder
from vendorrisk.reports.builders.common import Limits, Meta, clip, utc
from vendorrisk.scoring.result import round_display
from vendorrisk.vendors.countries import country_name
from vendorrisk.vendors.models import Vendor
from vendorrisk.vendors.risk import CRITICALITY_LABELS, DATA_ACCESS_LABELS


def _percent(value: str | None) -> str:
    if value is None:
        return "—"
    try:
        return f"{round_display(Fraction(value))} %"
    except (ValueError, ZeroDivisionError):
        return str(value)


def helpers(limits: Limits) -> dict:
    """Return the functions and labels the print templates use."""
    return {
        "utc": utc,
        "stamp": lambda moment: utc(moment).removesuffix(" UTC"),
        "day": lambda moment: utc(moment, "%Y-%m-%d").removesuffix(" UTC"),
        "clip": clip,
        "limits": limits,
        "percent": _percent,
        "size": human_size,
        "assignment_due": assignment_due_display,
        "criticality_labels": CRITICALITY_LABELS,
        "data_access_labels": DATA_ACCESS_LABELS,
        "country_name": country_name,
    }


def slug(text: str) -> str:
    """Return a file-name-safe ASCII slug of a name."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    return re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")[:60] or "report"


def attachments(
    files: dict[str, bytes], meta: Meta, kind: str, subject: dict
) -> tuple[tuple[str, bytes, str], ...]:
    """Return the record's JSON files and their manifest, noting the manifest hash in `meta`."""
    manifest = records.manifest(files, document_id=meta.document_id, kind=kind, subject=subject)
    meta.record_sha256 = records.sha256(manifest)
    meta.record_files = (*sorted(files), records.MANIFEST)
    return (
        *((name, body, records.FILES[name]) for name, body in sorted(files.items())),
        (records.MANIFEST, manifest, "SHA-256 and size of each attached record file"),
    )


def vendor_report(
    vendor: Vendor, meta: Meta, limits: Limits, progress=vendor_builder._no_progress
) -> tuple[str, tuple[tuple[str, bytes, str], ...]]:
    """Return the print HTML of a vendor's due-diligence report and its record to attach."""
    report = vendor_builder.build(vendor, meta, limits, progress)
    files = attachments(
        records.gather([a.assignment for a in report.assessments]).files(),
        meta,
        "vendor-due-diligence",
        {"type": "vendor", "id": vendor.id, "name": vendor.name},
    )
    html = render_template("reports/pdf/vendor.html", r=report, meta=meta, **helpers(limits))
    return html, files


def campaign_report(
    campaign: Campaign, meta: Meta, limits: Limits, progress=campaign_builder._no_progress
) -> tuple[str, tuple[tuple[str, bytes, str], ...]]:
    """Return the print HTML of a campaign's portfolio report and its record to attach."""
    record = records.RecordWriter()
    report = campaign_builder.build(campaign, meta, limits, progress, record=record)
    files = attachments(
        record.files(),
        meta,
        "campaign-portfolio",
        {"type": "campaign", "id": campaign.id, "name": campaign.name},
    )
    html = render_template("reports/pdf/campaign.html", r=report, meta=meta, **helpers(limits))
    return html, files


def vendor_html(
    vendor: Vendor, meta: Meta, limits: Limits, progress=vendor_builder._no_progress
) -> str:
    """Return the print HTML of a vendor's due-diligence report."""
    return vendor_report(vendor, meta, limits, progress)[0]


def campaign_html(
    campaign: Campaign, meta: Meta, limits: Limits, progress=campaign_builder._no_progress
) -> str:
    """Return the print HTML of a campaign's portfolio report."""
    return campaign_report(campaign, meta, limits, progress)[0]


def download_name(kind_prefix: str, name: str, meta: Meta) -> str:
    """Return the file name a report downloads as."""
    return f"{kind_prefix}-{slug(name)}-{meta.generated_at:%Y%m%d}-{meta.document_id[-8:]}.pdf"
