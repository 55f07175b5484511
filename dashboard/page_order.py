"""The dashboard's pages in menu order: (script in dashboard/views/, title, icon).

Kept apart from app.py so tests and the exporter can list the pages without running Streamlit.
"""

PAGE_ORDER: tuple[tuple[str, str, str], ...] = (
    ("overview.py", "Overview", ":material/dashboard:"),
    ("supply.py", "Supply & gaps", ":material/map:"),
    ("uptake.py", "Uptake", ":material/how_to_reg:"),
    ("retention.py", "Retention", ":material/timeline:"),
    ("outcomes.py", "Outcomes", ":material/favorite:"),
    ("impact.py", "Pilot impact", ":material/trending_up:"),
    ("equity.py", "Equity", ":material/balance:"),
    ("data_quality.py", "Data quality", ":material/fact_check:"),
    ("export.py", "Export", ":material/download:"),
)
