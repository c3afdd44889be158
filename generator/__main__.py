from generator.signals import stop_on_signals, stopped_code

stop_on_signals()  # before the slower imports: a SIGTERM during start-up stops us cleanly too
try:
    from generator.cli import main
except KeyboardInterrupt as stop:  # stopped while still importing: nothing to clean up yet
    raise SystemExit(stopped_code(stop)) from None

raise SystemExit(main())
