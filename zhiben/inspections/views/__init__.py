"""Pages of inspections by subdomain: records, roster, duties, plans, draws, public (一公开), photos."""
