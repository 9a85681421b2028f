"""Ports: the small interfaces the services are given; adapters implement them."""
