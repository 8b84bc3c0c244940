"""Moving rota data in and out: iCalendar feeds (ics), CSV import and export (csvio), backups (backup).

Nothing heavy is imported here: each module loads its libraries (icalendar, csv) itself,
so `import warmline.exchange` stays as cheap as the rest of the core.
"""
