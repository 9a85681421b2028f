"""Reports (8.1, 2.12): the Audit Highlights Report, the learning bulletin and the quarterly audit
report, as Word documents with a data pack, uploaded to the Reports library and emailed.

``aggregate`` turns list items into report data (pure); ``anonymise`` redacts the bulletin;
``charts``, ``render`` and ``datapack`` make the files; ``publish`` files and sends them.
"""
