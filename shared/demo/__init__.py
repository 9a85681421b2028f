"""The demo: a plainly fictional audit month on the embedded store."""
