"""Notifications: the outbox (what is due, to whom), the channels (desktop, terminal, in-app)
and the delivery loop (`warmline notify --once | --daemon`).

Nothing here imports plyer at module level: the desktop channel loads it only when it must.
"""
