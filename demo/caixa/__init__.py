"""The outbox page (demo mode only): trainers show the e-mails the portal sent."""
