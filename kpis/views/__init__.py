"""The catalogue's views, by what they serve: its pages (pages.py), importing a return
(imports.py), and figures entered and approved (entries.py). kpis/urls.py routes to them."""
