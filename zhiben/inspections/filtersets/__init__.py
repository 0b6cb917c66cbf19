"""FilterSets of inspections by subdomain (each serves both the page list and the API): records, duties,
plans."""
