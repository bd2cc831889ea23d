"""What Learnloop tells other systems: signed webhooks for admins' endpoints, team messages in Slack or Microsoft
Teams, and xAPI statements for the learning record store. Every message is a delivery row written in the
transaction of the change it reports (events.py), and sent by the `outbound.deliver` job (workers/outbound.py)."""
