"""Celery tasks of early warning (thin: the work is in services)."""

from celery import shared_task

from jiefen.alerts.services import alerts_sweep


@shared_task(name="alerts.sweep", ignore_result=True)
def alerts_sweep_task() -> dict:
    return alerts_sweep()
