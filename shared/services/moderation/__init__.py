"""Consistent grading and a fair sample (2.1, 7.2): the month's case selection from the case
management export, moderation of accepted audits, and the calibration of auditors."""
