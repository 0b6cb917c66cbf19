"""Services of inspections, one module per aggregate and the only write path: records (inspection steps),
roster, duties, selfchecks, duty_reminders, plans, caps, draws, photos."""
