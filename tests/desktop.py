"""The shell prelude of every real-desktop test: start dunst in the D-Bus session that
`xvfb-run -a dbus-run-session` made, wait (bounded) until it owns org.freedesktop.Notifications,
and define close_all (which moves shown notifications into dunst's history).

A test's script is DUNST_PRELUDE followed by what it runs when "$up" = yes; "$1" is the
directory for its outputs.
"""

DUNST_PRELUDE = r"""
set -u
out="$1"
dunst >"$out/dunst.log" 2>&1 &
dunst_pid=$!
up=no
for _ in $(seq 1 100); do
    if dbus-send --session --print-reply --dest=org.freedesktop.DBus /org/freedesktop/DBus \
        org.freedesktop.DBus.NameHasOwner string:org.freedesktop.Notifications 2>/dev/null | grep -q "boolean true"; then
        up=yes
        break
    fi
    sleep 0.1
done
echo "$up" >"$out/up"
close_all() {
    # Closing moves shown notifications into dunst's history; repeat while any are shown or queued.
    for _ in $(seq 1 20); do
        dunstctl close-all
        sleep 0.1
        [ "$(dunstctl count displayed)" = 0 ] && [ "$(dunstctl count waiting)" = 0 ] && break
    done
}
"""
