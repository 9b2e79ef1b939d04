"""The one signal of the calendar: `calendar_changed`.

Sent inside the transaction that loads a year's notice or corrects a day, after the new calendar
is readable. The apps that store due dates (cases: case steps; procedures: procedure steps,
return visits, supervision orders) recompute their open provisional deadlines and return how many
changed; a deadline's app owns its rows and its timeline entries, so the calendar does not
reach into them. Receivers are connected in those apps' `AppConfig.ready`.

    calendar_changed.send(sender=None, years=[2027]) → [(receiver, changed_count), ...]
"""

from django.dispatch import Signal

calendar_changed = Signal()
