"""The security tests share the portal tests' fixtures (a small questionnaire sent to a vendor),
the outbox tests' relay that nothing listens on, the API tests' client and the report tests'
folders (report jobs built inside the request) and HTTP recorder."""

from tests.api.conftest import api  # noqa: F401 - fixture
from tests.mail.conftest import no_relay  # noqa: F401 - fixture
from tests.portal.conftest import *  # noqa: F403 - every portal fixture
from tests.reports.conftest import http_recorder, report_folders  # noqa: F401 - fixtures
