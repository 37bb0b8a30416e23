"""Operating the map for B2B accounts: worst-contact health, account milestones, gating, alerts, verification."""
