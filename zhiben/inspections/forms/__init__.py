"""Forms of the inspections pages by subdomain: records, duties, plans."""
