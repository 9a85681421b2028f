"""Services: the framework's work done with the ports (workflow, programme, moderation, reports' measures and content)."""
