"""Invented words the generator draws from: names, companies, subjects, paths, review texts.

Everything here is made up so that the simulated Glance-like team (2015–2017) reads like a
real one without naming real people or real companies; e-mail domains use the reserved
``.example`` top-level domain. Some names carry non-ASCII letters or an apostrophe so that
clients meet UTF-8 and Gson's ``\\u0027`` escaping (facts §1.2) in ordinary data.
"""

from __future__ import annotations

# word lists read better as text than as one quoted string per line
FIRST_NAMES = tuple(
    """
    Aino Bastien Calla Dariusz Elodie Farid Greta Hiroto Ilse Jarek Kaveh Lucía Matteo Noor
    Odile Piet Quinn Rasmus Saoirse Tomasz Ulla Vikram Wen Yusuf Zoë Amara Bruno Chiara
    Dmitri Esme Florin Gideon Hana Ivo Jiří Kirsi Leif Mireille Nikhil Orla Pavel Renske
    Søren Tereza Umar Valentin Wiebke Anaïs
    """.split()  # noqa: SIM905
)

LAST_NAMES = tuple(
    """
    Ashcombe Belvane Carrowick Dunmere Elsworth Fairholm Glenister Hartwell Ivesdale
    Kettleby Lowenbrook Marchetti Nakashima Oyelaran Petrakis Quennell Rautio Sandoval
    Tamminen Underhay Vasquez-Ruiz Wojcikowska Yilmazer Zelenka O'Fearghail Brückner Ødegård
    Kowalczyk Haddadi Iwasaki Lindenau Moravec Nygaard Pellegrini Rosenthal Szabados
    Trevisan Vantongeren Whitcombe Zamorano
    """.split()  # noqa: SIM905
)

# (company name, e-mail domain, UTC offset of its main office in minutes for git dates)
COMPANIES = (
    ("Bluefin Compute", "bluefin.example", -420),
    ("Corvid Systems", "corvid.example", -240),
    ("Halcyon Cloud", "halcyon-cloud.example", 60),
    ("Larkspur Networks", "larkspur.example", 120),
    ("Meridian Data", "meridian-data.example", 330),
    ("Quillon Labs", "quillon.example", 480),
    ("Tessellate", "tessellate.example", 540),
    ("Wrenfield Hosting", "wrenfield.example", -180),
    ("Yarrow Technologies", "yarrow.example", 120),
    ("Vantablue", "vantablue.example", 0),
)

COMPONENTS = {
    "openstack/glance": (
        "image import",
        "the images API",
        "the image cache",
        "the scrubber",
        "metadefs",
        "the tasks API",
        "image members",
        "glance-manage",
        "the registry",
        "property protections",
        "location handling",
        "the v1 API",
        "db migrations",
    ),
    "openstack/glance_store": (
        "the swift driver",
        "the rbd driver",
        "the filesystem store",
        "the cinder driver",
        "the http store",
        "the vmware driver",
        "multi-tenant swift",
        "store capabilities",
    ),
    "openstack/python-glanceclient": (
        "image-create",
        "the v2 shell",
        "image-download",
        "the HTTP client",
        "schema validation",
        "the upload progress bar",
        "member-list",
        "session handling",
    ),
    "openstack/glance-specs": ("the spec template", "the priorities list", "the index page"),
}

FEATURES = (
    "image import refactor",
    "rolling upgrades",
    "community images",
    "hidden images",
    "image metadata injection",
    "multiple stores",
    "delete from store",
    "web-download import",
    "copy existing image",
    "quota enforcement",
    "image signature verification",
    "database strategy for rolling upgrades",
    "image visibility changes",
)

BUG_PHRASES = (
    "race condition",
    "wrong status code",
    "unicode handling",
    "a memory leak",
    "a typo",
    "py35 incompatibility",
    "incorrect Content-Length",
    "timeout handling",
    "a missing policy check",
    "a stale lock",
    "broken pagination",
    "checksum mismatch",
)

LIBRARY_SWAPS = (
    ("oslo.log", "the logging module"),
    ("oslo_utils.encodeutils", "six.text_type"),
    ("keystoneauth1 sessions", "keystoneclient"),
    ("oslo.policy", "a private policy parser"),
    ("assertIsNone", "assertEqual(None, ...)"),
    ("requests", "httplib"),
    ("debtcollector", "warnings.warn"),
    ("oslo.context", "a local context class"),
)

OPTIONS = (
    "use_user_token",
    "admin_tenant_name",
    "show_multiple_locations",
    "enable_v1_registry",
    "scrubber_datadir",
    "known_stores",
    "swift_store_auth_insecure",
    "image_cache_stall_time",
)

SUBJECTS = (
    "Fix {bug} in {component}",
    "Add {feature} support to {component}",
    "Remove deprecated {option} option",
    "Use {new_lib} instead of {old_lib}",
    "Refactor {component} for readability",
    "Add unit tests for {component}",
    "Add release note for {feature}",
    "Handle {bug} when calling {component}",
    "Clean up imports in {component}",
    "Improve error messages in {component}",
)

SPEC_SUBJECTS = (
    "Add spec for {feature}",
    "Spec for {feature}",
    "Move {feature} spec to implemented",
    "Add {cycle} priorities",
    "Fix typo in {feature} spec",
)

BODIES = (
    "{component} did not behave correctly when the backend was slow to answer. "
    "This patch makes the behaviour explicit and adds a regression test.",
    "This is a follow-up to the discussion at the weekly meeting about {component}.",
    "Operators reported confusing results from {component}; the code path is now "
    "simpler and documented.",
    "The old code duplicated logic that already exists elsewhere, so this removes it.",
)

