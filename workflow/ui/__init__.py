"""The pages and page pieces: views, forms, widgets, the FSM diagram, version compare, Excel export, the calendar.
May import every layer below (conventions, services, inbox, audit, engine) and accounts."""
