"""A realistic bilingual demo desk, built through the ticket services (`manage.py load_demo`).

- `data.py`      teams, staff (skills, shifts), organizations, customers, identities, devices
- `catalogue.py` the category tree's upper levels and the desk's texts (replies, notes, summaries)
- `kinds.py`     the request kinds (leaf categories) with Chinese and English phrasings
- `planner.py`   pure and seeded: turns the data into a time-ordered list of steps over 60 days
- `builder.py`   creates the accounts and configuration, then plays the steps through the services
"""
