"""Session supply: OpenActive RPDE feeds harvested into the store and flattened for analysis.

harvest (RPDE pages → ``rpde_items``) → flatten (items → series, occurrences, places) →
SQL supply marts (per PCN × week, per area access distance).
"""
