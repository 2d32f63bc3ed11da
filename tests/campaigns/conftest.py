"""The campaign tests share the portal tests' fixtures (a small questionnaire sent to a vendor)."""

from tests.portal.conftest import (  # noqa: F401 - fixtures
    assignment,
    campaign,
    owner,
    recipient,
    relay,
    uploads,
    vendor,
    vendor_client,
    version,
)
