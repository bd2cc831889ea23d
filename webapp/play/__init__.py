"""Playing a challenge: the points ledger, events that badges react to, and (later) the pages."""