FILES = {
    "openstack/glance": (
        "glance/api/v2/images.py",
        "glance/api/v2/image_data.py",
        "glance/api/v2/tasks.py",
        "glance/api/v2/image_members.py",
        "glance/api/v2/metadef_namespaces.py",
        "glance/api/v1/images.py",
        "glance/api/middleware/cache.py",
        "glance/api/policy.py",
        "glance/async/flows/base_import.py",
        "glance/async/taskflow_executor.py",
        "glance/common/wsgi.py",
        "glance/common/utils.py",
        "glance/common/config.py",
        "glance/db/sqlalchemy/api.py",
        "glance/db/sqlalchemy/models.py",
        "glance/domain/__init__.py",
        "glance/image_cache/drivers/sqlite.py",
        "glance/location.py",
        "glance/notifier.py",
        "glance/quota/__init__.py",
        "glance/scrubber.py",
        "glance/cmd/manage.py",
        "etc/glance-api.conf",
        "api-ref/source/v2/images-images-v2.inc",
        "doc/source/configuring.rst",
    ),
    "openstack/glance_store": (
        "glance_store/_drivers/swift/store.py",
        "glance_store/_drivers/swift/utils.py",
        "glance_store/_drivers/rbd.py",
        "glance_store/_drivers/filesystem.py",
        "glance_store/_drivers/cinder.py",
        "glance_store/_drivers/http.py",
        "glance_store/_drivers/vmware_datastore.py",
        "glance_store/backend.py",
        "glance_store/capabilities.py",
        "glance_store/location.py",
    ),
    "openstack/python-glanceclient": (
        "glanceclient/v2/images.py",
        "glanceclient/v2/shell.py",
        "glanceclient/v2/image_members.py",
        "glanceclient/v2/schemas.py",
        "glanceclient/v1/images.py",
        "glanceclient/common/http.py",
        "glanceclient/common/utils.py",
        "glanceclient/common/progressbar.py",
        "glanceclient/shell.py",
        "glanceclient/exc.py",
    ),
}

TEST_FILES = {
    "openstack/glance": (
        "glance/tests/unit/v2/test_images_resource.py",
        "glance/tests/unit/v2/test_image_data_resource.py",
        "glance/tests/unit/v2/test_tasks_resource.py",
        "glance/tests/unit/common/test_wsgi.py",
        "glance/tests/unit/test_db.py",
        "glance/tests/functional/v2/test_images.py",
        "glance/tests/unit/async/flows/test_import.py",
    ),
    "openstack/glance_store": (
        "glance_store/tests/unit/test_swift_store.py",
        "glance_store/tests/unit/test_rbd_store.py",
        "glance_store/tests/unit/test_filesystem_store.py",
        "glance_store/tests/unit/test_cinder_store.py",
    ),
    "openstack/python-glanceclient": (
        "glanceclient/tests/unit/v2/test_shell_v2.py",
        "glanceclient/tests/unit/v2/test_images.py",
        "glanceclient/tests/unit/test_http.py",
        "glanceclient/tests/unit/test_utils.py",
    ),
}

REQUIREMENTS_FILES = ("requirements.txt", "test-requirements.txt")

SPEC_DIRS = ("glance", "glance_store", "python-glanceclient")

FREE_TOPICS = ("py35", "api-ref", "policy-in-code", "oslo-cleanup", "goal-python35", "docs")

HASHTAGS = ("priority", "backport-candidate", "easy-fix")

APPROVING = ("", "Looks good", "LGTM, thanks!", "Nice cleanup.", "Thanks for fixing this.")

POSITIVE = (
    "Looks good",
    "LGTM",
    "Tested locally with devstack, works for me.",
    "Good catch.",
    "Thanks, this reads much better now.",
)

NEGATIVE = (
    "Please add a test.",
    "This breaks backwards compatibility for v1 clients.",
    "Needs a release note.",
    "See inline comments.",
    "I think this belongs in glance_store rather than here.",
    "The commit message does not explain why this is needed.",
)

BLOCKING = ("This needs an approved spec first.", "We agreed not to change this API in Pike.")

NEUTRAL = (
    "Does this need a backport to stable/ocata?",
    "Could you rebase this on top of the import refactor?",
    "Let's discuss this at the weekly meeting.",
    "Adding this to the review priorities for this week.",
    "Is there a bug filed for this?",
)

SELF_REMOVAL = ("My concerns were addressed, removing my vote.", "")

RECHECKS = ("recheck", "recheck", "recheck timeout in functional tests")

WIP_NOTES = ("Work in progress, please do not review yet.", "WIP until the spec merges.")

OWNER_ABANDON = ("Superseded by another change.", "No longer needed.", "")

CORE_ABANDON = (
    "This change has had no activity for a long time; abandoning to keep the review "
    "queue manageable. Feel free to restore it.",
    "The approach was rejected at the midcycle; please see the spec discussion.",
)

RESTORE = ("Still relevant, restoring.", "")

OWNER_REPLIES = ("Done", "Thanks, fixed in the next patch set.", "Good point, will update.")

MESSAGE_EDITS = (
    "The upgrade impact is described in the release note.",
    "This also documents the new configuration option.",
    "No API change is involved.",
)

CI_JOBS = ("pep8", "docs-ubuntu-xenial", "python27-ubuntu-xenial", "python35")

INTEGRATION_JOBS = ("gate-tempest-dsvm-full-ubuntu-xenial", "gate-grenade-dsvm-ubuntu-xenial")

OBSOLETE_FILES = ("tools/colorizer.py", "tools/install_venv.py", "tools/with_venv.sh")
