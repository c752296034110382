"""nohold's voice side: the app factory and everything a caller talks to."""


def create_app(test_config=None):
    """Builds the Flask app (imported lazily so the CLI and jobs start fast)."""
    from ivr.app.factory import create_app as _create_app

    return _create_app(test_config)
