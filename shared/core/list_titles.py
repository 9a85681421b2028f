"""The titles of the SharePoint lists and libraries, as Hull's staff see them in the site.

One home: the services read and write by these names, and the list definitions create the
lists under them.
"""

from __future__ import annotations

# The single case file audit (2)
ALLOCATIONS = "Audit Allocations"
SUBMISSIONS = "Audit Submissions"
DRAFTS = "Audit Drafts"
TASKS = "Tasks"
STAFF = "Staff"
TRAIL = "Audit Trail"
SETTINGS = "Settings"
# The rest of the programme (3 to 6)
OBSERVATIONS = "Observations"
CASE_DISCUSSIONS = "Case Discussions"
SUPERVISION_AUDITS = "Supervision Audits"
THEMATIC_AUDITS = "Thematic Audits"
# Moderation (7.2)
MODERATION = "Moderation"
# Reporting and learning (8)
REPORTS_LIBRARY = "Reports"
LEARNING_BULLETINS = "Learning Bulletins"
BULLETIN_EXCERPTS = "Bulletin Excerpts"
# Improvement plans followed through (2.8, 2.10, 2.12)
IMPROVEMENT_ACTIONS = "Improvement Actions"
