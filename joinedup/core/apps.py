from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "joinedup.core"
    label = "core"
    verbose_name = "Core"

    def ready(self) -> None:
        from axes.signals import user_locked_out
        from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed

        from joinedup.core import (
            database,  # noqa: F401  (connects the SQLite checks)
            middleware,
            sign_in_audit,
        )

        user_logged_in.connect(middleware.note_sign_in, dispatch_uid="joinedup-note-sign-in")
        user_logged_in.connect(sign_in_audit.signed_in, dispatch_uid="joinedup-signed-in")
        user_login_failed.connect(sign_in_audit.sign_in_failed, dispatch_uid="joinedup-sign-in-failed")
        user_logged_out.connect(sign_in_audit.signed_out, dispatch_uid="joinedup-signed-out")
        user_locked_out.connect(sign_in_audit.locked_out, dispatch_uid="joinedup-locked-out")
