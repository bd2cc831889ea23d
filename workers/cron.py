"""RQ cron configuration: `rq cron workers.cron --url $REDIS_URL` runs the timed jobs on RQ's scheduler."""
from rq import cron

from webapp.settings import get_settings

from .periodic import sweep_outbox, tick

_queue = get_settings().rq_queue

cron.register(sweep_outbox, _queue, interval=5, result_ttl=60)
cron.register(tick, _queue, interval=60, result_ttl=600)
