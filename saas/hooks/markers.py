"""The pluggy markers plugins decorate their hook implementations with."""

import pluggy

PROJECT = "saas"
hookspec = pluggy.HookspecMarker(PROJECT)
hookimpl = pluggy.HookimplMarker(PROJECT)
