"""SharePoint lists as the system of record: the port, its adapters and the list definitions."""
