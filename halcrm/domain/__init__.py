"""Pure CRM rules: no framework, no database."""
