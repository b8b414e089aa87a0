"""From a store's webhook to a creator's money: signatures, parsing, attribution,
commissions, the ledger, payouts, and the stores' integrations."""
